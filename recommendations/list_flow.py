"""How a recommendation list is built, from the request to the stored cards.

    recommendation_list_request   pending row + task on commit (rate-limited: starts LLM work)
      → recommendation_list_fill  the task body, on the `llm` queue:
          understanding           the standing taste request (`understanding`: correction,
                                  chat turns, this turn read by the grounded or LLM parser)
          candidate pool          `retrieval.retrieve`: the whole catalogue filtered by the
                                  request, ranked by the personal score and the soft asks
          → re-rank               `llm_worker.pipeline.rerank` with the configured backend
          → stored items          one transaction with the status flip (and the chat answer);
                                  a grounded list stores the documented score-based fit

The fill is idempotent: a ready list is returned untouched, and a redelivered task never
duplicates anything. Nothing here raises for an LLM failure: the pipeline falls back to the
grounded backend and says why in `degraded_reason`, which the row keeps (bounded) and the log
keeps in full. Every stored item is a candidate: never watched, shown, dismissed or hidden.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from llecommend_site.tasking import enqueue_on_commit
from llm_worker import conf, pipeline, selectors
from llm_worker.backends import LLMBackend, get_backend
from llm_worker.chat import ChatContext, chat_memory, chat_reply_fill, chat_turn_store
from llm_worker.contracts import (
    CandidateBrief,
    Degraded,
    RankedItem,
    RerankInput,
    RerankResult,
    degraded,
    degraded_join,
)
from llm_worker.services import (
    DEGRADED_MAX,
    TRANSIENT_ERRORS,
    backend_choose,
    brief_in,
    keyword_stats,
    movie_briefs,
    user_language,
    user_profile,
    watched_briefs,
)
from llm_worker.taste import to_json
from movies.selectors import movies_by_ids

from .candidates import Candidate, active_recommender, excluded_movie_ids
from .models import RecommendationItem, RecommendationList
from .retrieval import Retrieved, retrieve
from .selectors import liked_movie_ids
from .understanding import Understanding, asks_for_something, understanding_for

logger = logging.getLogger(__name__)

DEFAULT_K = 10
CANDIDATE_FACTOR = 3  # the LLM chooses k out of about 3k candidates
TASTE_ENGINE = "taste-text"  # candidates brought in by the sentence-embedding search


@transaction.atomic
def recommendation_list_request(
    *, user, k: int = DEFAULT_K, novelty: float = 0.0, parent=None, chat_message=None
) -> RecommendationList:
    """A pending list with a fresh `request_key`; `recommendations.tasks.recommendation_list_fill`
    fills it once this transaction commits. Starts LLM work: rate-limited per user, except for a
    chat turn, which the chat's own limit already counted."""
    from llecommend_site.ratelimit import rate_limit_check

    from .tasks import recommendation_list_fill as task

    if chat_message is None:
        rate_limit_check(user=user, action="list")
    lst = RecommendationList.objects.create(
        user=user,
        request_key=uuid.uuid4().hex,
        novelty=novelty,
        k=k,
        language=user_language(user),
        parent=parent,
        chat_message=chat_message,
    )
    enqueue_on_commit(task, lst)
    return lst


# -- the candidate pool --------------------------------------------------------------------------
@dataclass
class _Pool:
    candidates: list[Candidate] = field(default_factory=list)
    retrieved: Retrieved = field(default_factory=Retrieved)
    understanding: Understanding = field(default_factory=Understanding)
    degraded_reason: str = ""


def _free_text(chat: ChatContext, understanding: Understanding) -> tuple[str, ...]:
    """The turn's words as a theme for the text search, when the parser linked nothing in them
    and found nothing wrong either ("something to cheer me up"): soft, never a constraint."""
    turn = understanding.turn
    if turn is None or not turn.request.is_empty:
        return ()
    if any(n.reason != "nothing_understood" for n in turn.not_understood):
        return ()
    return (chat.request or (chat.message.content if chat.message else ""),)


