"""The LLM pipeline as the site runs it: personas, filled recommendation lists, the taste chat.

Requests (`persona_request`, `chat_post`, and the recommender's `recommendation_list_request`)
write a pending row and enqueue a task on commit; these three are the places that start LLM
work, where a per-user rate limit belongs. Task bodies (`persona_generate`,
`recommendation_list_fill`) are idempotent: a ready row is returned as is, and results are
written in one transaction with the status flip, so a redelivered task never duplicates anything.

Nothing here raises for an LLM failure: `llm_worker.pipeline` falls back to the grounded engine
and says why in `degraded_reason` ("code: detail", codes in `contracts.Degraded`). The row stores
it (bounded, every code kept), the page turns the codes into sentences in the user's language,
and the full text is logged here with the user and row ids. Database errors do propagate, so the
task retries them.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from llecommend_site.tasking import enqueue_on_commit
from llm_worker import conf, pipeline, selectors
from llm_worker.backends import LLMBackend, get_backend
from llm_worker.backends.grounded import grounded_persona, grounded_rerank
from llm_worker.contracts import (
    CandidateBrief,
    ChatTurn,
    Degraded,
    MovieBrief,
    PersonaInput,
    PersonaResult,
    RankedItem,
    RerankInput,
    RerankResult,
    UserProfile,
    degraded,
    degraded_join,
)
from llm_worker.memory import fit_chat_history
from llm_worker.models import ChatMessage, ChatSummary, Persona

if TYPE_CHECKING:
    from recommendations.models import RecommendationList

logger = logging.getLogger(__name__)

CHAT_MAX = 1000  # characters of one chat message
CORRECTION_MAX = 1000  # characters of a persona correction
WATCHED_IN_PROMPT = 30  # the most recent picks; older ones add tokens, not signal
DEFAULT_K = 10
CANDIDATE_FACTOR = 3  # the LLM chooses k out of about 3k candidates
TASTE_ENGINE = "taste-text"  # candidates brought in by the sentence-embedding search
DEGRADED_MAX = 300  # RecommendationList/Persona.degraded_reason max_length
# Database trouble that a retry can fix: never caught here, so the task's autoretry sees it.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


# -- shared helpers ------------------------------------------------------------------------------
def _language(user) -> str:
    return "en" if getattr(user, "language", "") == "en" else "ko"


def _profile(user, language: str) -> UserProfile:
    return UserProfile(
        language=language,
        age=user.age,
        gender=user.gender or "",
        occupation=user.occupation or "",
    )


def _clean_text(text: str, *, limit: int, language: str) -> str:
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


def _backend(override: LLMBackend | None) -> tuple[LLMBackend, str]:
    if override is not None:
        return override, ""
    choice = conf.llm_backend()
    return choice.backend, choice.degraded_reason


def _briefs(movie_ids: list[int], language: str) -> dict[int, MovieBrief]:
    """Title, year and the catalogue's description of each visible-or-not movie that exists."""
    from movies.describe import movie_descriptions
    from movies.selectors import movies_by_ids

    movies = movies_by_ids(movie_ids)
    texts = movie_descriptions(movie_ids=list(movies), language=language)
    return {
        pk: MovieBrief(pk, m.title, m.year, texts.get(pk) or m.title) for pk, m in movies.items()
    }


def _watched_briefs(user, language: str) -> tuple[MovieBrief, ...]:
    from movies.selectors import watched_movie_ids

    recent = watched_movie_ids(user=user)[-WATCHED_IN_PROMPT:]
    briefs = _briefs(recent, language)
    return tuple(briefs[m] for m in recent if m in briefs)


# -- persona -------------------------------------------------------------------------------------
@transaction.atomic
def persona_request(*, user) -> Persona:
    """A pending persona (fresh `request_key`, the user's latest correction carried over) whose
    generation task is enqueued once this transaction commits. Starts LLM work."""
    from llecommend_site.ratelimit import rate_limit_check
    from llm_worker.tasks import persona_generate as task

    rate_limit_check(user=user, action="persona")  # RateLimited: a ValidationError, translated
    persona = Persona.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        language=_language(user),
        user_correction=selectors.latest_correction(user=user),
    )
    enqueue_on_commit(task, persona)
    return persona


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
        backend, load_problem = _backend(backend)
        inp = PersonaInput(
            profile=_profile(user, persona.language),
            watched=_watched_briefs(user, persona.language),
            correction=persona.user_correction or selectors.latest_correction(user=user),
        )
        try:
            result = pipeline.persona_build(backend, inp, variant=variant or conf.prompt_variant())
        except SoftTimeLimitExceeded:
            late = degraded(Degraded.TIMEOUT, "the task passed its soft time limit")
            result = grounded_persona(inp, degraded_reason=late)
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


