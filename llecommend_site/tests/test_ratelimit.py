"""The per-user limit on actions that start LLM work: the N+1th request in the window is
refused with a message in the user's language, through the real services and views."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from accounts.tests.factories import UserFactory
from llecommend_site import ratelimit
from llecommend_site.ratelimit import Rate, RateLimited, rate_limit_check, rate_parse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.LLM_RATE_LIMIT = "3/h"
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/h", Rate(20, 3600)),
        ("5/m", Rate(5, 60)),
        ("10/5m", Rate(10, 300)),
        (" 100 / d ", Rate(100, 86400)),
        ("off", None),
        ("", None),
    ],
)
def test_rate_parse(text, rate):
    assert rate_parse(text) == rate


@pytest.mark.parametrize("text", ["20", "20/week", "many/h", "-1/h"])
def test_rate_parse_rejects_nonsense(text):
    with pytest.raises(ImproperlyConfigured, match="LLM_RATE_LIMIT"):
        rate_parse(text)


def test_fourth_action_in_the_window_is_refused_in_korean():
    user = UserFactory(language="ko")
    for _ in range(3):
        rate_limit_check(user=user, action="persona")
    with pytest.raises(RateLimited) as caught:
        rate_limit_check(user=user, action="persona")
    assert "너무 많이" in caught.value.messages[0]
    assert caught.value.code == "rate_limited"
    assert 0 < caught.value.retry_after_s <= 3601


def test_message_follows_the_users_language():
    user = UserFactory(language="en")
    for _ in range(3):
        rate_limit_check(user=user, action="chat")
    with pytest.raises(RateLimited, match="try again in"):
        rate_limit_check(user=user, action="chat")


def test_users_and_actions_have_their_own_budgets():
    alice, bob = UserFactory(), UserFactory()
    for _ in range(3):
        rate_limit_check(user=alice, action="persona")
    rate_limit_check(user=bob, action="persona")
    rate_limit_check(user=alice, action="chat")
    with pytest.raises(RateLimited):
        rate_limit_check(user=alice, action="persona")


def test_a_new_window_allows_again(monkeypatch):
    user = UserFactory()
    now = 1_000_000 * 3600.0  # the start of a window
    monkeypatch.setattr(ratelimit.time, "time", lambda: now)
    for _ in range(3):
        rate_limit_check(user=user, action="persona")
    with pytest.raises(RateLimited):
        rate_limit_check(user=user, action="persona")
    monkeypatch.setattr(ratelimit.time, "time", lambda: now + 3600)
    rate_limit_check(user=user, action="persona")


def test_off_means_no_limit(settings):
    settings.LLM_RATE_LIMIT = "off"
    user = UserFactory()
    for _ in range(50):
        rate_limit_check(user=user, action="persona")
