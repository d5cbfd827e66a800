from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from llm_worker import conf
from llm_worker.tests.site_data import make_catalogue
from recommendations import list_flow
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


@pytest.mark.slow
@pytest.mark.django_db
def test_the_transformers_backend_from_settings_ranks_in_one_pass(tmp_path, settings):
    """The production path: settings → conf → transformers backend loaded from a local folder
    (a tiny random Llama: its words are noise, its logits still rank). Reasons come from the
    catalogue, so nothing is generated and the test stays quick."""
    from llm_worker.tests.tiny_llama import build_tiny_llama

    cat = make_catalogue()
    settings.LLM_BACKEND = "transformers"
    settings.LLM_MODEL = str(build_tiny_llama(tmp_path / "tiny"))
    settings.LLM_QUANTIZATION = "none"
    settings.LLM_RERANK_METHOD = "verbalizer"
    settings.LLM_VERBALIZER_REASONS = "grounded"
    conf.llm_backend_forget()
    try:
        lst = RecommendationList.objects.create(user=cat.user, request_key="tiny", k=4)
        lst = list_flow.recommendation_list_fill(list_id=lst.pk)
        backend = conf.llm_backend().backend
    finally:
        conf.llm_backend_forget()

    assert backend.name == "transformers"
    assert (lst.engine, lst.prompt_variant, lst.degraded_reason) == (
        "llm:transformers",
        "verbalizer",
        "",
    )
    ids = [it.movie_id for it in lst.items.order_by("rank")]
    assert len(ids) == 4
    assert set(ids) <= {m.pk for m in cat.all_unwatched}


@pytest.fixture(scope="module")
def ml100k(django_db_setup, django_db_blocker, data_dir):
    """ml-100k imported once for this module, removed afterwards (other tests start empty)."""
    from django.contrib.auth import get_user_model

    from movies.models import Credit, Genre, Keyword, Movie, Person, Rating, Tag

    def wipe():
        RecommendationList.objects.all().delete()
        for model in (Rating, Tag, Credit, Movie, Person, Keyword, Genre):
            model.objects.all().delete()
        get_user_model().objects.exclude(dataset="").delete()

    with django_db_blocker.unblock():
        wipe()
        call_command("import_movielens", str(data_dir / "ml-100k"), "--no-progress", stdout=None)
        try:
            yield
        finally:
            wipe()


@pytest.mark.dataset
@pytest.mark.django_db
def test_a_dataset_user_gets_a_persona_from_their_ratings_and_new_movies(ml100k, tmp_path):
    from movies.selectors import watched_movie_ids

    out = tmp_path / "user1.json"
    call_command(
        "recommend_for", "--user", "ml-100k:1", "--backend", "grounded", "--json", str(out)
    )

    data = json.loads(out.read_text(encoding="utf-8"))
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="ml-100k:1")
    watched = set(watched_movie_ids(user=user))
    assert len(watched) == 272  # user 1 of ml-100k rated 272 movies
    assert len(data["items"]) == 10
    assert not {i["movie_id"] for i in data["items"]} & watched
    cited = {m for r in data["persona"]["reasons"] for m in r["movie_ids"]}
    assert cited
    assert cited <= watched
