"""Word vectors that carry meaning between words a question and an article do not share ("到哪了" and "物流").

The vectors (`nlp/data/meaning.npz`) were learned by `python -m nlp.meaning_train` from unlabeled public text: each
word is a row of a truncated SVD of its positive pointwise mutual information with the words around it, so words
used alike lie close. Each row is already scaled by how rare the word is (smooth inverse frequency) and has the
direction that all sentences share removed, so a text's vector is just the sum of its words' rows, normalized.
The file holds a word list (single jieba words, no text) and the float16 rows; it is read once per process.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

VECTORS = Path(__file__).parent / "data" / "meaning.npz"


class WordVectors:
    def __init__(self, vocabulary: Sequence[str], rows: np.ndarray) -> None:
        if len(vocabulary) != len(rows):
            raise ValueError(f"{len(vocabulary)} words but {len(rows)} vectors")
        self._index = {word: i for i, word in enumerate(vocabulary)}
        self._rows = rows.astype(np.float32)

    @property
    def dimensions(self) -> int:
        return self._rows.shape[1]

    @classmethod
    def load(cls, path: Path = VECTORS) -> "WordVectors":
        with np.load(path, allow_pickle=False) as data:
            return cls(str(data["words"]).split("\n"), data["vectors"])

    def save(self, path: Path) -> None:
        words = sorted(self._index, key=self._index.__getitem__)
        np.savez_compressed(path, words=np.array("\n".join(words)), vectors=self._rows.astype(np.float16))

    def embed(self, texts: Sequence[Sequence[str]]) -> np.ndarray:
        """Texts (each a list of words) × dimensions, unit rows; zeros for a text with no known word."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, words in enumerate(texts):
            known = [self._index[w] for w in words if w in self._index]
            if known:
                out[row] = self._rows[known].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


@lru_cache(maxsize=1)
def shipped_vectors() -> WordVectors:
    return WordVectors.load()
