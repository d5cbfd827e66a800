"""The LLM layer's services: personas, and the helpers every LLM flow shares (the user's
language and profile, the backend choice, movie briefs in the user's language, the checks on
free text a user writes).

`persona_request` writes a pending row and enqueues a task on commit; it starts LLM work, so the
per-user rate limit is checked there. The task body (`persona_generate`) is idempotent: a ready
row is returned as is, and results are written in one transaction with the status flip, so a
redelivered task never duplicates anything. Recommendation lists and the chat turns that produce
them live one layer up, in `recommendations.list_flow`, which calls into this layer and never
the other way round.

Nothing here raises for an LLM failure: `llm_worker.pipeline` falls back to the grounded engine
and says why in `degraded_reason` ("code: detail", codes in `contracts.Degraded`). The row stores
it (bounded, every code kept), the page turns the codes into sentences in the user's language,
and the full text is logged here with the user and row ids. Database errors do propagate, so the
task retries them.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from llecommend_site.tasking import enqueue_on_commit
from llm_worker import conf, pipeline, selectors
from llm_worker.backends import LLMBackend, get_backend
from llm_worker.contracts import (
    Degraded,
    KeywordStats,
    MovieBrief,
    PersonaInput,
    PersonaResult,
    UserProfile,
    degraded,
    degraded_join,
)
from llm_worker.models import Persona

logger = logging.getLogger(__name__)

CORRECTION_MAX = 1000  # characters of a persona correction
WATCHED_IN_PROMPT = 30  # the most recent picks; older ones add tokens, not signal
DEGRADED_MAX = 300  # RecommendationList/Persona.degraded_reason max_length
# Database trouble that a retry can fix: never caught here, so the task's autoretry sees it.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


# -- shared helpers ------------------------------------------------------------------------------
def user_language(user) -> str:
    """The language the LLM layer writes in for `user`: "en" or "ko" (the default)."""
    return "en" if getattr(user, "language", "") == "en" else "ko"


def user_profile(user, language: str) -> UserProfile:
    """What a prompt may know of the user: language and demographics, nothing else."""
    return UserProfile(
        language=language,
        age=user.age,
        gender=user.gender or "",
        occupation=user.occupation or "",
    )


def text_clean(text: str, *, limit: int, language: str) -> str:
    """The user's text stripped, or a ValidationError in their language (nothing is stored)."""
    text = (text or "").strip()
    with translation.override(language):
        if not text:
            raise ValidationError(_("Write a few words first."), code="required")
        if len(text) > limit:
            raise ValidationError(
                _("Please keep it under %(limit_value)d characters (you wrote %(show_value)d).")
                % {"limit_value": limit, "show_value": len(text)},
                code="max_length",
            )
    return text


def backend_choose(override: LLMBackend | None) -> tuple[LLMBackend, str]:
    """(backend, why it is not the configured one or ""): `override` as is, else the site's."""
    if override is not None:
        return override, ""
    choice = conf.llm_backend()
    return choice.backend, choice.degraded_reason


def movie_briefs(movie_ids: list[int], language: str) -> dict[int, MovieBrief]:
    """Each existing movie (visible or not) as a brief: title (in `language` where the
    catalogue has it), year, the catalogue's facts and the description written from them in
    `language` (one read of the catalogue for both)."""
    from movies.describe import movie_facts

    return {
        pk: brief_in(MovieBrief(pk, facts.title, facts.year, "", facts=facts), language)
        for pk, facts in movie_facts(movie_ids=movie_ids).items()
    }


def brief_in(brief: MovieBrief, language: str) -> MovieBrief:
    """The same brief told in `language`, from the facts it carries (no database read)."""
    from movies.describe import movie_description

    facts = brief.known_facts()
    return dataclasses.replace(
        brief, title=facts.title_in(language), description=movie_description(facts, language)
    )


def watched_briefs(
    user, language: str, *, liked_ids: frozenset[int] | set[int] = frozenset()
) -> tuple[MovieBrief, ...]:
    """The user's most recent WATCHED_IN_PROMPT movies, oldest first, as briefs; `liked` for
    those they rated 4 or more, or that the caller knows they liked (`liked_ids`)."""
    from movies.selectors import liked_movie_ids, watched_movie_ids

    recent = watched_movie_ids(user=user)[-WATCHED_IN_PROMPT:]
    liked = liked_movie_ids(user=user) | set(liked_ids)
    briefs = movie_briefs(recent, language)
    return tuple(dataclasses.replace(briefs[m], liked=m in liked) for m in recent if m in briefs)


def keyword_stats(briefs) -> KeywordStats:
    """How common the keywords of these movies are in the catalogue (themes weigh by it)."""
    from movies.describe import keyword_frequencies

    names = {k for b in briefs for k in b.known_facts().keywords}
    movies, frequencies = keyword_frequencies(names=names)
    return KeywordStats(movies=movies, document_frequency=frequencies)


def correction_request(text: str) -> dict | None:
    """The user's persona correction read as a standing taste request (grounded parser over
    the catalogue), as JSON; None when it asks nothing the parser understood."""
    if not text.strip():
        return None
    from llm_worker.taste import to_json
    from llm_worker.taste.grounded_parser import parse_request
    from movies.lexicon import catalogue_lexicon

    request = parse_request(text, lexicon=catalogue_lexicon()).request
    return None if request.is_empty else to_json(request)


# -- persona -------------------------------------------------------------------------------------
def _persona_pending(user) -> Persona:
    return Persona.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        language=user_language(user),
        user_correction=selectors.latest_correction(user=user),
    )


