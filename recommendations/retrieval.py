"""Candidates that honour what the user asked for (a `TasteRequest`), from the whole catalogue.

- Hard constraints (genres, people, years, runtime, language, country, keywords, and every
  exclusion) select from every visible movie in the database the user has not watched, been
  shown or dismissed — not only from the recommender's top few thousand.
- The personal score ranks them: the recommender's score for this user (folded in from their
  movies when it was not trained on them), for any movie it knows; a movie it does not know
  ranks after those it does. It is blended with the soft part of the request: similarity to
  the seed movies ("like Arrival") in the recommender's own item space, text similarity to the
  mood and themes (the taste-text index, `llm_worker.embeddings`), and the persona
  correction's preferred genres (`engine.retrieval` holds the arithmetic).
- When fewer than k movies meet every constraint, the constraints are relaxed one kind at a
  time in RELAX_ORDER (exclusions never are) and the movies that meet everything come first;
  `Retrieved.relaxed` names what was dropped, for the page and the chat reply to say so.
- With nothing asked at all, the recommender's own top candidates are used unchanged.

Each candidate also gets its evidence: the constraints it meets (`MetConstraint`), the user's
movies nearest to it by the recommender's item similarity (`NearMovie`), and the documented
fit score (`engine.retrieval.fit_score`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from llm_worker.contracts import Degraded, MetConstraint, NearMovie, degraded
from llm_worker.taste import TasteRequest
from movies.describe import MovieFacts, movie_facts
from movies.models import Movie

from .candidates import (
    Candidate,
    active_recommender,
    candidates_for_user,
    excluded_movie_ids,
    user_taste,
)
from .engine import retrieval as R
from .engine.features import user_keys
from .engine.threads import one_blas_thread

logger = logging.getLogger(__name__)

# Kinds of ask dropped, in this order, when too few movies meet them all.
RELAX_ORDER = ("keyword", "runtime", "years", "person", "genre", "language", "country")
W_SEED, W_MOOD, W_PREFER = 1.5, 1.0, 0.5
MOOD_HITS = 300  # taste-text hits read for the mood/theme part
MOOD_POOL = 200  # the user's likeliest movies among which the mood re-ranks
LIKE_Z = 1.0  # "like X" counts as met from this many standard deviations of seed similarity up
_FIELDS = {
    "keyword": ("keywords_in",),
    "runtime": ("runtime_min", "runtime_max"),
    "years": ("year_min", "year_max"),
    "person": ("people_in",),
    "genre": ("genres_in",),
    "language": ("languages_in",),
    "country": ("countries_in",),
}


@dataclass
class Retrieved:
    candidates: list[Candidate] = field(default_factory=list)
    met: dict[int, tuple[MetConstraint, ...]] = field(default_factory=dict)
    near: dict[int, tuple[NearMovie, ...]] = field(default_factory=dict)
    fit: dict[int, int] = field(default_factory=dict)
    matching: int | None = None  # unseen movies meeting every ask; None: no hard ask
    relaxed: tuple[str, ...] = ()  # kinds dropped (RELAX_ORDER) to fill the page
    degraded_reason: str = ""


def asked_kinds(request: TasteRequest) -> list[str]:
    """The kinds of ask the request makes (exclusions aside), "like" for seed movies."""
    kinds = [
        k for k in RELAX_ORDER if any(getattr(request, f) not in ((), None) for f in _FIELDS[k])
    ]
    return kinds + (["like"] if request.seed_movie_ids else [])


def _without(request: TasteRequest, kinds) -> TasteRequest:
    from dataclasses import replace

    blank = {f: (() if f.endswith("_in") else None) for k in kinds for f in _FIELDS[k]}
    return replace(request, **blank)


def _matching_ids(request: TasteRequest, blocked: set[int]) -> list[int]:
    """Visible movies meeting every hard constraint of `request`, minus `blocked`."""
    qs = Movie.objects.filter(hidden=False)
    for g in request.genres_in:
        qs = qs.filter(genres__name=g)
    if request.genres_out:
        qs = qs.exclude(genres__name__in=request.genres_out)
    for p in request.people_in:
        role = {"credits__role": p.role} if p.role else {}
        qs = qs.filter(credits__person_id=p.person_id, **role)
    if request.people_out:
        qs = qs.exclude(credits__person_id__in=[p.person_id for p in request.people_out])
    if request.year_min is not None:
        qs = qs.filter(year__gte=request.year_min)
    if request.year_max is not None:
        qs = qs.filter(year__lte=request.year_max)
    for first, last in request.years_out:
        qs = qs.exclude(year__range=(first, last))
    if request.runtime_min is not None:
        qs = qs.filter(runtime__gte=request.runtime_min)
    if request.runtime_max is not None:
        qs = qs.filter(runtime__lte=request.runtime_max)
    if request.languages_in:
        qs = qs.filter(original_language__in=request.languages_in)
    if request.languages_out:
        qs = qs.exclude(original_language__in=request.languages_out)
    if request.keywords_in:
        qs = qs.filter(keywords__name__in=request.keywords_in)
    if request.keywords_out:
        qs = qs.exclude(keywords__name__in=request.keywords_out)
    if request.countries_in or request.countries_out:
        # A JSON list: SQLite cannot look inside it, so the countries are checked here.
        want, avoid = set(request.countries_in), set(request.countries_out)
        rows = qs.values_list("pk", "production_countries").distinct()
        ids = [
            pk
            for pk, cs in rows
            if (not want or want & set(cs or ())) and not avoid & set(cs or ())
        ]
    else:
        ids = list(qs.values_list("pk", flat=True).distinct())
    avoid_ids = set(request.avoid_movie_ids) | blocked
    return [m for m in dict.fromkeys(ids) if m not in avoid_ids]


class _Scorer:
    """The personal score of any movie for one user, and its percentile (see engine.retrieval)."""

    def __init__(self, user, novelty: float) -> None:
        self.taste = user_taste(user=user)
        self.recommender = active_recommender()[1]
        rec, own = self.recommender, set(self.taste.history)
        if rec is not None:
            with one_blas_thread():
                s, self.engine = rec.scores(
                    user_id=user.pk,
                    history_ids=self.taste.history,
                    keys=user_keys(self.taste.info),
                    dismissed_ids=self.taste.dismissed,
                    novelty=novelty,
                )
            self._scores = dict(zip(rec.item_map.ids.tolist(), s.tolist(), strict=True))
            self._scores.update(  # movies placed from their features (cold_items)
                rec.cold_scores(s, history_ids=own, dismissed_ids=self.taste.dismissed)
            )
        else:
            self.engine = "popularity"
            rows = Movie.objects.filter(hidden=False).values_list("pk", "num_ratings")
            self._scores = {pk: float(n) for pk, n in rows}
        self.reference = np.asarray([v for m, v in self._scores.items() if m not in own])
        self.floor = float(self.reference.min()) - 1.0 if self.reference.size else 0.0

    def score(self, ids) -> np.ndarray:
        return np.asarray([self._scores.get(m, self.floor) for m in ids], dtype=np.float64)


def _mood(request: TasteRequest, blocked: set[int]) -> tuple[dict[int, float], str]:
    text = " ".join((*request.mood, *request.themes)).strip()
    if not text:
        return {}, ""
    try:
        from llm_worker.embeddings import taste_candidates

        hits = taste_candidates(text=text, k=MOOD_HITS, exclude_movie_ids=frozenset(blocked))
    except Exception as exc:  # the index may not be built: the list comes, and says so
        logger.warning("taste-text search failed (%s: %s); mood not used", type(exc).__name__, exc)
        return {}, degraded(Degraded.TASTE_SEARCH_UNAVAILABLE, f"{type(exc).__name__}: {exc}")
    top = max((s for _m, s in hits), default=0.0)
    return ({m: s / top for m, s in hits} if top > 0 else {}), ""


def retrieve(
    *,
    user,
    request: TasteRequest,
    k: int,
    pool_size: int,
    novelty: float = 0.0,
    prefer_genres: tuple[str, ...] = (),
    blocked: set[int] | None = None,
) -> Retrieved:
    """Up to `pool_size` candidates for `user` that honour `request`, best first (see the
    module docstring); never a hidden movie nor one in `blocked` (default: every watched,
    shown or dismissed movie, `candidates.excluded_movie_ids`)."""
    blocked = excluded_movie_ids(user=user) if blocked is None else blocked
    scorer = _Scorer(user, novelty)
    out = Retrieved()
    if request.is_empty and not prefer_genres:
        out.candidates = candidates_for_user(
            user=user, k=pool_size, novelty=novelty, exclude_movie_ids=blocked
        )
        _evidence(out, scorer, request, seed_z={})
        return out
    kinds = asked_kinds(request)
    hard = [k for k in kinds if k != "like"]
    mood, out.degraded_reason = _mood(request, blocked)
    ordered = [k for k in RELAX_ORDER if k in hard]
    levels = [tuple(ordered[:i]) for i in range(len(ordered) + 1)]
    taken: dict[int, float] = {}
    seed_z: dict[int, float] = {}
    strict_all: list[int] = []
    for dropped in levels:
        level = _without(request, dropped)
        ids = [m for m in _matching_ids(level, blocked) if m not in taken]
        if not dropped:
            out.matching = len(ids) if hard else None
            strict_all = _matching_ids(request, set()) if hard else []
        elif ids:
            out.relaxed = dropped
        seeds = list(request.seed_movie_ids) + (strict_all[:50] if dropped else [])
        blend, z = _blend(scorer, ids, seeds, mood, prefer_genres)
        seed_z.update(z)
        for i in np.argsort(-blend, kind="stable")[: pool_size - len(taken)]:
            taken[ids[i]] = float(blend[i])
        if len(taken) >= k or len(taken) >= pool_size:
            break
    scores = scorer.score(list(taken))
    out.candidates = [
        Candidate(m, float(s), scorer.engine, []) for m, s in zip(taken, scores, strict=True)
    ]
    _evidence(out, scorer, request, seed_z=seed_z)
    return out


def _blend(scorer, ids, seeds, mood, prefer) -> tuple[np.ndarray, dict[int, float]]:
    if not ids:
        return np.zeros(0), {}
    blend = R.zscore(scorer.score(ids))
    z = {}
    if seeds and scorer.recommender is not None:
        sim = R.zscore(R.seed_similarity(scorer.recommender, seeds, ids))
        blend = blend + W_SEED * sim
        z = dict(zip(ids, sim.tolist(), strict=True))
    if mood:
        # The mood re-ranks the MOOD_POOL movies the user is likeliest to enjoy; it does not
        # reach past them. Standardised over the whole catalogue, a few hundred text hits stood
        # 4-5 deviations out and put obscure films first ("something lighter now": Embassy,
        # B/W, Upstream Color above Back to the Future); added as a raw similarity it was lost.
        top = np.argsort(-blend, kind="stable")[:MOOD_POOL]
        boost = np.full(len(ids), -np.inf)
        boost[top] = W_MOOD * R.zscore(np.asarray([mood.get(ids[i], 0.0) for i in top]))
        blend = np.where(np.isfinite(boost), blend + boost, blend - 1e6)
    if prefer:
        liked = set(
            Movie.objects.filter(pk__in=ids, genres__name__in=prefer).values_list("pk", flat=True)
        )
        blend = blend + W_PREFER * np.asarray([m in liked for m in ids], dtype=np.float64)
    return blend, z


def _within(value: int | None, lo: int | None, hi: int | None) -> bool:
    """An asked bound (at least one side set) that a known value meets."""
    if value is None or (lo is None and hi is None):
        return False
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def met_constraints(facts: MovieFacts, request: TasteRequest, *, like: bool) -> list[MetConstraint]:
    """The request's asks that this movie meets, from its catalogue facts."""
    met = [MetConstraint("genre", g) for g in request.genres_in if g in facts.genres]
    met += [MetConstraint("not_genre", g) for g in request.genres_out if g not in facts.genres]
    for p in request.people_in:
        if p.role in ("", "director") and p.name in facts.directors:
            met.append(MetConstraint("director", p.name))
        elif p.role in ("", "cast") and p.name in facts.cast:
            met.append(MetConstraint("cast", p.name))
    for kind, value, lo, hi in (
        ("years", facts.year, request.year_min, request.year_max),
        ("runtime", facts.runtime, request.runtime_min, request.runtime_max),
    ):
        if _within(value, lo, hi):
            met.append(MetConstraint(kind, low=lo, high=hi))
    if facts.original_language in request.languages_in:
        met.append(MetConstraint("language", facts.original_language))
    met += [MetConstraint("country", c) for c in request.countries_in if c in facts.countries]
    met += [MetConstraint("keyword", w) for w in request.keywords_in if w in facts.keywords]
    if like and request.seed_movie_ids:
        met.append(MetConstraint("like", ""))
    return met


