"""The plain embedding index: ranking, exclusions, save/load, incremental rebuilds; and, in slow
tests, the real MiniLM model from its PyPI package on real TMDb overviews."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pytest

from llm_worker.embeddings_index import (
    PACKAGED_MINILM,
    EmbeddingIndex,
    SentenceTransformerEncoder,
    texts_fingerprint,
)
from llm_worker.tests.fake_encoder import HashingEncoder

TEXTS = {
    1: "A detective hunts a serial killer through rainy city streets; a dark crime thriller",
    2: "An animated musical about a snow queen, her sister and a singing snowman",
    3: "Astronauts travel through a wormhole to save humanity; space science fiction",
    4: "A romantic comedy about a bookshop owner who falls for a movie star in London",
    5: "A thief steals secrets from dreams inside dreams; a heist thriller",
}


def build(texts=TEXTS, encoder=None) -> EmbeddingIndex:
    encoder = encoder or HashingEncoder()
    return EmbeddingIndex.build(list(texts), list(texts.values()), encoder=encoder)


def test_it_ranks_by_shared_meaning_and_returns_unit_similarities():
    index = build()

    hits = index.query("a serial killer thriller with a detective", k=3)

    assert hits[0][0] == 1
    assert len(hits) == 3
    assert all(-1.0 <= s <= 1.0 + 1e-6 for _, s in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert index.vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(index.vectors, axis=1), 1.0, atol=1e-5)


def test_excluded_ids_never_come_back_even_when_they_match_best():
    index = build()

    hits = index.query("a serial killer thriller with a detective", k=10, exclude_ids={1, 99})

    assert [i for i, _ in hits if i == 1] == []
    assert len(hits) == 4  # all but the excluded one; k larger than the index is fine


def test_a_vector_query_uses_no_encoder():
    index = build()
    loaded_without_encoder = EmbeddingIndex(
        index.ids, index.vectors, model=index.model, fingerprint=index.fingerprint
    )

    hits = loaded_without_encoder.query(index.vector_of(3), k=1)

    assert hits == [(3, pytest.approx(1.0, abs=1e-5))]
    with pytest.raises(RuntimeError, match="no encoder"):
        loaded_without_encoder.query("space", k=1)


def test_save_and_load_give_the_same_answers(tmp_path):
    encoder = HashingEncoder()
    index = build(encoder=encoder)

    index.save(tmp_path / "idx")
    loaded = EmbeddingIndex.load(tmp_path / "idx", encoder=encoder)

    assert loaded.fingerprint == index.fingerprint
    assert loaded.model == "test:hashing-64"
    assert loaded.query("dreams heist", k=5) == index.query("dreams heist", k=5)
    with pytest.raises(ValueError, match="built with"):
        EmbeddingIndex.load(tmp_path / "idx", encoder=HashingEncoder(name="other"))


def test_the_fingerprint_follows_texts_and_model_but_not_order():
    ids, texts = list(TEXTS), list(TEXTS.values())
    base = texts_fingerprint(ids, texts, model="m")

    assert texts_fingerprint(ids[::-1], texts[::-1], model="m") == base
    assert texts_fingerprint(ids, [*texts[:-1], texts[-1] + "!"], model="m") != base
    assert texts_fingerprint(ids, texts, model="other") != base


def test_a_rebuild_encodes_only_the_changed_texts():
    encoder = HashingEncoder()
    old = build(encoder=encoder)
    changed = {**TEXTS, 4: "A gangster epic about a crime family", 6: "A new silent film"}
    encoder.calls.clear()

    new = EmbeddingIndex.build(list(changed), list(changed.values()), encoder=encoder, reuse=old)

    assert sorted(encoder.encoded_texts) == sorted([changed[4], changed[6]])
    assert new.fingerprint != old.fingerprint
    assert np.allclose(new.vector_of(1), old.vector_of(1))
    assert new.query("crime family gangster", k=1)[0][0] == 4


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="ids but"):
        EmbeddingIndex.build([1, 2], ["one"], encoder=HashingEncoder())
    index = build()
    with pytest.raises(ValueError, match="dimensions"):
        index.query(np.ones(3), k=1)
    assert index.query("anything", k=0) == []


# -- the real model ------------------------------------------------------------------------------
REAL_TITLES = (
    "Se7en",
    "Zodiac",
    "The Silence of the Lambs",
    "Frozen",
    "The Lion King",
    "Toy Story",
    "Notting Hill",
    "Interstellar",
    "Inception",
    "Paddington",
)


@pytest.fixture(scope="module")
def minilm():
    return SentenceTransformerEncoder(PACKAGED_MINILM)


@pytest.fixture(scope="module")
def real_overviews(data_dir):
    path = data_dir / "tmdb" / "tmdb_5000_movies.csv.zip"
    with zipfile.ZipFile(path) as archive:
        rows = csv.DictReader(io.TextIOWrapper(archive.open("tmdb_5000_movies.csv"), "utf-8"))
        found = {r["title"]: r["overview"] for r in rows if r["title"] in REAL_TITLES}
    assert set(found) == set(REAL_TITLES)
    return found


@pytest.mark.slow
@pytest.mark.dataset
def test_minilm_puts_a_thriller_above_an_animated_musical(minilm, real_overviews):
    titles = list(real_overviews)
    index = EmbeddingIndex.build(
        range(len(titles)), [real_overviews[t] for t in titles], encoder=minilm
    )
    rank = {titles[i]: r for r, (i, _) in enumerate(index.query("a dark thriller", k=len(titles)))}

    assert index.dim == 384
    assert rank["Se7en"] < rank["Frozen"]
    assert rank["Zodiac"] < rank["The Lion King"]
    top3 = [titles[i] for i, _ in index.query("a detective hunting a serial killer", k=3)]
    assert {"Se7en", "Zodiac"} <= set(top3)


@pytest.mark.slow
@pytest.mark.dataset
def test_minilm_answers_a_korean_query(minilm, real_overviews):
    titles = list(real_overviews)
    index = EmbeddingIndex.build(
        range(len(titles)), [real_overviews[t] for t in titles], encoder=minilm
    )

    hits = index.query("긴장감 넘치는 연쇄살인범 스릴러", k=5)

    assert len(hits) == 5
    assert len({i for i, _ in hits}) == 5
    assert all(np.isfinite(s) and -1.0 <= s <= 1.0 + 1e-6 for _, s in hits)