def _candidate_pool(lst: RecommendationList, *, k: int, chat: ChatContext, backend) -> _Pool:
    """Candidates that honour the standing request (`recommendations.retrieval`), none
    excluded or hidden."""
    understanding = understanding_for(lst=lst, backend=backend)
    request = understanding.request
    themes = _free_text(chat, understanding)
    if themes:
        request = replace(request, themes=request.themes + themes)
    # A list that answers an explicit ask may bring back what earlier lists showed; its own
    # pages never repeat one another.
    turn = understanding.turn
    asked = turn is not None and asks_for_something(turn.request)
    family = (lst.parent_id or lst.pk) if asked else None
    excluded = excluded_movie_ids(user=lst.user, shown_in=family)
    retrieved = retrieve(
        user=lst.user,
        request=request,
        k=k,
        pool_size=CANDIDATE_FACTOR * k,
        novelty=lst.novelty,
        prefer_genres=understanding.prefer_genres,
        blocked=excluded,
    )
    movies = movies_by_ids([c.movie_id for c in retrieved.candidates])
    retrieved.candidates = [
        c
        for c in retrieved.candidates
        if c.movie_id in movies and not movies[c.movie_id].hidden and c.movie_id not in excluded
    ]
    understanding.request = request
    return _Pool(
        candidates=retrieved.candidates,
        retrieved=retrieved,
        understanding=understanding,
        degraded_reason=degraded_join(understanding.degraded_reason, retrieved.degraded_reason),
    )


