"""A session that ended must not swap the login page into a search box or a card: htmx
requests get `HX-Redirect` to the login page, plain requests the usual redirect."""

from __future__ import annotations

import pytest
from django.urls import reverse

LOGIN = reverse("accounts:login")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", reverse("movies:search") + "?q=star"),
        ("get", reverse("recommendations:list_poll", args=[1])),
        ("post", reverse("recommendations:item_feedback", args=[1])),
    ],
)
def test_an_anonymous_htmx_request_is_sent_to_login_by_hx_redirect(client, method, url):
    response = getattr(client, method)(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith(f"{LOGIN}?next=")
    assert b"<form" not in response.content  # nothing for htmx to swap in


@pytest.mark.django_db
def test_a_plain_anonymous_request_is_redirected_as_usual(client):
    response = client.get(reverse("movies:search") + "?q=star")
    assert response.status_code == 302
    assert response.url.startswith(f"{LOGIN}?next=")
    assert "HX-Redirect" not in response.headers


@pytest.mark.django_db
def test_other_htmx_redirects_are_left_alone(client):
    # A redirect somewhere other than the login page keeps its meaning.
    response = client.post(
        reverse("set_language"), {"language": "ko", "next": "/"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 302
    assert "HX-Redirect" not in response.headers
