from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from llm_worker import conf
from llm_worker.tests.site_data import make_catalogue
from recommendations.models import RecommendationList


@pytest.mark.django_db
def test_the_json_has_exactly_the_documented_keys(tmp_path, capsys):
    cat = make_catalogue()
    out = tmp_path / "result.json"

    call_command(
        "recommend_for",
        "--user",
        cat.user.username,
        "--backend",
        "grounded",
        "--k",
        "5",
        "--prompt-variant",
        "original",
        "--json",
        str(out),
    )

    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"persona", "engine", "dropped", "items"}
    assert (data["engine"], data["dropped"]) == ("grounded", 0)
    assert len(data["items"]) == 5
    unwatched = {m.pk: m.title for m in cat.all_unwatched}
    for item in data["items"]:
        assert set(item) == {"movie_id", "title", "score", "reason", "engine"}
        assert unwatched[item["movie_id"]] == item["title"]
        assert 1 <= item["score"] <= 10
        assert item["reason"]
    assert data["persona"]["summary"]
    printed = capsys.readouterr().out
    assert data["persona"]["summary"] in printed
    assert data["items"][0]["title"] in printed
    # The run is stored like the site's own lists.
    assert RecommendationList.objects.get(user=cat.user).items.count() == 5


@pytest.mark.django_db
def test_an_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("recommend_for", "--user", "nobody")


@pytest.mark.django_db
def test_a_backend_that_cannot_load_is_a_clear_error(monkeypatch):
    cat = make_catalogue()

    real = conf.get_backend

    def missing_weights(name, **options):
        if name == "grounded":
            return real(name)
        raise OSError(f"no weights at {options['model']}")

    # Loading real weights takes torch's import time; the failure path is what is tested here.
    monkeypatch.setattr(conf, "get_backend", missing_weights)
    conf.llm_backend_forget()
    try:
        with pytest.raises(CommandError, match="transformers unavailable: OSError: no weights"):
            call_command("recommend_for", "--user", cat.user.username, "--backend", "transformers")
    finally:
        conf.llm_backend_forget()
    assert not RecommendationList.objects.exists()
