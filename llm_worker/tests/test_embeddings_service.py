"""taste_candidates and the stored index: one build per catalogue version, rebuilds when a
description changes, hidden and excluded movies never returned, titles in the text blended in,
bad text refused. A hashing encoder stands in for the model (the real one: slow test below)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from llm_worker import embeddings
from movies.tests.factories import GenreFactory, MovieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(request):
    thriller, animation = GenreFactory(name="Thriller"), GenreFactory(name="Animation")
    movies = {
        "killer": MovieFactory(
            title="Night Hunter", overview="A detective hunts a serial killer in the rain."
        ),
        "dreams": MovieFactory(
            title="Inception", overview="A thief steals secrets from dreams inside dreams.",
            num_ratings=50,
        ),
        "snow": MovieFactory(
            title="Snow Song", overview="An animated musical about a singing snowman."
        ),
        "heist": MovieFactory(
            title="The Vault", overview="A crew of thieves plans a heist of secrets and dreams."
        ),
        "seoul": MovieFactory(
            title="Rain Street", overview="A quiet detective story.", original_language="ko"
        ),
    }  # fmt: skip
    movies["killer"].genres.add(thriller)
    movies["seoul"].genres.add(thriller)
    movies["snow"].genres.add(animation)
    # Built ahead, as bin/dev, the deploy and the sync's task do: a user's search never
    # describes and encodes the whole catalogue (see test_a_search_never_builds_from_nothing).
    if "encoder" in request.fixturenames:  # the real model's test builds with its own settings
        embeddings.embedding_index_build()
    return movies


def ids(hits):
    return [movie_id for movie_id, _ in hits]


def test_it_finds_the_movie_the_text_describes(encoder, catalogue):
    hits = embeddings.taste_candidates(text="serial killer detective thriller", k=3)

    assert ids(hits)[0] == catalogue["killer"].pk
    assert len(hits) == 3
    assert all(isinstance(m, int) and isinstance(s, float) for m, s in hits)


def test_vectors_are_computed_once_per_catalogue_version(encoder, catalogue, settings):
    embeddings.taste_candidates(text="dreams", k=2)
    encoded_once = len(encoder.encoded_texts)
    embeddings.taste_candidates(text="snowman", k=2)
    embeddings.reset_cache()  # a new process: reads the stored files, encodes no description
    embeddings.taste_candidates(text="heist", k=2)

    stored = [p for p in (settings.ARTIFACTS_DIR / "embeddings").iterdir() if p.is_dir()]
    assert len(stored) == 1
    assert {"vectors.npy", "index.json"} <= {p.name for p in stored[0].iterdir()}
    assert encoded_once == len(catalogue) + 1  # five descriptions, one query
    assert len(encoder.encoded_texts) == encoded_once + 2  # then only the two queries


def test_a_changed_description_gives_a_new_version_encoding_only_that_movie(encoder, catalogue):
    embeddings.taste_candidates(text="snowman", k=1)
    snow = catalogue["snow"]
    snow.overview = "A submarine captain hunts a nuclear sub under the arctic ice."
    snow.save()
    encoder.calls.clear()

    hits = embeddings.taste_candidates(text="submarine under the ice", k=1)

    assert ids(hits) == [snow.pk]
    described = [t for t in encoder.encoded_texts if "Snow Song" in t]
    assert len(described) == 1
    assert "submarine" in described[0]
    assert len(encoder.encoded_texts) == 2  # that description and the query


def test_only_the_newest_versions_stay_on_disk(encoder, catalogue, settings):
    snow = catalogue["snow"]
    for n in range(embeddings.KEEP_VERSIONS + 2):
        snow.overview = f"A snowman sings song number {n}."
        snow.save()
        current = embeddings.embedding_index_build()

    stored = {p.name for p in (settings.ARTIFACTS_DIR / "embeddings").iterdir() if p.is_dir()}
    assert len(stored) == embeddings.KEEP_VERSIONS
    assert current.fingerprint in stored


def test_a_new_genre_link_is_noticed_too(encoder, catalogue):
    embeddings.taste_candidates(text="heist", k=1)
    # No Movie.save(), so no updated_at change: the link counts in the stamp catch it.
    catalogue["heist"].genres.add(GenreFactory(name="Crime"))
    encoder.calls.clear()

    embeddings.taste_candidates(text="heist", k=1)

    assert [t for t in encoder.encoded_texts if "Crime" in t and "The Vault" in t]


def test_hidden_and_excluded_movies_are_never_returned(encoder, catalogue):
    killer, heist = catalogue["killer"], catalogue["heist"]
    killer.hidden = True
    killer.save(update_fields=["hidden"])

    hits = embeddings.taste_candidates(
        text="serial killer detective", k=10, exclude_movie_ids=frozenset({heist.pk})
    )

    assert killer.pk not in ids(hits)
    assert heist.pk not in ids(hits)
    assert len(hits) == len(catalogue) - 2


def test_a_named_title_pulls_in_its_neighbours_but_not_itself(encoder, catalogue):
    plain = embeddings.taste_candidates(text="something warmer", k=4)
    named = embeddings.taste_candidates(text="like Inception but warmer", k=4)

    assert catalogue["dreams"].pk in ids(plain)
    assert catalogue["dreams"].pk not in ids(named)
    assert ids(named)[0] == catalogue["heist"].pk  # shares "thief", "secrets", "dreams"


def test_an_uncued_one_word_title_is_just_a_word(encoder, catalogue):
    assert embeddings._named_movies("like Inception", embeddings._current().titles) == [
        catalogue["dreams"].pk
    ]
    assert embeddings._named_movies("inception of a plan", embeddings._current().titles) == []
    assert embeddings._named_movies("Inception 같은 영화", embeddings._current().titles) == [
        catalogue["dreams"].pk
    ]


def test_korean_genre_words_reach_an_english_only_model(encoder, catalogue):
    hits = embeddings.taste_candidates(text="한국 스릴러", k=2)

    assert set(ids(hits)) == {catalogue["seoul"].pk, catalogue["killer"].pk}
    assert (
        "(Korean, Thriller)" in encoder.encoded_texts[-1]
        or "(Thriller, Korean)" in (encoder.encoded_texts[-1])
    )


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_blank_text_is_refused_in_the_users_language(encoder, catalogue, text):
    with translation.override("ko"), pytest.raises(ValueError, match="보고 싶은 영화"):
        embeddings.taste_candidates(text=text, k=5)
    with translation.override("en"), pytest.raises(ValueError, match="Describe what you"):
        embeddings.taste_candidates(text=text, k=5)


def test_an_over_long_text_is_cut_not_refused(encoder, catalogue):
    hits = embeddings.taste_candidates(text="serial killer " * 5000, k=2)

    assert len(hits) == 2
    assert len(encoder.encoded_texts[-1]) <= embeddings.MAX_QUERY_CHARS


def test_the_command_builds_and_force_reencodes(encoder, catalogue, capsys):
    call_command("build_embedding_index")
    first = len(encoder.encoded_texts)
    call_command("build_embedding_index")
    call_command("build_embedding_index", "--force")

    out = capsys.readouterr().out
    assert first == len(catalogue)
    assert len(encoder.encoded_texts) == 2 * len(catalogue)
    assert "5 movies" in out


@pytest.mark.slow
def test_the_packaged_minilm_serves_real_queries(settings, tmp_path, catalogue):
    settings.ARTIFACTS_DIR = tmp_path
    settings.EMBEDDING_MODEL = "packaged:all-minilm-l6-v2"
    embeddings.reset_cache()
    try:
        embeddings.embedding_index_build()
        hits = embeddings.taste_candidates(text="a dark thriller about a murderer", k=2)
        assert catalogue["snow"].pk not in ids(hits)
        assert catalogue["killer"].pk in ids(hits)
    finally:
        embeddings.reset_cache()


def test_an_empty_catalogue_answers_nothing_rather_than_failing(encoder):
    embeddings.embedding_index_build()
    assert embeddings.taste_candidates(text="anything at all", k=5) == []


def test_a_search_never_builds_from_nothing(encoder):
    """No index stored yet: a user's search says so at once (the list comes without the text
    search and the page says it is still preparing) instead of encoding the whole catalogue
    inside the request; once one is stored, a changed catalogue is brought up to date."""
    MovieFactory(title="Night Hunter", overview="A detective hunts a serial killer.")
    with pytest.raises(embeddings.IndexNotReady):
        embeddings.taste_candidates(text="a serial killer", k=5)
    assert encoder.encoded_texts == []
    embeddings.embedding_index_build()
    MovieFactory(title="Snow Song", overview="An animated musical about a singing snowman.")
    assert embeddings.taste_candidates(text="a snowman musical", k=1)


def test_the_task_builds_the_current_version(encoder, catalogue):
    from llm_worker.embedding_tasks import embedding_index_build

    fingerprint = embedding_index_build.delay().get()

    assert fingerprint == embeddings.embedding_index_build().fingerprint
    assert len(encoder.encoded_texts) == len(catalogue)  # the second call found it built