@transaction.atomic
def persona_correct(*, user, text: str) -> Persona:
    """Keep the user's own correction of their persona (on the current one) and request a
    regenerated persona that uses it. Returns the new pending persona. Starts LLM work."""
    text = _clean_text(text, limit=CORRECTION_MAX, language=_language(user))
    current = selectors.current_persona(user=user) or selectors.latest_persona(user=user)
    if current is not None:
        current.user_correction = text
        current.save(update_fields=["user_correction"])
    persona = persona_request(user=user)
    if persona.user_correction != text:  # no earlier persona held it
        persona.user_correction = text
        persona.save(update_fields=["user_correction"])
    return persona


# -- the taste chat ------------------------------------------------------------------------------
@transaction.atomic
def chat_post(*, user, text: str) -> tuple[ChatMessage, RecommendationList]:
    """Store the user's chat turn and request a new list ranked with the conversation so far;
    the list's task stores the assistant's answer. Over-long or empty text raises a
    ValidationError in the user's language and stores nothing. Starts LLM work."""
    from llecommend_site.ratelimit import rate_limit_check
    from recommendations.services import recommendation_list_request

    text = _clean_text(text, limit=CHAT_MAX, language=_language(user))
    rate_limit_check(user=user, action="chat")  # after validation: a typo costs nothing
    message = ChatMessage.objects.create(user=user, role=ChatMessage.Role.USER, content=text)
    new_list = recommendation_list_request(user=user, k=DEFAULT_K, chat_message=message)
    return message, new_list


@dataclass
class _Chat:
    message: ChatMessage | None = None
    summary: str = ""
    turns: tuple[ChatTurn, ...] = ()
    through: ChatMessage | None = None  # the last message folded into the summary
    summary_changed: bool = False
    reply: str = ""
    request: str = ""  # the user's wish in one line, for the embedding search
    degraded_reason: str = ""


def _chat_memory(user, message: ChatMessage, backend: LLMBackend) -> _Chat:
    """The rolling summary and the recent turns before `message`, within the token budget
    measured with the backend's tokenizer."""
    row = ChatSummary.objects.filter(user=user).select_related("through_message").first()
    earlier = ChatMessage.objects.filter(user=user, pk__lt=message.pk).order_by("created_at", "pk")
    if row is not None and row.through_message_id:
        earlier = earlier.filter(pk__gt=row.through_message_id)
    messages = list(earlier)
    old_summary = row.text if row else ""
    summary, kept = fit_chat_history(
        [ChatTurn(m.role, m.content) for m in messages],
        summary=old_summary,
        budget_tokens=conf.chat_budget_tokens(),
        count_tokens=backend.count_tokens,
    )
    folded = messages[: len(messages) - len(kept)]
    through = folded[-1] if folded else (row.through_message if row else None)
    return _Chat(
        message=message,
        summary=summary,
        turns=tuple(kept),
        through=through,
        summary_changed=bool(folded) or summary != old_summary,
    )


def _chat_answer(
    chat: _Chat, items: list[RankedItem], titles: dict[int, str], language: str, taste_ids: set[int]
) -> str:
    """The assistant's turn: the model's (or grounded) reply and what the new list brings."""
    names = [titles[it.movie_id] for it in items[:3] if it.movie_id in titles]
    from_taste = sum(1 for it in items if it.movie_id in taste_ids)
    if language == "ko":
        lines = [chat.reply]
        if names:
            lines.append("새 추천: " + ", ".join(f"「{n}」" for n in names) + ".")
        if from_taste:
            lines.append(f"그중 {from_taste}편은 말씀하신 취향 설명과 가까운 영화예요.")
    else:
        lines = [chat.reply]
        if names:
            lines.append("New picks: " + ", ".join(names) + ".")
        if from_taste:
            lines.append(f"{from_taste} of them match what you described.")
    if not items:
        lines.append(
            "더 추천할 영화를 찾지 못했어요." if language == "ko" else "I found nothing new to add."
        )
    return " ".join(line for line in lines if line)


