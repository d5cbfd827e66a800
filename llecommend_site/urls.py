from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("recommendations.urls")),
    path("accounts/", include("accounts.urls")),
    path("movies/", include("movies.urls")),
    path("llm/", include("llm_worker.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
handler500 = "llecommend_site.middleware.server_error"
