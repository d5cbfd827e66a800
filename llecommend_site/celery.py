"""Celery application. Workers: `celery -A llecommend_site worker -Q default` and
`celery -A llecommend_site worker -Q llm --concurrency 1` (the GPU-resident LLM)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llecommend_site.settings")

app = Celery("llecommend_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
