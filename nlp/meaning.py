"""Word vectors that carry meaning between words a question and an article do not share ("到哪了" and "物流").

The vectors (`nlp/data/meaning.npz`) were learned by `python -m nlp.meaning_train` from unlabeled public text: each
word is a row of a truncated SVD of its positive pointwise mutual information with the words around it, so words
used alike lie close. Each row is already scaled by how rare the word is (smooth inverse frequency) and has the
direction that all sentences share removed, so a text's vector is just the sum of its words' rows, normalized.
The file holds a word list (single jieba words, no text) and the float16 rows; it is read once per process.

Tried beside the ticket-type model's n-grams (`nlp.model`) for real buyer messages and not kept (zero-shot macro-F1
on the public CIC dev.json, never trained on: 0.6618 today, halves 0.6864 / 0.6446; the shipped held-out split
0.8973). The figure is noisier than a bootstrap of dev says: composing the same seeds with three other random seeds
gives 0.6562, 0.6657 and 0.6651. A linear SVM (C=1) over each message's vector, its margins added to the n-grams'
times a weight: over jieba words, 0.6708 (0.6821 / 0.6627) at 0.15, the weight best on the held-out split (0.9052),
0.6777 at 0.25; over words cut by maximum matching on the word list (a tenth of jieba's cost; Latin runs skipped,
else English messages lost three of 111), 0.6655 (0.6871 / 0.6493) at 0.15, again best on the held-out split
(0.9047), 0.6691 at 0.2, 0.6754 at 0.3, and 0.007-0.024 more on each of the three other composes at 0.1 and 0.2: a
small gain every time, but the hand-written messages fell from 0.9752 to 0.9624 and `other` from 0.9688 to 0.9583
(an installer's dirty wall read as installation, "钱已经付过了" and "刚才发错了" as returns), full understanding from
6,100 to 5,150 msg/s back to back, and `nlp train` on the CIC halves from 0.7567 to 0.7415. Also the cosine to each
type's mean vector over the shipped examples (0.6649 at weight 1, 0.6748 at 2; held-out 0.8999, 0.8950), the mean
cosine of each type's five nearest shipped examples (0.6830 at 2; held-out 0.8959), and the vectors as extra
columns of the n-grams' SVM (0.6750 at scale 0.5; held-out 0.8994), and the margins counted only where the
n-grams' best two lie within 0.1-0.5 of each other (0.6614-0.6691 at weight 0.2, still two to four hand-written
messages lost for at most two gained). Without the vectors: C 0.3, 1 or 3, types
weighted or not (0.6566-0.6619), logistic regression (0.6573-0.6595).
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