# -- recommendation lists ------------------------------------------------------------------------
@dataclass
class _Pool:
    candidates: list = field(default_factory=list)  # recommendations.services.Candidate
    taste_ids: set[int] = field(default_factory=set)
    degraded_reason: str = ""


def _taste_hits(text: str, *, k: int, exclude: set[int]) -> tuple[list[tuple[int, float]], str]:
    try:
        from llm_worker.embeddings import taste_candidates

        return list(taste_candidates(text=text, k=k, exclude_movie_ids=frozenset(exclude))), ""
    except Exception as exc:  # the index may not be built yet: say so, keep the list coming
        logger.warning(
            "taste-text search failed (%s: %s); recommender only", type(exc).__name__, exc
        )
        detail = f"{type(exc).__name__}: {exc}"
        return [], degraded(Degraded.TASTE_SEARCH_UNAVAILABLE, detail)


def _candidate_pool(lst, *, k: int, taste_text: str) -> _Pool:
    """The recommender's candidates and, for a chat message, the embedding search's hits,
    interleaved (so the grounded order also reflects the request), none excluded or hidden."""
    from movies.selectors import movies_by_ids
    from recommendations.services import Candidate, candidates_for_user, excluded_movie_ids

    user = lst.user
    excluded = excluded_movie_ids(user=user)
    n_taste = k if taste_text else 0
    recommended = candidates_for_user(
        user=user, k=CANDIDATE_FACTOR * k - n_taste, novelty=lst.novelty, exclude_movie_ids=excluded
    )
    pool = _Pool()
    taste: list = []
    if taste_text:
        hits, pool.degraded_reason = _taste_hits(taste_text, k=n_taste, exclude=excluded)
        taste = [Candidate(m, float(s), TASTE_ENGINE, []) for m, s in hits if m not in excluded]
    merged: dict[int, object] = {}
    for i in range(max(len(recommended), len(taste))):
        for source in (recommended, taste):
            if i < len(source) and source[i].movie_id not in merged:
                merged[source[i].movie_id] = source[i]
    movies = movies_by_ids(merged)
    pool.candidates = [
        c for m, c in merged.items() if m in movies and not movies[m].hidden and m not in excluded
    ]
    pool.taste_ids = {c.movie_id for c in pool.candidates if c.engine == TASTE_ENGINE}
    return pool


def _rerank_input(lst, pool: _Pool, chat: _Chat, *, k: int, language: str) -> RerankInput:
    user = lst.user
    watched = _watched_briefs(user, language)
    briefs = _briefs([c.movie_id for c in pool.candidates], language)
    candidates = tuple(
        CandidateBrief(
            movie_id=c.movie_id,
            title=briefs[c.movie_id].title,
            year=briefs[c.movie_id].year,
            description=briefs[c.movie_id].description,
            score=float(c.score),
            engine=c.engine,
            because_movie_ids=tuple(c.because_movie_ids or ()),
        )
        for c in pool.candidates
        if c.movie_id in briefs
    )
    persona = selectors.current_persona(user=user)
    correction = selectors.latest_correction(user=user)
    taste = [chat.message.content] if chat.message else []
    if correction:
        # The correction is the user's own text: it goes inside the delimited request block.
        label = "내 취향에 대한 정정" if language == "ko" else "My own correction of my taste"
        taste.append(f"({label}) {correction}")
    return RerankInput(
        profile=_profile(user, language),
        persona_summary=persona.summary if persona else "",
        watched=watched,
        candidates=candidates,
        k=k,
        chat_summary=chat.summary,
        chat_turns=chat.turns,
        taste_text="\n".join(taste),
    )


def _checked(result: RerankResult, inp: RerankInput, k: int, list_id: int) -> list[RankedItem]:
    """Defence in depth: only candidates, each once, at most k (the pipeline promises it)."""
    allowed = {c.movie_id for c in inp.candidates}
    items, seen, foreign = [], set(), 0
    for item in result.items:
        if item.movie_id not in allowed:
            foreign += 1
            continue
        if item.movie_id in seen:
            continue
        seen.add(item.movie_id)
        items.append(item)
    if foreign:
        logger.error("list %s: the pipeline returned %d non-candidate ids", list_id, foreign)
        result.dropped += foreign
    return items[:k]


