"""Celery application.

Two queues, routed by task module (settings.CELERY_TASK_ROUTES):
- `default`: training, scoring, imports — `celery -A llecommend_site worker -Q default`
- `llm`: persona and list filling with the model resident — one process per GPU:
  `celery -A llecommend_site worker -Q llm --concurrency 1 --pool prefork`

Delivery (settings.py, "Celery"): tasks are acknowledged after they finish (`acks_late`), a
task whose pool process dies is rejected back to the queue (`reject_on_worker_lost`), each
process reserves one message at a time (prefetch 1), and with Redis a message taken by a worker
that vanished altogether (kill -9 of the whole worker, a lost machine) becomes visible again
after `CELERY_VISIBILITY_TIMEOUT` seconds. Every task is idempotent (its row's status and
`request_key`), so a second delivery never writes a second result.
"""

from __future__ import annotations

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llecommend_site.settings")

QUEUES = ("default", "llm")

app = Celery("llecommend_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Declared explicitly so a worker started with `-Q llm` and a producer agree on the queue
# names, and an unknown queue in a route is an error, not a silently created queue.
app.conf.task_queues = tuple(Queue(name, Exchange(name), routing_key=name) for name in QUEUES)
app.conf.task_create_missing_queues = False
app.autodiscover_tasks()
