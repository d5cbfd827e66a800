"""The "still preparing" notice: on every page while the first recommender and the taste-text
index are not there (in English and Korean, with the index's progress), gone once both are, and
its poll endpoint empty from then on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from llecommend_site import readiness
from llm_worker import embeddings
from llm_worker import embeddings_status as status
from llm_worker.embeddings_index import EmbeddingIndex
from llm_worker.tests.fake_encoder import HashingEncoder
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db

PREPARING_EN = "Still preparing — popular movies for now."
PREPARING_KO = "아직 준비 중이에요. 지금은 인기 영화를 보여 드려요."


@pytest.fixture
def index_root(settings, tmp_path):
    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
    settings.EMBEDDING_MODEL = "test:hashing-64"
    return tmp_path / "artifacts" / embeddings.SUBFOLDER


def train():
    ModelVersion.objects.create(
        kind="ease", status=ModelVersion.Status.READY, is_active=True, artifact_path="ease.npz"
    )


def build_index(root):
    index = EmbeddingIndex.build([1, 2], ["a heist", "a musical"], encoder=HashingEncoder())
    index.save(root / index.fingerprint)


def page(client, language="en"):
    return client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=language).text


def test_a_fresh_install_says_it_is_preparing_in_english_and_korean(client, index_root):
    html = page(client)
    assert PREPARING_EN in html
    assert "Personal picks come once the recommender is trained." in html
    assert "The movie descriptions are not indexed yet." in html

    html = page(client, "ko")
    assert PREPARING_KO in html
    assert "추천 모델 학습이 끝나면 맞춤 추천을 보여 드려요." in html
    assert "영화 설명 색인이 아직 만들어지지 않았어요." in html


def test_the_notice_shows_how_far_the_index_build_got(client, index_root):
    train()
    # The builder holds the lock (another open file stands in for its process).
    with status.build_lock(index_root, wait=True):
        status.write_progress(index_root, done=2435, total=9742, model="test:hashing-64")
        html, html_ko = page(client), page(client, "ko")

    assert "Still preparing the search by description — recommendations already work." in html
    assert PREPARING_EN not in html  # the lists are the recommender's already
    assert "Movie descriptions indexed: 24%." in html
    assert "영화 설명 색인: 24% 완료." in html_ko


def test_the_notice_is_gone_once_both_are_ready_and_the_poll_empties(client, index_root):
    assert 'id="preparing-notice"' in page(client)
    assert PREPARING_EN in client.get(reverse("preparing_notice"), HTTP_ACCEPT_LANGUAGE="en").text

    train()
    build_index(index_root)

    assert 'id="preparing-notice"' not in page(client)
    poll = client.get(reverse("preparing_notice"))
    assert poll.status_code == 200
    assert poll.text.strip() == ""


def test_the_notice_polls_so_it_leaves_without_a_reload(client, index_root):
    html = page(client)

    assert f'hx-get="{reverse("preparing_notice")}"' in html
    assert f'hx-trigger="every {readiness.POLL_S}s"' in html


def test_an_index_alone_is_not_enough(client, index_root):
    build_index(index_root)

    assert PREPARING_EN in page(client)
    assert "not indexed" not in page(client)


def test_a_ready_site_reads_nothing_more_per_page(index_root, django_assert_num_queries):
    train()
    build_index(index_root)
    assert readiness.setup_status().ready

    with django_assert_num_queries(0):
        assert readiness.setup_status().ready