def recommendation_list_fill(
    *,
    list_id: int,
    k: int | None = None,
    backend: LLMBackend | None = None,
    variant: str | None = None,
    method: str | None = None,
):
    """Fill a pending list: recommender candidates (+ taste-text hits for a chat message) →
    LLM re-rank → items. Idempotent (a ready list is returned untouched; items are written in
    one transaction with the status flip). On any LLM failure the recommender's order with
    grounded reasons, `degraded_reason` set. Every item is a candidate: never watched, shown,
    dismissed or hidden."""
    from recommendations.models import RecommendationList

    lst = RecommendationList.objects.select_related("user", "chat_message").get(pk=list_id)
    if lst.status == RecommendationList.Status.READY:
        return lst
    k = k or lst.k or DEFAULT_K
    language = lst.language if lst.language in ("ko", "en") else _language(lst.user)
    variant = variant or conf.prompt_variant()
    method = method or conf.rerank_method()
    try:
        backend, load_problem = _backend(backend)
        chat = _Chat()
        if lst.chat_message is not None:
            chat = _chat_memory(lst.user, lst.chat_message, backend)
        run = _Run()
        try:
            _rank(run, lst, backend, chat, k=k, language=language, variant=variant, method=method)
        except SoftTimeLimitExceeded:
            # Past the soft limit the list is finished without the model, well within the hard one.
            logger.warning("list %s of user %s: the model ran out of time", lst.pk, lst.user_id)
            late = degraded(Degraded.TIMEOUT, "the task passed its soft time limit")
            if run.inp is not None:
                run.result = grounded_rerank(run.inp, degraded_reason=late)
            else:
                grounded = get_backend("grounded")
                _rank(
                    run, lst, grounded, chat, k=k, language=language, variant=variant, method=method
                )
                run.result.degraded_reason = late
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        logger.exception("list %s of user %s could not be filled", lst.pk, lst.user_id)
        RecommendationList.objects.filter(
            pk=lst.pk, status=RecommendationList.Status.PENDING
        ).update(
            status=RecommendationList.Status.FAILED,
            degraded_reason=degraded(Degraded.LIST_FAILED, type(exc).__name__)[:DEGRADED_MAX],
        )
        lst.refresh_from_db()
        return lst
    result, inp = run.result, run.inp
    items = _checked(result, inp, k, lst.pk)
    filled = sum(1 for it in items if it.engine == "grounded") if result.engine != "grounded" else 0
    note = (
        degraded(
            Degraded.PARTIAL_RANKING,
            f"the model ranked {len(items) - filled} of {len(items)}, the recommender the rest",
        )
        if filled
        else ""
    )
    reasons = degraded_join(
        load_problem, result.degraded_reason, chat.degraded_reason, run.pool.degraded_reason, note
    )
    return _list_store(
        lst,
        items=items,
        inp=inp,
        result=result,
        reasons=reasons,
        variant="verbalizer" if result.stats.get("method") == "verbalizer" else variant,
        chat=chat,
        pool=run.pool,
        language=language,
    )


@dataclass
class _Run:
    pool: _Pool | None = None
    inp: RerankInput | None = None
    result: RerankResult | None = None


def _rank(run: _Run, lst, backend, chat: _Chat, *, k, language, variant, method) -> None:
    """Chat reply (for a chat message), candidates, re-rank; each step kept in `run` so a
    timeout can finish from where it stopped."""
    if chat.message is not None and not chat.reply:
        _chat_reply(chat, backend, lst.user, language)
    if run.pool is None:
        run.pool = _candidate_pool(lst, k=k, taste_text=chat.request)
    if run.inp is None:
        run.inp = _rerank_input(lst, run.pool, chat, k=k, language=language)
    extra = {"reasons": conf.verbalizer_reasons()} if method == "verbalizer" else {}
    run.result = pipeline.rerank(backend, run.inp, variant=variant, method=method, **extra)


