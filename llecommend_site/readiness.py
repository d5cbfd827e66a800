"""Is the site still preparing? On a fresh install (`bin/dev`) the site answers before the first
recommender is trained and before the taste-text index is built; until both are there every
page says so ("still preparing — popular movies for now"), with the index's progress, and the
notice goes away by itself once they are ready (the partial asks again every POLL_S seconds).

`setup_status()` reads one row (the active model version) and a few small files (the index's
folder, `llm_worker.embeddings.index_state`); once everything is ready the answer is cached for
READY_CACHE_S, so a ready site pays one cache read per page. `preparing` is the context
processor: lazy, so a template that never shows the notice (an htmx fragment) costs nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache

from llm_worker.embeddings_status import READY, IndexStatus

logger = logging.getLogger(__name__)

READY_CACHE_KEY = "llecommend:setup-ready"
READY_CACHE_S = 60
POLL_S = 15  # how often a page showing the notice asks again


@dataclass(frozen=True)
class SetupStatus:
    recommender_ready: bool  # an active, ready model version serves the lists
    index: IndexStatus  # the taste-text index of the configured model

    @property
    def index_ready(self) -> bool:
        return self.index.state == READY

    @property
    def ready(self) -> bool:
        return self.recommender_ready and self.index_ready


ALL_READY = SetupStatus(recommender_ready=True, index=IndexStatus(READY))


def setup_status() -> SetupStatus:
    if cache.get(READY_CACHE_KEY):
        return ALL_READY
    from llm_worker.embeddings import index_state
    from recommendations.selectors import active_model_version

    status = SetupStatus(recommender_ready=active_model_version() is not None, index=index_state())
    if status.ready:
        cache.set(READY_CACHE_KEY, True, READY_CACHE_S)
    return status


def preparing(request: HttpRequest) -> dict:
    """Context processor: `setup_status` for templates/includes/preparing_notice.html."""
    return {"setup_status": SimpleLazyObject(setup_status), "setup_poll_s": POLL_S}


@never_cache
def preparing_notice(request: HttpRequest) -> HttpResponse:
    """The notice alone, for the page's poll: empty once ready (htmx swaps it away)."""
    html = render_to_string(
        "includes/preparing_notice.html",
        {"setup_status": setup_status(), "setup_poll_s": POLL_S},
        request=request,
    )
    return HttpResponse(html)
