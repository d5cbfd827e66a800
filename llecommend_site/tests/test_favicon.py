"""Browsers ask for /favicon.ico on every page; it used to be a 404 on each of them."""

from __future__ import annotations

import io

import pytest
from django.templatetags.static import static
from django.test import Client, override_settings
from PIL import Image


@pytest.mark.django_db
@override_settings(WHITENOISE_USE_FINDERS=True)  # serve static/ without collectstatic
def test_favicon_ico_is_a_real_icon():
    # A new client: WhiteNoise reads its settings when the middleware is built.
    response = Client().get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content)
    icon = Image.open(io.BytesIO(body))
    assert icon.format == "ICO"
    assert (32, 32) in icon.info["sizes"]


@pytest.mark.django_db
def test_every_page_links_its_icons(client):
    html = client.get("/accounts/login/").content.decode()

    assert f'rel="icon" href="{static("favicon.ico")}"' in html
    assert f'href="{static("favicon.svg")}" type="image/svg+xml"' in html