def _chat_reply(chat: _Chat, backend: LLMBackend, user, language: str) -> None:
    persona = selectors.current_persona(user=user)
    answer = pipeline.chat_reply(
        backend,
        profile=_profile(user, language),
        persona_summary=persona.summary if persona else "",
        text=chat.message.content,
        chat_summary=chat.summary,
        chat_turns=chat.turns,
    )
    chat.reply = answer.reply
    chat.request = answer.request or chat.message.content
    if answer.degraded_reason:
        chat.degraded_reason = degraded(Degraded.CHAT_REPLY_FAILED, answer.degraded_reason)


def _model_version_id() -> int | None:
    try:
        from recommendations.services import active_recommender
    except ImportError:
        return None
    version_id, _recommender = active_recommender()
    return version_id


def _list_store(lst, *, items, inp, result, reasons, variant, chat, pool, language):
    from recommendations.models import RecommendationItem, RecommendationList

    by_id = {c.movie_id: c for c in inp.candidates}
    uses_model = any(c.engine not in ("popularity", TASTE_ENGINE) for c in inp.candidates)
    version_id = _model_version_id() if uses_model else None
    with transaction.atomic():
        locked = RecommendationList.objects.select_for_update().get(pk=lst.pk)
        if locked.status == RecommendationList.Status.READY:
            return locked  # another delivery of the same task finished first
        RecommendationItem.objects.bulk_create(
            [
                RecommendationItem(
                    recommendation_list=locked,
                    movie_id=item.movie_id,
                    rank=rank,
                    score=by_id[item.movie_id].score,
                    engine=by_id[item.movie_id].engine[:40],
                    fit_score=item.fit_score,
                    reason=item.reason,
                    because_movie_ids=list(by_id[item.movie_id].because_movie_ids),
                )
                for rank, item in enumerate(items, start=1)
            ]
        )
        locked.status = RecommendationList.Status.READY
        locked.engine = result.engine[:40]
        locked.dropped = result.dropped
        locked.prompt_variant = (variant if result.engine != "grounded" else "")[:20]
        locked.degraded_reason = degraded_join(reasons, limit=DEGRADED_MAX)
        locked.model_version_id = version_id
        locked.save()
        if chat.message is not None:
            titles = {c.movie_id: c.title for c in inp.candidates}
            ChatMessage.objects.create(
                user=locked.user,
                role=ChatMessage.Role.ASSISTANT,
                content=_chat_answer(chat, items, titles, language, pool.taste_ids),
            )
            if chat.summary_changed:
                ChatSummary.objects.update_or_create(
                    user=locked.user,
                    defaults={"text": chat.summary, "through_message": chat.through},
                )
    if reasons:  # in full: the row keeps a bounded copy
        logger.warning(
            "list %s of user %s degraded (engine %s, dropped %d): %s",
            locked.pk,
            locked.user_id,
            locked.engine,
            locked.dropped,
            reasons,
        )
    return locked


# -- the shell -----------------------------------------------------------------------------------
def recommend_now(
    *,
    user,
    k: int = DEFAULT_K,
    backend_name: str | None = None,
    variant: str | None = None,
    method: str | None = None,
):
    """Run the whole pipeline for `user` in this process, no worker involved (`recommend_for`):
    a new persona, then a new list. Returns (persona, list)."""
    from recommendations.models import RecommendationList

    backend = None
    if backend_name:
        choice = conf.llm_backend(backend_name)
        if choice.degraded_reason:  # asked for by name in a shell: fail loudly, not silently
            raise RuntimeError(choice.degraded_reason)
        backend = choice.backend
    persona = Persona.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        language=_language(user),
        user_correction=selectors.latest_correction(user=user),
    )
    persona = persona_generate(persona_id=persona.pk, backend=backend, variant=variant)
    # The list row is written here rather than through recommendation_list_request, whose task
    # would run on a worker: the shell fills it itself, with the chosen backend.
    lst = RecommendationList.objects.create(
        user=user, request_key=uuid.uuid4().hex, language=_language(user), k=k
    )
    lst = recommendation_list_fill(
        list_id=lst.pk, k=k, backend=backend, variant=variant, method=method
    )
    return persona, lst


__all__ = [
    "CHAT_MAX",
    "CORRECTION_MAX",
    "chat_post",
    "persona_correct",
    "persona_generate",
    "persona_request",
    "recommend_now",
    "recommendation_list_fill",
]
