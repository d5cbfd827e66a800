from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _persona_follow(sender, *, user, **kwargs) -> None:
    """The user switched language: their persona is rewritten in it."""
    from .services import persona_language_follow

    persona_language_follow(user=user)


class LlmWorkerConfig(AppConfig):
    name = "llm_worker"
    verbose_name = _("LLM worker")

    def ready(self) -> None:
        from accounts.signals import language_changed

        language_changed.connect(_persona_follow, dispatch_uid="llm-worker-persona-language")
