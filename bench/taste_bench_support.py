"""Set-up and instruments of bench/taste_bench.py: the database, model and index it runs on, the
users, catalogue facts, and the timing of the list fill's steps (see taste_bench's docstring)."""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "out" / "taste_bench"
K = 10


def django_setup(data: Path, text_index: str) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="llecommend_site.settings",
        DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
        ARTIFACTS_DIR=str(WORK / "artifacts"),
        LLECOMMEND_DATA_DIR=str(data),
        LLM_BACKEND="grounded",
        CELERY_BROKER_URL="",  # tasks run eagerly in this process, as on a laptop
        LLM_RATE_LIMIT="off",
        LOG_LEVEL="ERROR",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        DEBUG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    call_command("load_demo", "--no-progress", verbosity=0)
    print(f"catalogue ready ({time.perf_counter() - t0:.0f} s)")
    from recommendations import candidates, services
    from recommendations.models import ModelVersion

    if not ModelVersion.objects.filter(is_active=True, kind="ease").exists():
        t0 = time.perf_counter()
        version = ModelVersion.objects.create(kind="ease", params={"activate": True})
        services.model_version_train(version_id=version.pk)
        print(f"EASE trained and activated ({time.perf_counter() - t0:.0f} s)")
    candidates.active_recommender_forget()
    if text_index == "build":
        from llm_worker.embeddings import embedding_index_build

        t0 = time.perf_counter()
        embedding_index_build()
        print(f"taste-text index ready ({time.perf_counter() - t0:.0f} s)")
    else:
        import llm_worker.embeddings as emb

        def not_ready(**_kw):
            raise emb.IndexNotReady("taste_bench --text-index skip: no taste-text index")

        emb.taste_candidates = not_ready  # what a request meets while the index is building


# -- catalogue facts and users -----------------------------------------------------------------
def catalogue_facts() -> dict:
    from taste_requests import MovieFacts

    from movies.models import Credit, Movie

    rows = Movie.objects.filter(hidden=False).values_list(
        "pk", "year", "runtime", "original_language"
    )
    facts = {pk: MovieFacts(year, runtime, language or "") for pk, year, runtime, language in rows}
    for m, g in Movie.genres.through.objects.values_list("movie_id", "genre__name"):
        if m in facts:
            facts[m].genres.add(g)
    for m, w in Movie.keywords.through.objects.values_list("movie_id", "keyword__name"):
        if m in facts:
            facts[m].keywords.add(w)
    for m, name, role in Credit.objects.values_list("movie_id", "person__name", "role"):
        if m in facts:
            (facts[m].directors if role == Credit.Role.DIRECTOR else facts[m].cast).add(name)
    return facts


def seed_id(title: str, year: int) -> int | None:
    from movies.lexicon import normalize_text, title_names
    from movies.models import Movie

    for pk, t in Movie.objects.filter(year=year, hidden=False).values_list("pk", "title"):
        if normalize_text(title_names(t)[0]) == normalize_text(title):
            return pk
    return None


def bench_users(n: int, foldin: int) -> list:
    """`n` ml-latest-small users spread over the range of history sizes (20-1,000 ratings),
    then `foldin` site users with 10 picks each: a further dataset user's 10 best-rated movies."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from movies.models import Rating

    pool = list(
        User.objects.filter(dataset="ml-latest-small")
        .annotate(n=Count("ratings"))
        .filter(n__gte=20, n__lte=1000)
        .order_by("n", "pk")
    )
    step = len(pool) / (n + foldin)
    chosen = [pool[int(i * step + step / 2)] for i in range(n + foldin)]
    users = chosen[:n]
    for i, donor in enumerate(chosen[n:]):
        user, created = User.objects.get_or_create(
            username=f"taste-bench-foldin-{i}",
            defaults={"age": 30, "gender": "F", "language": "en"},
        )
        if created:
            best = Rating.objects.filter(user=donor).order_by("-rating", "-timestamp", "movie_id")
            Rating.objects.bulk_create(
                Rating(
                    user=user,
                    movie_id=m,
                    rating=None,
                    timestamp=timezone.now(),
                    source=Rating.Source.PICK,
                )
                for m in best.values_list("movie_id", flat=True)[:10]
            )
        users.append(user)
    return users


def fresh_conversation(user) -> None:
    """No earlier turn, list or summary: the request is read as the conversation's first."""
    from llm_worker.models import ChatMessage, ChatSummary
    from recommendations.models import RecommendationList

    RecommendationList.objects.filter(user=user).delete()
    ChatSummary.objects.filter(user=user).delete()
    ChatMessage.objects.filter(user=user).delete()


def watched(user) -> set[int]:
    from movies.models import Rating

    return set(Rating.objects.filter(user=user).values_list("movie_id", flat=True))


# -- timing of the fill's steps ------------------------------------------------------------------
class Steps:
    """Wall time of each wrapped function within one turn; the last result of each kept."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.last: dict[str, object] = {}

    def wrap(self, module, name: str, label: str) -> None:
        fn = getattr(module, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                self.last[label] = result = fn(*args, **kwargs)
                return result
            finally:
                self.times[label] = self.times.get(label, 0.0) + time.perf_counter() - t0

        setattr(module, name, timed)

    def start(self) -> None:
        self.times, self.last = {}, {}


def instrument() -> Steps:
    from llm_worker import pipeline
    from recommendations import list_flow, retrieval

    steps = Steps()
    for module, name, label in (
        (list_flow, "recommendation_list_fill", "fill"),
        (list_flow, "chat_memory", "memory"),
        (list_flow, "chat_reply_fill", "reply"),
        (list_flow, "understanding_for", "understanding"),
        (list_flow, "retrieve", "retrieval"),
        (retrieval, "_matching_ids", "  filter"),
        (retrieval, "_Scorer", "  score"),
        (retrieval, "_mood", "  mood"),
        (retrieval, "_evidence", "  evidence"),
        (list_flow, "_rerank_input", "briefs"),
        (pipeline, "rerank", "re-rank"),
        (list_flow, "_list_store", "store"),
    ):
        steps.wrap(module, name, label)
    return steps


def chat_turn(user, text: str, steps: Steps) -> dict:
    from recommendations.chat import chat_post

    steps.start()
    t0 = time.perf_counter()
    _message, lst = chat_post(user=user, text=text)
    wall = time.perf_counter() - t0
    lst.refresh_from_db()
    got = steps.last.get("retrieval")
    return {
        "ids": list(lst.items.order_by("rank").values_list("movie_id", flat=True)[:K]),
        "status": lst.status,
        "engine": lst.engine,
        "degraded": lst.degraded_reason,
        "matching": getattr(got, "matching", None),
        "relaxed": list(getattr(got, "relaxed", ())),
        "chat_post_s": wall,
        "steps": dict(steps.times),
    }


def pct(values, q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")
