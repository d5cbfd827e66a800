from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import health, readiness

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("recommendations.urls")),
    path("accounts/", include("accounts.urls")),
    path("movies/", include("movies.urls")),
    path("llm/", include("llm_worker.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("preparing", readiness.preparing_notice, name="preparing_notice"),
    # Browsers and other clients ask for /favicon.ico whatever a page links. Not permanent: the
    # static URL carries a content hash in production and changes with the icon.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.ico"))),
]
handler500 = "llecommend_site.middleware.server_error"
