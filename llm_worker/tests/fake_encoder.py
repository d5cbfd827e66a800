"""A deterministic stand-in for a sentence encoder: a hashed bag of words. Texts that share
words get similar vectors, so ranking tests mean something, and it costs nothing to load."""

from __future__ import annotations

import hashlib
import re

import numpy as np


class HashingEncoder:
    def __init__(self, dim: int = 64, name: str = "test:hashing-64") -> None:
        self.dim = dim
        self.name = name
        self.calls: list[list[str]] = []  # every batch it was asked to encode

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.casefold()):
                h = int.from_bytes(hashlib.md5(word.encode()).digest()[:4], "little")
                out[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return out

    @property
    def encoded_texts(self) -> list[str]:
        return [t for batch in self.calls for t in batch]
