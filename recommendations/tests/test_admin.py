"""The recommender admin for a Korean curator: model versions' parameters and metrics as
lists with rounded numbers, lists named by user and time, items read-only as shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from llecommend_site.display import local_minute
from movies.tests.factories import MovieFactory
from recommendations.models import ModelVersion, RecommendationItem, RecommendationList

pytestmark = pytest.mark.django_db


def test_a_model_versions_params_and_metrics_read_as_lists(curator_client):
    version = ModelVersion.objects.create(
        kind="hybrid",
        status=ModelVersion.Status.READY,
        params={"seed": 7, "options": {"epochs": 15, "learning_rate": 0.0500000001}},
        metrics={"valid_ndcg@10": 0.123456789, "train_s": 12.34},
        train_seconds=12.3456,
    )

    html = curator_client.get(
        reverse("admin:recommendations_modelversion_change", args=[version.pk])
    ).content.decode()

    assert "<li><strong>valid_ndcg@10</strong>: 0.1235</li>" in html
    assert "<li><strong>learning_rate</strong>: 0.05</li>" in html
    assert "<li><strong>seed</strong>: 7</li>" in html
    assert "12.3" in html
    assert "12.3456" not in html
    assert 'name="params"' not in html
    assert "&quot;valid_ndcg@10&quot;" not in html
    for label in ("파라미터", "지표", "학습 시간(초)", "모델 버전"):
        assert label in html


def test_a_list_is_named_by_user_and_time_and_its_items_are_read_only(curator_client):
    heat = MovieFactory(title="Heat", year=1995)
    ronin = MovieFactory(title="Ronin", year=1998)
    rec_list = RecommendationList.objects.create(
        user=UserFactory(username="minji"),
        request_key="r1",
        status=RecommendationList.Status.READY,
        engine="grounded",
    )
    RecommendationItem.objects.create(
        recommendation_list=rec_list,
        movie=ronin,
        rank=1,
        score=0.823456123,
        engine="hybrid",
        because_movie_ids=[heat.pk],
    )

    html = curator_client.get(
        reverse("admin:recommendations_recommendationlist_change", args=[rec_list.pk])
    ).content.decode()

    assert f"minji님의 추천 목록, {local_minute(rec_list.created_at)} (grounded)" in html
    assert "0.823" in html
    assert "0.823456123" not in html
    heat_url = reverse("admin:movies_movie_change", args=[heat.pk])
    assert f'<a href="{heat_url}">Heat (1995)</a>' in html
    assert 'name="items-0-score"' not in html
    assert "1. Ronin (1998)" in html
    assert "추천 항목" in html
