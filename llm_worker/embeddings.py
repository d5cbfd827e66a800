"""Taste text → candidates: a sentence-embedding search over the catalogue's movie descriptions.

The index holds one vector per movie (hidden ones too, so hiding a movie needs no rebuild; they
are filtered out at query time). Its text is the movie's English description
(`movies.describe.movie_descriptions`) without the rating line (numbers that change with every
ratings import and say nothing about a film's content) plus the original language ("Language:
Korean") so that "Korean thrillers" can match.

Catalogue versions. The fingerprint is a hash of the model name and every (id, text) pair; the
vectors of one fingerprint are computed once and stored under
`settings.ARTIFACTS_DIR/embeddings/<fingerprint>/` (`vectors.npy`, `index.json`). A process
loads the model and the index once and keeps them. Before each query it reads a cheap catalogue
stamp (movie count, newest `updated_at`, credit/genre/keyword link counts); when the stamp moved,
or every RECHECK_S seconds (bulk imports do not touch `updated_at`), it recomputes the
fingerprint and, if it changed, loads or builds the new version. A rebuild re-encodes only the
descriptions that changed. `manage.py build_embedding_index` (or the task in
`llm_worker.embedding_tasks`) builds ahead of time so no user request waits for it. The newest
KEEP_VERSIONS versions stay on disk. One process builds at a time (`embeddings_status`): a
request that finds another process building serves the previous stored version, or raises
`IndexNotReady` when there is none yet; `index_state()` tells the page how far the build got.

The text encoded is `embeddings_index.encoder_text` of the description: what a taste text can
match, cut so that the first build of the demo catalogue takes about a minute on 2 cores.

Queries. Whitespace is collapsed and text past MAX_QUERY_CHARS is cut (the model reads at most
256 word pieces anyway). The default model (all-MiniLM-L6-v2) is English-only; Korean genre and
country words get their English name appended ("스릴러" → "Thriller") so Korean requests still
steer the search; set EMBEDDING_MODEL to a multilingual model for more. When the text names a
catalogue title ("like Inception but warmer", "Inception 같은 영화"), that movie's own vector is
blended into the query (TITLE_WEIGHT) and the named movie itself is left out of the answer: the
user asked for films like it. A title counts when a cue surrounds it ("like", "as", "than",
"similar to", "fans of", "같은", "처럼", …), when it is quoted, or when it has 3+ words, so that
ordinary words that happen to be titles ("Up", "Heat") do not hijack a sentence.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import translation

from llm_worker import embeddings_stamp as stamps
from llm_worker import embeddings_status as status
from llm_worker.embeddings_index import (
    EmbeddingIndex,
    Encoder,
    ProgressFn,
    SentenceTransformerEncoder,
    encoder_text,
    normalise_rows,
    texts_fingerprint,
)
from llm_worker.embeddings_status import IndexNotReady, IndexStatus

__all__ = ["IndexNotReady", "IndexStatus", "embedding_index_build", "index_state"]

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
TITLE_WEIGHT = 0.5  # share of the named movies' mean vector in a blended query
MAX_NAMED = 3  # titles blended into one query at most
RECHECK_S = 300.0  # full fingerprint check at least this often, stamp or not
DESCRIBE_CHUNK = 2000  # movies per describe call (keeps IN lists and memory bounded)
SUBFOLDER = "embeddings"
KEEP_VERSIONS = 3  # stored catalogue versions kept after a build (older ones are deleted)
STALE_RECHECK_S = 10.0  # while another process builds, look for its result this often

LANGUAGE_NAMES = {
    "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "cn": "Chinese", "fr": "French",
    "de": "German", "es": "Spanish", "it": "Italian", "hi": "Hindi", "ru": "Russian",
    "sv": "Swedish", "da": "Danish", "no": "Norwegian", "pt": "Portuguese", "th": "Thai",
    "fa": "Persian", "tr": "Turkish", "pl": "Polish", "nl": "Dutch", "fi": "Finnish",
}  # fmt: skip
# Country/language words of Korean requests → English, beside the genre names of
# movies.describe.GENRES_KO (read at call time).
KOREAN_GLOSS = {
    "한국": "Korean", "일본": "Japanese", "중국": "Chinese", "홍콩": "Hong Kong",
    "프랑스": "French", "독일": "German", "스페인": "Spanish", "이탈리아": "Italian",
    "인도": "Indian", "미국": "American", "영국": "British", "느린": "slow-burn",
    "잔잔한": "quiet gentle", "따뜻한": "warm heartfelt", "무서운": "scary", "슬픈": "sad",
    "웃긴": "funny", "좀비": "zombie", "복수": "revenge", "살인": "murder", "형사": "detective",
    "우주": "space", "로봇": "robot", "사랑": "love",
}  # fmt: skip
CUES_BEFORE = {"like", "as", "than", "vs"}
CUES_BEFORE_2 = {"similar to", "close to", "fans of", "fan of", "me of"}
CUES_BETWEEN = {"and", "or"}  # "like Inception and Memento": only after a first title
CUES_AFTER = {"같은", "같이", "처럼", "비슷한", "느낌", "스타일", "풍"}
ARTICLES = ("the ", "a ", "an ")
MAX_TITLE_WORDS = 8


@dataclass
class _Loaded:
    index: EmbeddingIndex
    stamp: tuple
    checked_at: float
    titles: dict[str, int]  # normalised title (and without its article) → movie id
    stale: bool = False  # an older version, served while another process builds the current


_lock = threading.RLock()
_loaded: dict[str, _Loaded] = {}  # by model name
_encoders: dict[str, Encoder] = {}


def _msg(en: str, ko: str) -> str:
    return ko if (translation.get_language() or "ko").startswith("ko") else en


# -- public API ----------------------------------------------------------------------------------
def taste_candidates(
    *, text: str, k: int, exclude_movie_ids: frozenset[int] = frozenset()
) -> list[tuple[int, float]]:
    """Up to `k` catalogue movies whose descriptions are nearest to `text`, best first, as
    (movie id, cosine similarity). Never a hidden movie, one in `exclude_movie_ids`, or a movie
    the text names as a reference ("like Inception"). Raises ValueError, in the active language,
    for an empty or blank text. Builds the index on first use of a catalogue version, unless
    another process is building it: then the previous version answers, or, when there is none,
    IndexNotReady is raised."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            _msg("Describe what you would like to watch.", "보고 싶은 영화를 글로 적어 주세요.")
        )
    if k <= 0:
        return []
    text = _truncate(" ".join(text.split()))
    state = _current(wait=False)
    index = state.index
    vector = index.encode_query(_gloss(text))
    named = _named_movies(text, state.titles)
    named_vectors = [v for v in (index.vector_of(m) for m in named) if v is not None]
    if named_vectors:
        blend = normalise_rows(np.mean(named_vectors, axis=0))[0]
        vector = normalise_rows((1 - TITLE_WEIGHT) * vector + TITLE_WEIGHT * blend)[0]
    from movies.models import Movie

    hidden = set(Movie.objects.filter(hidden=True).values_list("pk", flat=True))
    return index.query(vector, k, exclude_ids=hidden | set(exclude_movie_ids) | set(named))


