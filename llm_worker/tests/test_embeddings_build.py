"""Building the taste-text index fast and visibly: what the encoder reads of a description, the
length-sorted batches and their progress, one builder at a time (a request never starts a second
build on the same cores), how far a build got for the page, the command's progress output."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import call_command

from llm_worker import embeddings
from llm_worker import embeddings_status as status
from llm_worker.embeddings_index import (
    ENCODER_OVERVIEW_CHARS,
    PACKAGED_MINILM,
    EmbeddingIndex,
    SentenceTransformerEncoder,
    cpu_has_native_bf16,
    encoder_text,
)
from llm_worker.management.commands.build_embedding_index import Progress
from llm_worker.tests.fake_encoder import HashingEncoder
from movies.describe import MovieFacts, movie_description
from movies.tests.factories import MovieFactory

OVERVIEW = (
    "Cobb, a skilled thief who commits corporate espionage by infiltrating the subconscious of "
    "his targets, is offered a chance to regain his old life as payment for a task considered "
    "to be impossible: inception, the implantation of another person's idea into a target's "
    "subconscious."
)
FACTS = MovieFacts(
    title="Inception",
    year=2010,
    genres=("Sci-Fi", "Thriller"),
    directors=("Christopher Nolan", "Second Director", "Third Director"),
    cast=("Leonardo DiCaprio", "Joseph Gordon-Levitt", "Elliot Page", "Tom Hardy", "Ken Watanabe"),
    keywords=("dream", "heist", "subconsciousness"),
    runtime=148,
    vote_average=8.3,
    vote_count=14000,
    mean_rating=4.1,
    num_ratings=143,
    overview=OVERVIEW,
)


# -- what is encoded -----------------------------------------------------------------------------
def test_the_encoder_reads_what_a_taste_text_can_match_and_no_more():
    text = encoder_text(movie_description(FACTS, "en"))
    lines = text.split("\n")

    assert lines[0] == "Inception (2010)"
    assert "Genres: Sci-Fi, Thriller" in lines
    assert "Director: Christopher Nolan, Second Director" in lines
    assert "Cast: Leonardo DiCaprio, Joseph Gordon-Levitt, Elliot Page" in lines
    assert "Keywords: dream, heist, subconsciousness" in lines
    assert not [ln for ln in lines if ln.startswith(("Runtime", "Rating"))]
    overview = next(ln for ln in lines if ln.startswith("Overview: "))
    assert overview.startswith("Overview: Cobb, a skilled thief")
    assert overview.endswith("…")
    assert len(overview) <= len("Overview: ") + ENCODER_OVERVIEW_CHARS + 1


def test_a_short_description_is_encoded_as_it_is_minus_numbers():
    facts = MovieFacts(title="Heat", year=1995, genres=("Crime",), overview="A heist.")

    assert encoder_text(movie_description(facts, "en")) == (
        "Heat (1995)\nGenres: Crime\nOverview: A heist."
    )


# -- batches and progress ------------------------------------------------------------------------
def test_texts_are_encoded_longest_first_and_come_back_in_their_own_order():
    texts = ["a b", "a b c d e f g h", "c", "d e f g", "h i j k l m", "x y"]
    encoder, seen = HashingEncoder(), []

    index = EmbeddingIndex.build(
        list(range(len(texts))), texts, encoder=encoder, batch_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip

    assert encoder.calls == [
        ["a b c d e f g h", "h i j k l m"],
        ["d e f g", "a b"],
        ["x y", "c"],
    ]
    one_by_one = EmbeddingIndex.build(list(range(len(texts))), texts, encoder=HashingEncoder())
    assert np.allclose(index.vectors, one_by_one.vectors)
    assert seen == [(0, 6), (2, 6), (4, 6), (6, 6)]


def test_progress_counts_only_the_texts_that_need_encoding():
    old = EmbeddingIndex.build([1, 2, 3], ["one", "two", "three"], encoder=HashingEncoder())
    seen = []

    EmbeddingIndex.build(
        [1, 2, 3], ["one", "two", "three, changed"], encoder=HashingEncoder(), reuse=old,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip

    assert seen == [(0, 1), (1, 1)]


# -- the service: one builder, progress for the page ---------------------------------------------
@pytest.fixture
def movies():
    return [
        MovieFactory(title="Night Hunter", overview="A detective hunts a serial killer."),
        MovieFactory(title="Snow Song", overview="An animated musical about a snowman."),
        MovieFactory(title="The Vault", overview="A crew of thieves plans a heist."),
    ]


def root(settings):
    return settings.ARTIFACTS_DIR / embeddings.SUBFOLDER


@pytest.mark.django_db
def test_a_request_during_another_process_build_is_told_so_and_encodes_nothing(
    encoder, movies, settings
):
    # flock locks belong to an open file: a second open in this process stands in for the
    # builder process.
    with status.build_lock(root(settings), wait=True):
        status.write_progress(root(settings), done=1200, total=9742, model=encoder.name)
        with pytest.raises(embeddings.IndexNotReady, match="1200 of 9742"):
            embeddings.taste_candidates(text="serial killer", k=2)

    assert encoder.encoded_texts == []
    embeddings.embedding_index_build()  # the lock is free again
    assert embeddings.taste_candidates(text="serial killer", k=1)[0][0] == movies[0].pk


@pytest.mark.django_db
def test_the_previous_version_answers_while_another_process_builds_the_new_one(
    encoder, movies, settings
):
    embeddings.embedding_index_build()
    embeddings.reset_cache()  # a web process started after that build
    movies[1].overview = "A submarine hunts another under the arctic ice."
    movies[1].save()
    encoder.calls.clear()

    with status.build_lock(root(settings), wait=True):
        hits = embeddings.taste_candidates(text="serial killer detective", k=1)

    assert hits[0][0] == movies[0].pk
    assert encoder.encoded_texts == ["serial killer detective"]  # no description: no 2nd build

    # The other process finishes: its files appear; a little later this one loads them.
    ids, texts = embeddings.embedding_texts()
    other = EmbeddingIndex.build(ids, texts, encoder=HashingEncoder(dim=encoder.dim))
    other.save(root(settings) / other.fingerprint)
    embeddings._loaded[encoder.name].checked_at -= embeddings.STALE_RECHECK_S
    encoder.calls.clear()
    hits = embeddings.taste_candidates(text="submarine under the ice", k=1)
    assert hits[0][0] == movies[1].pk
    assert encoder.encoded_texts == ["submarine under the ice"]  # loaded, not built again


@pytest.mark.django_db
def test_index_state_says_missing_then_building_with_progress_then_ready(encoder, movies, settings):
    assert embeddings.index_state().state == status.MISSING

    seen = []

    def peek(done, total):
        seen.append(embeddings.index_state())

    embeddings.embedding_index_build(progress=peek)

    assert [s.state for s in seen] == [status.BUILDING] * len(seen)
    assert (seen[0].done, seen[-1].done, seen[-1].total) == (0, 3, 3)
    assert seen[-1].percent == 100
    assert embeddings.index_state().state == status.READY
    assert not (root(settings) / status.PROGRESS_FILE).exists()


@pytest.mark.django_db
def test_an_index_of_another_model_does_not_count_as_ready(encoder, movies, settings):
    embeddings.embedding_index_build()

    settings.EMBEDDING_MODEL = "test:another-model"

    assert embeddings.index_state().state == status.MISSING


# -- the command's progress ------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_command_prints_progress_lines_when_not_on_a_terminal(encoder, movies, capsys):
    call_command("build_embedding_index")

    err = capsys.readouterr().err
    assert "taste-text index: 0 of 3 movies encoded (0%" in err
    assert "taste-text index: 3 of 3 movies encoded (100%" in err

    call_command("build_embedding_index")  # stored: nothing to encode, nothing to report
    assert "taste-text index" not in capsys.readouterr().err


def test_the_progress_bar_draws_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(mode="auto", stream=stream)
    for done in (0, 32, 64, 100):
        progress(done, 100)
    progress.close()

    assert "taste-text index" in stream.getvalue()
    assert "100/100" in stream.getvalue()


def test_lines_come_every_tenth_not_every_batch():
    stream = io.StringIO()
    progress = Progress(mode="lines", stream=stream)
    for done in range(0, 1001, 10):
        progress(done, 1000)

    assert 10 <= stream.getvalue().count("\n") <= 12


# -- the real model --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def minilm_texts():
    return [
        encoder_text(movie_description(FACTS, "en")),
        "Heat (1995)\nGenres: Crime, Drama\nOverview: A group of professional bank robbers.",
        "Frozen (2013)\nGenres: Animation\nOverview: A princess sets off to find her sister.",
    ]


@pytest.mark.slow
def test_minilm_reads_at_most_128_word_pieces():
    assert SentenceTransformerEncoder(PACKAGED_MINILM).model.max_seq_length == 128
    with pytest.raises(ValueError, match="dtype"):
        SentenceTransformerEncoder(PACKAGED_MINILM, dtype="float16")


@pytest.mark.slow
@pytest.mark.skipif(not cpu_has_native_bf16(), reason="this CPU has no native bfloat16")
def test_bfloat16_gives_the_float32_vectors_to_within_a_hundredth(minilm_texts):
    fast = SentenceTransformerEncoder(PACKAGED_MINILM)
    exact = SentenceTransformerEncoder(PACKAGED_MINILM, dtype="float32")

    a = EmbeddingIndex.build([1, 2, 3], minilm_texts, encoder=fast)
    b = EmbeddingIndex.build([1, 2, 3], minilm_texts, encoder=exact)

    assert fast.dtype == "bfloat16"
    assert np.min(np.sum(a.vectors * b.vectors, axis=1)) >= 0.99


def test_a_build_batch_runs_on_the_build_threads_and_a_query_on_the_query_threads():
    import threading

    import torch

    class Model:
        seen: list[int] = []

        def encode(self, texts, **kwargs):
            self.seen.append(torch.get_num_threads())
            return np.zeros((len(texts), 4), np.float32)

    encoder = SentenceTransformerEncoder.__new__(SentenceTransformerEncoder)
    encoder.model, encoder.device, encoder._lock = Model(), "cpu", threading.Lock()
    encoder.query_threads, encoder.build_threads = 1, 1
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        encoder.encode(["t"] * 32)
        encoder.encode(["one query"])
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)

    assert Model.seen == [1, 1]
    assert after == 2  # restored: other work in the process keeps its threads
