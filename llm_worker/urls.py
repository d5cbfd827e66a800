from __future__ import annotations

from django.urls import path

from . import views

app_name = "llm_worker"
urlpatterns = [
    path("persona/", views.persona, name="persona"),
    path("persona/<int:pk>/poll/", views.persona_poll, name="persona_poll"),
    path("persona/correct/", views.persona_correct, name="persona_correct"),
]