def embedding_index_build(
    *, force: bool = False, progress: ProgressFn | None = None
) -> EmbeddingIndex:
    """The index of the current catalogue version, built and stored if missing (only changed
    descriptions are encoded); waits for another process's build first. `force` re-encodes
    every description and overwrites the files. `progress(done, total)` follows the encoding."""
    with _lock:
        if force:
            encoder = _encoder()
            ids, texts = embedding_texts()
            folder = _folder(texts_fingerprint(ids, texts, model=encoder.name))
            shutil.rmtree(folder, ignore_errors=True)
            _loaded.pop(encoder.name, None)
        return _current(force_check=True, progress=progress).index


def index_state() -> IndexStatus:
    """Whether an index of the configured model is stored, being built (how far) or missing.
    Cheap: a few small files, no model and no catalogue read (the page asks on every view)."""
    return status.index_status(_root(), settings.EMBEDDING_MODEL)


def reset_cache() -> None:
    """Forget loaded indexes and encoders (tests; a settings change at runtime)."""
    with _lock:
        _loaded.clear()
        _encoders.clear()


def embedding_texts() -> tuple[list[int], list[str]]:
    """(movie ids, their index texts), every movie of the catalogue, in id order."""
    from movies.describe import movie_descriptions
    from movies.models import Movie

    rows = list(Movie.objects.order_by("pk").values_list("pk", "original_language"))
    ids, texts = [], []
    for start in range(0, len(rows), DESCRIBE_CHUNK):
        chunk = rows[start : start + DESCRIBE_CHUNK]
        described = movie_descriptions(movie_ids=[pk for pk, _ in chunk], language="en")
        for pk, language in chunk:
            if pk not in described:  # deleted meanwhile
                continue
            lines = encoder_text(described[pk]).split("\n")
            if language in LANGUAGE_NAMES:
                lines.insert(1, f"Language: {LANGUAGE_NAMES[language]}")
            ids.append(pk)
            texts.append("\n".join(lines))
    return ids, texts


