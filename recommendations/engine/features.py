"""User and item side features as named keys ("gender:F", "genre:Drama", "decade:1990") and a
`FeatureSpace` that turns them into the sparse matrices LightFM reads. The names are saved
with a model so a folded-in user or a new movie maps to the same columns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .data import ItemInfo, UserInfo

AGE_BUCKETS = ((18, "<18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (50, "45-49"))


def age_bucket(age: int | None) -> str | None:
    if not age:
        return None
    for limit, label in AGE_BUCKETS:
        if age < limit:
            return label
    return "50-55" if age < 56 else "56+"


def user_keys(info: UserInfo | None) -> list[str]:
    if info is None:
        return []
    keys = []
    bucket = age_bucket(info.age)
    if bucket:
        keys.append(f"age:{bucket}")
    if info.gender in ("F", "M"):
        keys.append(f"gender:{info.gender}")
    if info.occupation:
        keys.append(f"occupation:{info.occupation}")
    return keys


def segment_key(info: UserInfo | None) -> str:
    """The demographic cell used by demographics-aware popularity."""
    if info is None:
        return ""
    return f"{age_bucket(info.age) or '?'}|{info.gender or '?'}"


def item_keys(info: ItemInfo | None, *, top_cast: int = 3, keywords: int = 10) -> list[str]:
    if info is None:
        return []
    keys = [f"genre:{g}" for g in info.genres]
    if info.year:
        keys.append(f"decade:{info.year // 10 * 10}")
    keys += [f"director:{d}" for d in info.directors[:2]]
    keys += [f"cast:{c}" for c in info.cast[:top_cast]]
    keys += [f"keyword:{k}" for k in info.keywords[:keywords]]
    if info.language:
        keys.append(f"lang:{info.language}")
    return keys


class FeatureSpace:
    """Named feature columns. Rare keys (a director of one movie) are dropped: they add
    parameters without sharing anything across entities."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def build(cls, keys_per_entity: Sequence[Sequence[str]], *, min_count: int = 2):
        counts = Counter(k for keys in keys_per_entity for k in set(keys))
        return cls(sorted(k for k, c in counts.items() if c >= min_count))

    def row(self, keys: Sequence[str]) -> np.ndarray:
        return np.array(sorted({self.index[k] for k in keys if k in self.index}), dtype=np.int64)

    def matrix(self, keys_per_entity: Sequence[Sequence[str]], *, identity: bool) -> sp.csr_matrix:
        """Rows sum to 1: identity (if any) weighs as much as all side features together, so
        well-known entities lean on their own vector and new ones on their features."""
        n = len(keys_per_entity)
        offset = n if identity else 0
        rows, cols, vals = [], [], []
        for e, keys in enumerate(keys_per_entity):
            feats = self.row(keys)
            parts = 1 + (len(feats) > 0) if identity else 1
            if identity:
                rows.append(e)
                cols.append(e)
                vals.append(1.0 / parts)
            for f in feats:
                rows.append(e)
                cols.append(offset + f)
                vals.append(1.0 / parts / len(feats))
        return sp.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(n, offset + len(self))
        )
