"""kill -9 a real Celery worker in the middle of a real task; the task completes on the next
worker and exactly one list (with its items, no duplicates) exists.

The task is the production `recommendations.tasks.recommendation_list_fill` on the `llm` queue,
with the openai backend pointed at a fake LLM server in this process that holds the first
request open: the worker is then provably mid-task when it is killed. What makes it survive:
`acks_late` (the message is acknowledged only when the task returns), `reject_on_worker_lost`
(a dead pool process puts its message back at once), Redis' visibility timeout (a message
whose whole worker vanished is handed out again; shortened here with
CELERY_VISIBILITY_TIMEOUT), and the idempotent task (a ready list is never written twice).

Needs PostgreSQL (the worker process must see the test's committed rows) and Redis: skipped
with the reason otherwise, a failure with CI=true.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
from celery import Celery
from django.conf import settings

from accounts.tests.factories import UserFactory
from llm_worker.tests.fake_openai import FakeOpenAI
from movies.tests.factories import GenreFactory, MovieFactory, RatingFactory
from recommendations.models import RecommendationItem, RecommendationList

ROOT = Path(__file__).resolve().parents[2]
K = 10
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        reason = "the kill -9 test needs PostgreSQL (a worker process must see the test rows)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _rerank_answer(body: dict) -> str:
    """A well-behaved model: the first K candidate labels, each with an English reason."""
    final = [
        {"label": f"C{i:02d}", "fit": 10 - i // 2, "reason": f"A strong match, number {i}."}
        for i in range(1, K + 1)
    ]
    return json.dumps({"final": final})


class Worker:
    """`celery -A llecommend_site worker -Q llm --concurrency 1` as a child process group."""

    def __init__(self, name: str, env: dict, log: Path):
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "llecommend_site",
                "worker",
                "-Q",
                "llm",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool too
        )

    def pool_pids(self) -> list[int]:
        return [c.pid for c in psutil.Process(self.process.pid).children(recursive=True)]

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def worker_env(postgres_url, redis_url, tmp_path):
    def build(stub_url: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
        env.update(
            DJANGO_SETTINGS_MODULE="llecommend_site.settings_test",
            DATABASE_URL=postgres_url,
            CONN_MAX_AGE="0",
            CELERY_BROKER_URL=redis_url,
            CELERY_VISIBILITY_TIMEOUT="2",
            LLM_BACKEND="openai",
            LLM_BASE_URL=stub_url,
            LLM_MODEL="stub",
            LLM_TIMEOUT_S="60",
            ARTIFACTS_DIR=str(tmp_path / "artifacts"),
        )
        return env

    return build


@pytest.fixture
def pending_list():
    """A user with three picks, 40 unwatched movies, and one pending list."""
    drama = GenreFactory(name="Drama")
    user = UserFactory(language="en")
    movies = [MovieFactory(title=f"Film {i}", num_ratings=100 - i) for i in range(43)]
    for movie in movies:
        movie.genres.add(drama)
    for movie in movies[:3]:
        RatingFactory(user=user, movie=movie)
    return RecommendationList.objects.create(user=user, request_key=uuid.uuid4().hex, k=K)


def _enqueue(redis_url: str, list_id: int) -> None:
    # Not the current app: shared tasks in this process must keep using the project app.
    producer = Celery("killtest-producer", broker=redis_url, set_as_current=False)
    producer.send_task(
        "recommendations.tasks.recommendation_list_fill", args=[list_id], queue="llm"
    )
    producer.close()


def _wait_ready(list_id: int, workers: list[Worker], timeout_s: float) -> RecommendationList:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = RecommendationList.objects.get(pk=list_id)
        if row.status != RecommendationList.Status.PENDING:
            return row
        time.sleep(0.3)
    logs = "\n".join(w.log.name + ":\n" + Path(w.log.name).read_text()[-3000:] for w in workers)
    pytest.fail(f"list {list_id} still pending after {timeout_s}s\n{logs}")


def _assert_one_complete_list(lst: RecommendationList, user) -> None:
    assert lst.status == RecommendationList.Status.READY
    assert lst.engine == "llm:openai"  # the model's order, not a fallback
    assert RecommendationList.objects.filter(user=user).count() == 1
    movie_ids = list(
        RecommendationItem.objects.filter(recommendation_list=lst).values_list(
            "movie_id", flat=True
        )
    )
    assert len(movie_ids) == K
    assert len(set(movie_ids)) == K  # no duplicates from the second delivery


def test_task_survives_kill9_of_the_whole_worker(pending_list, worker_env, redis_url, tmp_path):
    with FakeOpenAI(_rerank_answer) as stub:
        stub.hold.clear()  # the first request waits: the worker is mid-task
        stub.hold_s = 60
        env = worker_env(stub.base_url)
        first = Worker("first", env, tmp_path / "first.log")
        second = None
        try:
            _enqueue(redis_url, pending_list.pk)
            assert stub.started.wait(45), Path(first.log.name).read_text()[-3000:]
            first.kill9()
            stub.hold.set()  # later requests answer at once
            assert RecommendationList.objects.get(pk=pending_list.pk).status == "pending"
            time.sleep(2.5)  # past the (shortened) visibility timeout
            second = Worker("second", env, tmp_path / "second.log")
            lst = _wait_ready(pending_list.pk, [first, second], timeout_s=45)
        finally:
            first.stop()
            if second is not None:
                second.stop()
    _assert_one_complete_list(lst, pending_list.user)
    assert len(stub.requests) >= 2  # it really ran twice: killed once, completed once


def test_task_survives_kill9_of_the_pool_process(pending_list, worker_env, redis_url, tmp_path):
    # The OOM killer's usual victim: the pool process dies, the worker stays and requeues the
    # message at once (reject_on_worker_lost), its new pool process runs it.
    with FakeOpenAI(_rerank_answer) as stub:
        stub.hold.clear()
        stub.hold_s = 60
        env = {**worker_env(stub.base_url), "CELERY_VISIBILITY_TIMEOUT": "3600"}
        worker = Worker("pool", env, tmp_path / "pool.log")
        try:
            _enqueue(redis_url, pending_list.pk)
            assert stub.started.wait(45), Path(worker.log.name).read_text()[-3000:]
            children = worker.pool_pids()
            assert children, "the prefork pool has no process"
            for pid in children:
                os.kill(pid, signal.SIGKILL)
            stub.hold.set()
            lst = _wait_ready(pending_list.pk, [worker], timeout_s=45)
        finally:
            worker.stop()
    _assert_one_complete_list(lst, pending_list.user)
    assert len(stub.requests) >= 2