# -- loading and versions ------------------------------------------------------------------------
def _load_encoder(name: str) -> Encoder:
    return SentenceTransformerEncoder(name)


def _encoder() -> Encoder:
    name = settings.EMBEDDING_MODEL
    if name not in _encoders:
        started = time.perf_counter()
        _encoders[name] = _load_encoder(name)
        logger.info("embedding model %s loaded in %.1f s", name, time.perf_counter() - started)
    return _encoders[name]


def _root() -> Path:
    return Path(settings.ARTIFACTS_DIR) / SUBFOLDER


def _folder(fingerprint: str) -> Path:
    return _root() / fingerprint


def _current(
    *, force_check: bool = False, wait: bool = True, progress: ProgressFn | None = None
) -> _Loaded:
    """The loaded index of the current catalogue version. `wait` false (a user's request):
    never wait for, nor duplicate, another process's build (see _load_or_build)."""
    with _lock:
        encoder = _encoder()
        state = _loaded.get(encoder.name)
        now = time.monotonic()
        if state is not None and state.stale and not force_check:
            if now - state.checked_at < STALE_RECHECK_S:
                return state
        elif state is None and not wait and index_state().state == status.BUILDING:
            # Nothing stored yet and a build under way: answer now rather than describe the
            # whole catalogue only to find that out.
            raise IndexNotReady(_not_ready_message())
        stamp = stamps.catalogue_stamp()
        # A user's request trusts an unchanged stamp (describing the whole catalogue again to
        # confirm it took 4-7 s on 2 cores); the periodic full check is the builders' work.
        recent = not wait or now - (state.checked_at if state else now) < RECHECK_S
        fresh = state is not None and not state.stale and recent
        if fresh and not force_check and state.stamp == stamp:
            return state
        if state is None and not wait and not force_check:
            known = _stored_for_stamp(stamp, encoder)
            if known is not None:  # a new process: the index stored for this very catalogue
                state = _Loaded(
                    index=known, stamp=stamp, checked_at=now, titles=_title_map(), stale=False
                )
                _loaded[encoder.name] = state
                return state
        ids, texts = embedding_texts()
        fingerprint = texts_fingerprint(ids, texts, model=encoder.name)
        if state is not None and state.index.fingerprint == fingerprint:
            state.stamp, state.checked_at, state.stale = stamp, now, False
            return state
        index = _load_or_build(
            ids, texts, fingerprint, encoder, previous=state, wait=wait, progress=progress
        )
        stamps.remember(_root(), stamp, index.fingerprint)
        stale = index.fingerprint != fingerprint
        if stale and state is not None and state.index is index:
            state.checked_at, state.stale = now, True
            return state
        state = _Loaded(index=index, stamp=stamp, checked_at=now, titles=_title_map(), stale=stale)
        _loaded[encoder.name] = state
        return state


def _stored_for_stamp(stamp: tuple, encoder: Encoder) -> EmbeddingIndex | None:
    """The stored index a process recorded for this exact catalogue stamp, if any."""
    fingerprint = stamps.fingerprint_of(_root(), stamp)
    return _load_stored(_folder(fingerprint), encoder) if fingerprint else None


def _not_ready_message() -> str:
    progress = index_state()
    share = f" ({progress.done} of {progress.total} movies)" if progress.total else ""
    return f"the taste-text index is still being built by another process{share}"


