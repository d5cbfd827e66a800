from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LlmWorkerConfig(AppConfig):
    name = "llm_worker"
    verbose_name = _("LLM worker")