_KIND_OF = {"genre": "genre", "director": "person", "cast": "person", "years": "years",
            "runtime": "runtime", "language": "language", "country": "country",
            "keyword": "keyword", "like": "like"}  # fmt: skip


def _evidence(out: Retrieved, scorer: _Scorer, request: TasteRequest, *, seed_z) -> None:
    ids = [c.movie_id for c in out.candidates]
    history, liked = scorer.taste.history, scorer.taste.liked
    sims = R.item_similarity(scorer.recommender, ids, history)
    pct = R.percentile(scorer.score(ids), scorer.reference)
    kinds = asked_kinds(request)
    facts = movie_facts(movie_ids=ids) if kinds or request.genres_out else {}
    titles = {}
    near_ids = {m for row in sims for m, s in zip(history, row, strict=True) if np.isfinite(s)}
    if near_ids:
        titles = dict(Movie.objects.filter(pk__in=near_ids).values_list("pk", "title"))
    for i, m in enumerate(ids):
        near = R.nearest(sims[i], history, set(liked))
        out.near[m] = tuple(NearMovie(h, titles.get(h, ""), lk, s) for h, s, lk in near)
        met: list[MetConstraint] = []
        if m in facts:
            met = met_constraints(facts[m], request, like=seed_z.get(m, 0.0) >= LIKE_Z)
        out.met[m] = tuple(met)
        share = None
        if kinds:
            met_kinds = {_KIND_OF[c.kind] for c in met if c.kind in _KIND_OF}
            share = sum(1 for k in kinds if k in met_kinds) / len(kinds)
        out.fit[m] = R.fit_score(pct[i], share)
    out.candidates = [
        Candidate(c.movie_id, c.score, c.engine, [n.movie_id for n in out.near[c.movie_id]])
        for c in out.candidates
    ]