def _load_stored(folder: Path, encoder: Encoder) -> EmbeddingIndex | None:
    if not (folder / "index.json").exists():
        return None
    try:
        index = EmbeddingIndex.load(folder, encoder=encoder)
    except (OSError, ValueError) as exc:  # a damaged folder is rebuilt, not trusted
        logger.warning("embedding index %s unreadable (%s); rebuilding", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    logger.info("embedding index %s loaded (%d movies)", folder.name, len(index))
    return index


def _load_or_build(
    ids, texts, fingerprint, encoder, *, previous, wait: bool, progress: ProgressFn | None
) -> EmbeddingIndex:
    """The stored index of `fingerprint`, else a new one built under the build lock. Without
    `wait`, when another process holds the lock: the previous version (its fingerprint tells
    the caller it is stale), or IndexNotReady when there is none."""
    folder = _folder(fingerprint)
    index = _load_stored(folder, encoder)
    if index is not None:
        return index
    with status.build_lock(_root(), wait=wait) as locked:
        if not locked:
            older = previous.index if previous is not None else _latest_on_disk(encoder)
            if older is None:
                raise IndexNotReady(_not_ready_message())
            logger.warning(
                "embedding index %s is being built by another process; serving %s meanwhile",
                fingerprint, older.fingerprint,
            )  # fmt: skip
            return older
        index = _load_stored(folder, encoder)  # built by the process we waited for
        if index is not None:
            return index
        reuse = previous.index if previous is not None else _latest_on_disk(encoder)
        if reuse is None and not wait:
            # Describing and encoding the whole catalogue takes minutes: never inside a user's
            # request. The list comes without the text search and says so.
            raise IndexNotReady(
                "the taste-text index has not been built yet (manage.py build_embedding_index)"
            )
        started = time.perf_counter()
        try:
            index = EmbeddingIndex.build(
                ids, texts, encoder=encoder, reuse=reuse, progress=_recording(progress, encoder)
            )
            index.save(folder)
        finally:
            status.clear_progress(_root())
    _prune(keep=folder)
    logger.info(
        "embedding index %s built: %d movies in %.1f s → %s",
        fingerprint, len(index), time.perf_counter() - started, folder,
    )  # fmt: skip
    return index


def _recording(progress: ProgressFn | None, encoder: Encoder) -> ProgressFn:
    """`progress`, plus the progress file other processes read (index_state)."""

    def report(done: int, total: int) -> None:
        try:
            status.write_progress(_root(), done=done, total=total, model=encoder.name)
        except OSError as exc:  # the page shows no percentage; the build goes on
            logger.warning("could not record the index build's progress: %s", exc)
        if progress is not None:
            progress(done, total)

    return report


def _prune(*, keep: Path) -> None:
    folders = sorted(
        (p.parent for p in _root().glob("*/index.json")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [f for f in folders if f != keep][KEEP_VERSIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _latest_on_disk(encoder: Encoder) -> EmbeddingIndex | None:
    # A fresh process after a catalogue change: reuse the newest stored version's vectors.
    folders = sorted(_root().glob("*/index.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for meta in folders:
        try:
            return EmbeddingIndex.load(meta.parent, encoder=encoder)
        except (OSError, ValueError):
            continue
    return None


# -- query text ----------------------------------------------------------------------------------
def _truncate(text: str) -> str:
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[:MAX_QUERY_CHARS]
    space = cut.rfind(" ")
    logger.info("taste text of %d characters cut to %d", len(text), MAX_QUERY_CHARS)
    return cut[:space] if space > MAX_QUERY_CHARS // 2 else cut


def _gloss(text: str) -> str:
    from movies.describe import GENRES_KO

    words = {ko: en for en, ko in GENRES_KO.items() if ko != en} | KOREAN_GLOSS
    found = [en for ko, en in words.items() if ko in text]
    return f"{text} ({', '.join(dict.fromkeys(found))})" if found else text


def _title_map() -> dict[str, int]:
    from movies.models import Movie, normalize_title

    titles: dict[str, int] = {}
    movies = Movie.objects.filter(hidden=False).order_by("-num_ratings", "pk")
    for pk, title in movies.values_list("pk", "title"):
        key = normalize_title(title)
        keys = [key] + [key[len(a) :] for a in ARTICLES if key.startswith(a)]
        for name in keys:
            if name and len(name.split()) <= MAX_TITLE_WORDS:
                titles.setdefault(name, pk)  # the most-rated movie of a shared title wins
    return titles


def _named_movies(text: str, titles: dict[str, int]) -> list[int]:
    """Movies the text names as a reference, longest title first, left to right."""
    from movies.models import normalize_title

    quoted = {normalize_title(q) for q in re.findall(r"[\"“'‘「『](.+?)[\"”'’」』]", text)}
    words = normalize_title(text).split()
    # normalize_title decomposes Hangul (NFKD), so the Korean cues are compared decomposed too.
    cues_after = {normalize_title(c) for c in CUES_AFTER}
    found: list[int] = []
    i = 0
    while i < len(words) and len(found) < MAX_NAMED:
        for n in range(min(MAX_TITLE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if phrase not in titles:
                continue
            before = words[i - 1] if i else ""
            before_2 = " ".join(words[max(0, i - 2) : i])
            after = words[i + n] if i + n < len(words) else ""
            cued = (
                before in CUES_BEFORE
                or before_2 in CUES_BEFORE_2
                or (found and before in CUES_BETWEEN)
                or after in cues_after
            )
            if cued or phrase in quoted or n >= 3:
                if titles[phrase] not in found:
                    found.append(titles[phrase])
                i += n - 1
                break
        i += 1
    return found