def _rerank_input(
    lst: RecommendationList, pool: _Pool, chat: ChatContext, *, k: int, language: str
) -> RerankInput:
    user = lst.user
    briefs = movie_briefs([c.movie_id for c in pool.candidates], language)
    got = pool.retrieved
    candidates = tuple(
        CandidateBrief(
            movie_id=c.movie_id,
            title=briefs[c.movie_id].title,
            year=briefs[c.movie_id].year,
            description=briefs[c.movie_id].description,
            facts=getattr(briefs[c.movie_id], "facts", None),
            score=float(c.score),
            engine=c.engine,
            near=got.near.get(c.movie_id, ()),
            because_movie_ids=tuple(c.because_movie_ids or ()),
            met=got.met.get(c.movie_id, ()),
        )
        for c in pool.candidates
        if c.movie_id in briefs
    )
    persona = selectors.current_persona(user=user)
    request = pool.understanding.request
    watched = watched_briefs(user, language, liked_ids=liked_movie_ids(user=user))
    return RerankInput(
        profile=user_profile(user, language),
        persona_summary=persona.summary if persona else "",
        watched=watched,
        candidates=candidates,
        k=k,
        chat_summary=chat.summary,
        chat_turns=chat.turns,
        taste_text=chat.message.content if chat.message else "",
        correction=selectors.latest_correction(user=user),
        request=None if request.is_empty else to_json(request),
        keyword_stats=keyword_stats([*watched, *(briefs[m] for m in briefs)]),
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


# -- the fill task's body ------------------------------------------------------------------------
@dataclass
class _Run:
    pool: _Pool | None = None
    inp: RerankInput | None = None
    result: RerankResult | None = None


def _rank(run: _Run, lst, backend, chat: ChatContext, *, k, language, variant, method) -> None:
    """Chat reply (for a chat message), candidates, re-rank; each step kept in `run` so a
    timeout can finish from where it stopped."""
    if chat.message is not None and not chat.reply:
        chat_reply_fill(chat, backend=backend, user=lst.user, language=language)
    if run.pool is None:
        run.pool = _candidate_pool(lst, k=k, chat=chat, backend=backend)
    if run.inp is None:
        run.inp = _rerank_input(lst, run.pool, chat, k=k, language=language)
    extra = {"reasons": conf.verbalizer_reasons()} if method == "verbalizer" else {}
    run.result = pipeline.rerank(backend, run.inp, variant=variant, method=method, **extra)


def recommendation_list_fill(
    *,
    list_id: int,
    k: int | None = None,
    backend: LLMBackend | None = None,
    variant: str | None = None,
    method: str | None = None,
) -> RecommendationList:
    """Fill a pending list: recommender candidates (+ taste-text hits for a chat message) →
    LLM re-rank → items. Idempotent (a ready list is returned untouched; items are written in
    one transaction with the status flip). On any LLM failure the recommender's order with
    grounded reasons, `degraded_reason` set. Every item is a candidate: never watched, shown,
    dismissed or hidden."""
    lst = RecommendationList.objects.select_related("user", "chat_message").get(pk=list_id)
    if lst.status == RecommendationList.Status.READY:
        return lst
    k = k or lst.k or DEFAULT_K
    language = lst.language if lst.language in ("ko", "en") else user_language(lst.user)
    variant = variant or conf.prompt_variant()
    method = method or conf.rerank_method()
    try:
        backend, load_problem = backend_choose(backend)
        chat = ChatContext()
        if lst.chat_message is not None:
            chat = chat_memory(user=lst.user, message=lst.chat_message, backend=backend)
        run = _Run()
        try:
            _rank(run, lst, backend, chat, k=k, language=language, variant=variant, method=method)
        except SoftTimeLimitExceeded:
            # Past the soft limit the list is finished without the model, well within the hard one.
            logger.warning("list %s of user %s: the model ran out of time", lst.pk, lst.user_id)
            late = degraded(Degraded.TIMEOUT, "the task passed its soft time limit")
            if run.inp is not None:
                run.result = pipeline.rerank_fallback(run.inp, degraded_reason=late)
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


def _fit(item: RankedItem, pool: _Pool) -> int:
    """The model's own fit when a language model ranked the item; otherwise the documented,
    score-based fit of `recommendations.engine.retrieval` (never the rank position)."""
    if item.engine != "grounded":
        return item.fit_score  # the model's judgement of the whole request: kept as it said
    return pool.retrieved.fit.get(item.movie_id, item.fit_score)


def _reasons_elsewhere(inp: RerankInput, items: list[RankedItem]) -> dict[int, dict[str, str]]:
    """movie id → {language: reason} in the site's other languages, written by the grounded
    backend from the same evidence, so the cards follow a language switch at once."""
    from django.conf import settings

    chosen_ids = [it.movie_id for it in items]
    by_id = {c.movie_id: c for c in inp.candidates}
    out: dict[int, dict[str, str]] = {m: {} for m in chosen_ids}
    for language, _name in settings.LANGUAGES:
        if language == inp.profile.language or not chosen_ids:
            continue
        # Told again from the facts the briefs carry: no second read of the catalogue.
        chosen = [brief_in(by_id[m], language) for m in chosen_ids if m in by_id]
        watched = tuple(brief_in(w, language) for w in inp.watched)
        other = replace(inp, profile=replace(inp.profile, language=language), watched=watched)
        for candidate, text in zip(chosen, pipeline.grounded_reasons(other, chosen), strict=True):
            out[candidate.movie_id][language] = text
    return out


def _list_store(lst, *, items, inp, result, reasons, variant, chat, pool, language):
    from .chat import chat_answer_text

    by_id = {c.movie_id: c for c in inp.candidates}
    uses_model = any(c.engine not in ("popularity", TASTE_ENGINE) for c in inp.candidates)
    version_id = active_recommender()[0] if uses_model else None
    elsewhere = _reasons_elsewhere(inp, items)
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
                    fit_score=_fit(item, pool),
                    reason=item.reason,
                    reason_translations=elsewhere.get(item.movie_id, {}),
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
            answer = chat_answer_text(chat, items, titles, language, pool=pool)
            chat_turn_store(chat, user=locked.user, answer=answer)
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
    from llm_worker.services import persona_now

    backend = None
    if backend_name:
        choice = conf.llm_backend(backend_name)
        if choice.degraded_reason:  # asked for by name in a shell: fail loudly, not silently
            raise RuntimeError(choice.degraded_reason)
        backend = choice.backend
    persona = persona_now(user=user, backend=backend, variant=variant)
    # The list row is written here rather than through recommendation_list_request, whose task
    # would run on a worker: the shell fills it itself, with the chosen backend.
    lst = RecommendationList.objects.create(
        user=user, request_key=uuid.uuid4().hex, language=user_language(user), k=k
    )
    lst = recommendation_list_fill(
        list_id=lst.pk, k=k, backend=backend, variant=variant, method=method
    )
    return persona, lst
