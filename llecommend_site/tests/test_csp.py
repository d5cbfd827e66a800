"""The Content-Security-Policy: scripts from this site only, images from this site and TMDb's
poster host only; and the templates need nothing more (no inline script or event handler)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["recommendations:home", "accounts:login", "accounts:signup"])
def test_every_page_sends_the_policy(client, url):
    policy = _policy(client.get(reverse(url)))
    assert policy["img-src"] == ["'self'", "https://image.tmdb.org"]
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_htmx_partials_and_errors_send_it_too(client):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    response = client.get(reverse("movies:search"), HTTP_HX_REQUEST="true")
    assert _policy(response)["script-src"] == ["'self'"]


def test_the_templates_have_no_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # Django's {# #} comments end at the line's end: an unclosed one is sent as text.
        offenders += [
            f"{path.name}: {line}"
            for line in text.splitlines()
            if "{#" in line and "#}" not in line
        ]
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {h}" for h in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: {h}" for h in re.findall(r"javascript:|hx-on", text)]
    assert offenders == []


def test_htmx_is_told_not_to_inject_its_indicator_style():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css
