from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _embed_synced(sender, *, movie_ids, **kwargs) -> str:
    """A TMDb sync created or changed these movies: bring the taste-text index up to date
    ahead of the next request (only the changed descriptions are encoded), on the `llm` queue.
    With no index stored yet there is nothing to update: the first one is built by
    `manage.py build_embedding_index` (or the first taste search)."""
    from django.db import transaction

    from . import embeddings
    from .embedding_tasks import embedding_index_build
    from .embeddings_status import READY

    if embeddings.index_state().state != READY:
        return "taste-text index: none stored yet; not updated (manage.py build_embedding_index)"
    transaction.on_commit(embedding_index_build.delay)
    return f"taste-text index: update for {len(movie_ids)} movie(s) queued"


def _persona_follow(sender, *, user, **kwargs) -> None:
    """The user switched language: their persona is rewritten in it."""
    from .services import persona_language_follow

    persona_language_follow(user=user)


class LlmWorkerConfig(AppConfig):
    name = "llm_worker"
    verbose_name = _("LLM worker")

    def ready(self) -> None:
        from movies.signals import movies_synced

        movies_synced.connect(_embed_synced, dispatch_uid="llm-worker-taste-index")

        from accounts.signals import language_changed

        language_changed.connect(_persona_follow, dispatch_uid="llm-worker-persona-language")
