"""The history page names the time zone of the times it shows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import RecommendationList
from recommendations.tests.test_views_home import login, ready_list

MADE_AT = dt.datetime(2026, 3, 1, 5, 3, tzinfo=dt.UTC)


def history_with_one_list(client, language: str) -> str:
    user = login(client, language=language)
    lst = ready_list(user, [])
    # created_at is set on insert (auto_now_add): move it afterwards.
    RecommendationList.objects.filter(pk=lst.pk).update(created_at=MADE_AT)
    return client.get(reverse("recommendations:history")).text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_lists_time_names_the_sites_time_zone(client, language):
    html = history_with_one_list(client, language)

    # The site's zone (Asia/Seoul): 05:03 UTC is 14:03 KST.
    assert '<time datetime="2026-03-01T05:03:00+00:00" title="Asia/Seoul">' in html
    assert "2026-03-01 14:03 KST</time>" in html


@pytest.mark.django_db
def test_a_lists_time_follows_the_active_time_zone(client):
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        html = history_with_one_list(client, "en")

    assert "2026-03-01 05:03 UTC</time>" in html