@transaction.atomic
def persona_request(*, user) -> Persona:
    """A pending persona (fresh `request_key`, the user's latest correction carried over) whose
    generation task is enqueued once this transaction commits. Starts LLM work."""
    from llecommend_site.ratelimit import rate_limit_check
    from llm_worker.tasks import persona_generate as task

    rate_limit_check(user=user, action="persona")  # RateLimited: a ValidationError, translated
    persona = _persona_pending(user)
    enqueue_on_commit(task, persona)
    return persona


def persona_now(*, user, backend: LLMBackend | None = None, variant: str | None = None) -> Persona:
    """A new persona generated in this process with `backend` (the shell's `recommend_for`;
    no worker, no rate limit)."""
    return persona_generate(persona_id=_persona_pending(user).pk, backend=backend, variant=variant)


def persona_generate(
    *, persona_id: int, backend: LLMBackend | None = None, variant: str | None = None
) -> Persona:
    """Fill a pending persona from the user's profile, most recent watched movies (described in
    their language) and latest correction. Idempotent: a ready persona is returned untouched.
    Reasons cite only the user's own movies. An LLM failure gives the grounded persona with
    `degraded_reason`; an unexpected error marks the row failed (logged with context)."""
    persona = Persona.objects.select_related("user").get(pk=persona_id)
    if persona.status == Persona.Status.READY:
        return persona
    user = persona.user
    try:
        backend, load_problem = backend_choose(backend)
        watched = watched_briefs(user, persona.language)
        correction = persona.user_correction or selectors.latest_correction(user=user)
        inp = PersonaInput(
            profile=user_profile(user, persona.language),
            watched=watched,
            correction=correction,
            keyword_stats=keyword_stats(watched),
            request=correction_request(correction),
        )
        try:
            result = pipeline.persona_build(backend, inp, variant=variant or conf.prompt_variant())
        except SoftTimeLimitExceeded:
            late = degraded(Degraded.TIMEOUT, "the task passed its soft time limit")
            result = pipeline.persona_fallback(inp, degraded_reason=late)
        result.degraded_reason = degraded_join(load_problem, result.degraded_reason)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("persona %s of user %s failed", persona.pk, user.pk)
        Persona.objects.filter(pk=persona.pk, status=Persona.Status.PENDING).update(
            status=Persona.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        persona.refresh_from_db()
        return persona
    return _persona_store(persona, result, own_ids={m.movie_id for m in inp.watched})


def _persona_store(persona: Persona, result: PersonaResult, *, own_ids: set[int]) -> Persona:
    from movies.selectors import watched_movie_ids

    own_ids = own_ids | set(watched_movie_ids(user=persona.user))
    reasons = []
    for reason in result.reasons:
        cited = [m for m in dict.fromkeys(reason.movie_ids) if m in own_ids]
        if reason.movie_ids and not cited:
            continue  # it cited only movies that are not the user's: not a reason about them
        reasons.append({"text": reason.text, "movie_ids": cited})
    with transaction.atomic():
        locked = Persona.objects.select_for_update().get(pk=persona.pk)
        if locked.status == Persona.Status.READY:
            return locked  # another delivery of the same task finished first
        locked.summary = result.summary
        locked.liked_traits = list(result.liked_traits)
        locked.disliked_traits = list(result.disliked_traits)
        locked.reasons = reasons
        locked.engine = result.engine[:40]
        locked.prompt_version = result.prompt_version[:40]
        locked.degraded_reason = degraded_join(result.degraded_reason, limit=DEGRADED_MAX)
        locked.status = Persona.Status.READY
        locked.error = ""
        locked.save()
    if result.degraded_reason:  # in full: the row keeps a bounded copy
        logger.warning(
            "persona %s of user %s degraded to %s: %s",
            locked.pk,
            locked.user_id,
            locked.engine,
            result.degraded_reason,
        )
    return locked


def persona_language_follow(*, user) -> Persona | None:
    """After a language switch: the newest persona, rewritten in the user's new language. The
    grounded engine writes it here and now (milliseconds, no model); a model-written persona is
    asked of the model again (a task; the page shows the pending one). No rate limit: the user
    asked for nothing new. None when there is no persona or it is in that language already."""
    from llm_worker.tasks import persona_generate as task

    current = selectors.current_persona(user=user)
    if current is None or current.language == user_language(user):
        return None
    if not current.engine.startswith("llm:"):
        return persona_now(user=user, backend=get_backend("grounded"))
    with transaction.atomic():
        persona = _persona_pending(user)
        enqueue_on_commit(task, persona)
    return persona


@transaction.atomic
def persona_correct(*, user, text: str) -> Persona:
    """Keep the user's own correction of their persona (on the current one) and request a
    regenerated persona that uses it. Returns the new pending persona. Starts LLM work."""
    text = text_clean(text, limit=CORRECTION_MAX, language=user_language(user))
    current = selectors.current_persona(user=user) or selectors.latest_persona(user=user)
    if current is not None:
        current.user_correction = text
        current.save(update_fields=["user_correction"])
    persona = persona_request(user=user)
    if persona.user_correction != text:  # no earlier persona held it
        persona.user_correction = text
        persona.save(update_fields=["user_correction"])
    return persona


__all__ = [
    "CORRECTION_MAX",
    "backend_choose",
    "brief_in",
    "movie_briefs",
    "persona_correct",
    "persona_generate",
    "persona_language_follow",
    "persona_now",
    "persona_request",
    "text_clean",
    "user_language",
    "user_profile",
    "watched_briefs",
]
