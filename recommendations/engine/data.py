"""Interactions, stable id maps and MovieLens readers (ml-100k and the CSV family).

Plain Python: the evaluation script, the tests and the Django training path all build the
same `Interactions` and `TrainSet`; only where the rows come from differs."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ML100K_GENRES = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]


@dataclass(frozen=True)
class Interactions:
    """Rows of (user, item, rating, timestamp) in the dataset's own ids."""

    users: np.ndarray
    items: np.ndarray
    ratings: np.ndarray
    timestamps: np.ndarray

    def __len__(self) -> int:
        return len(self.users)

    def take(self, mask: np.ndarray) -> Interactions:
        return Interactions(
            self.users[mask], self.items[mask], self.ratings[mask], self.timestamps[mask]
        )

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> Interactions:
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        return cls(
            arr[:, 0].astype(np.int64),
            arr[:, 1].astype(np.int64),
            arr[:, 2].astype(np.float32),
            arr[:, 3].astype(np.int64),
        )

    @classmethod
    def concat(cls, parts: list[Interactions]) -> Interactions:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


_FIELDS = ("users", "items", "ratings", "timestamps")


class IdMap:
    """Raw id <-> dense index. Sorted raw ids, so the same ids always give the same map."""

    def __init__(self, ids) -> None:
        self.ids = np.unique(np.asarray(list(ids), dtype=np.int64))
        self._index = {int(r): i for i, r in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, raw: int) -> bool:
        return int(raw) in self._index

    def index(self, raw: int) -> int:
        return self._index[int(raw)]

    def get(self, raw: int, default: int | None = None) -> int | None:
        return self._index.get(int(raw), default)

    def indices(self, raws) -> np.ndarray:
        return np.fromiter((self._index[int(r)] for r in raws), dtype=np.int64)


@dataclass
class UserInfo:
    age: int | None = None
    gender: str = ""
    occupation: str = ""


@dataclass
class ItemInfo:
    title: str = ""
    year: int | None = None
    genres: list[str] = field(default_factory=list)
    # Catalogue-only metadata (empty for the raw datasets).
    directors: list[str] = field(default_factory=list)
    cast: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    language: str = ""


@dataclass
class Dataset:
    name: str
    path: Path | None
    interactions: Interactions
    users: dict[int, UserInfo]
    items: dict[int, ItemInfo]


def load_movielens(path: str | Path) -> Dataset:
    """Read a MovieLens folder: ml-100k (u.data/u.user/u.item) or the CSV family
    (ratings.csv/movies.csv)."""
    path = Path(path)
    if (path / "u.data").exists():
        return _load_ml100k(path)
    if (path / "ratings.csv").exists():
        return _load_csv_family(path)
    raise FileNotFoundError(f"{path} holds neither u.data (ml-100k) nor ratings.csv")


def read_ml100k_ratings(file: Path) -> Interactions:
    raw = np.loadtxt(file, dtype=np.int64, delimiter="\t").reshape(-1, 4)
    return Interactions(raw[:, 0], raw[:, 1], raw[:, 2].astype(np.float32), raw[:, 3])


def _load_ml100k(path: Path) -> Dataset:
    users = {}
    with open(path / "u.user", encoding="latin-1") as fh:
        for line in fh:
            if line.strip():
                uid, age, gender, occupation, _zip = line.rstrip("\n").split("|")
                users[int(uid)] = UserInfo(int(age), gender, occupation)
    items = {}
    with open(path / "u.item", encoding="latin-1") as fh:
        for line in fh:
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("|")
            flags = parts[5:24]
            year = _year(parts[2][-4:]) or _title_year(parts[1])
            genres = [g for g, f in zip(ML100K_GENRES, flags, strict=False) if f == "1"]
            items[int(parts[0])] = ItemInfo(parts[1], year, genres)
    return Dataset("ml-100k", path, read_ml100k_ratings(path / "u.data"), users, items)


def _load_csv_family(path: Path) -> Dataset:
    rows = []
    with open(path / "ratings.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for r in reader:
            rows.append((int(r[0]), int(r[1]), float(r[2]), int(r[3])))
    items = {}
    movies = path / "movies.csv"
    if movies.exists():
        with open(movies, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for r in reader:
                genres = [] if r[2] == "(no genres listed)" else r[2].split("|")
                items[int(r[0])] = ItemInfo(r[1], _title_year(r[1]), genres)
    return Dataset(path.name, path, Interactions.from_rows(rows), {}, items)


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() and 1870 < int(text) < 2100 else None


def _title_year(title: str) -> int | None:
    m = re.search(r"\((\d{4})\)\s*$", title or "")
    return _year(m.group(1)) if m else None


def k_core(inter: Interactions, *, min_user: int = 5, min_item: int = 5) -> Interactions:
    """One pass of item then user filtering, as the LlamaRec/LRURec preprocessing does."""
    items, counts = np.unique(inter.items, return_counts=True)
    inter = inter.take(np.isin(inter.items, items[counts >= min_item]))
    users, counts = np.unique(inter.users, return_counts=True)
    return inter.take(np.isin(inter.users, users[counts >= min_user]))


@dataclass
class TrainSet:
    """What every model trains on: a binary user x item matrix over fixed id maps plus each
    user's time-ordered history (for the sequential model)."""

    user_map: IdMap
    item_map: IdMap
    matrix: sp.csr_matrix
    sequences: list[np.ndarray]
    # Side features per user / item index (empty lists when the source has none).
    user_keys: list[list[str]] = field(default_factory=list)
    item_keys: list[list[str]] = field(default_factory=list)

    @property
    def n_users(self) -> int:
        return len(self.user_map)

    @property
    def n_items(self) -> int:
        return len(self.item_map)

    def item_counts(self) -> np.ndarray:
        return np.asarray(self.matrix.sum(axis=0)).ravel()


def build_trainset(
    inter: Interactions,
    *,
    user_map: IdMap,
    item_map: IdMap,
    user_keys: list[list[str]] | None = None,
    item_keys: list[list[str]] | None = None,
) -> TrainSet:
    """Implicit feedback: every rating counts as a positive (the issue's protocol)."""
    keep = np.fromiter(
        (u in user_map and i in item_map for u, i in zip(inter.users, inter.items, strict=True)),
        dtype=bool,
        count=len(inter),
    )
    inter = inter.take(keep)
    rows = user_map.indices(inter.users)
    cols = item_map.indices(inter.items)
    matrix = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(user_map), len(item_map)),
    )
    matrix.data[:] = 1.0  # duplicates collapse to one positive
    order = np.lexsort((cols, inter.timestamps, rows))
    rows, cols = rows[order], cols[order]
    bounds = np.searchsorted(rows, np.arange(len(user_map) + 1))
    sequences = [cols[bounds[u] : bounds[u + 1]] for u in range(len(user_map))]
    return TrainSet(
        user_map,
        item_map,
        matrix,
        sequences,
        user_keys or [[] for _ in range(len(user_map))],
        item_keys or [[] for _ in range(len(item_map))],
    )
