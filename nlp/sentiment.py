"""Sentiment (negative / neutral / positive) from a trained linear model over hashed character n-grams.

The weights in `data/sentiment.npz` are trained by `python -m nlp.sentiment_train` from public review corpora
(online-shopping and food-delivery reviews, README "Sentiment model") plus the project's own service messages as the
neutral class; only the weights ship. Features are character 1–3-grams hashed (CRC-32) into a fixed number of
buckets, so the file holds no vocabulary and no text.

`neutral` is a calibrated band: a message is negative or positive only when that class's probability clears the
threshold fitted at training time, so a repair request ("空调不制冷了") or a booking stays neutral unless the
customer says how they feel.
"""
from __future__ import annotations

import json
import re
import threading
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .linear import margins

WEIGHTS = Path(__file__).parent / "data" / "sentiment.npz"
CLASSES = ("negative", "neutral", "positive")
NGRAMS = (1, 3)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
# Politeness formulas carry no feeling in a service chat, though reviews use 不好意思 for embarrassment.
_POLITE = re.compile(r"不好意思|打扰(?:一下|了|您了)?|请问|麻烦(?:你|您)?了?|你好|您好|亲亲?")
_QUANTITY_ALONE = re.compile(r"^\s*[\d一二两三四五六七八九十百几半]+\s*(?:分钟|秒|小时|个?钟头|天|周|个?星期|个月|年|个|台|次|块|元|"
                             r"楼|层|米)?\s*[。.!！~～]*$")
"""A number alone ("3分钟", "两台"): what the reviews the model learnt from say next to such words is no mood here."""


def hashed_features(text: str, buckets: int) -> dict[int, int]:
    """Bucket → count for the char n-grams of normalized `text` (training and inference share this), counted
    n-gram length by length, left to right.

    Each n-gram's CRC-32 continues the checksum of the n-gram one character shorter at the same place
    (`zlib.crc32(b, zlib.crc32(a)) == zlib.crc32(a + b)`), so each character is encoded to UTF-8 once and no n-gram
    string is built."""
    text = "^" + _SPACES.sub(" ", _DIGITS.sub("0", text.lower())).strip() + "$"
    chars = list(map(str.encode, text))
    low, high = NGRAMS
    checksums = list(map(zlib.crc32, chars))
    grams = checksums[:] if low == 1 else []
    for n in range(2, high + 1):
        checksums = list(map(zlib.crc32, chars[n - 1:], checksums))
        if n >= low:
            grams += checksums
    return Counter([crc % buckets for crc in grams])


@dataclass(frozen=True, slots=True)
class Mood:
    """A sentiment label and its score in [-1, 1]: P(positive) − P(negative)."""

    label: str
    score: float


class SentimentModel:
    """Multinomial logistic regression over L2-normalized hashed n-gram counts, with a neutral band."""

    def __init__(self, *, coef: np.ndarray, intercept: np.ndarray, thresholds: dict[str, float]) -> None:
        self._weights = np.ascontiguousarray(coef.T, dtype=np.float64)  # buckets × classes
        self._intercept = intercept.astype(np.float64)
        self.buckets = self._weights.shape[0]
        self.thresholds = dict(thresholds)

    def probabilities(self, text: str) -> np.ndarray:
        logits = margins(hashed_features(text, self.buckets), self._weights, self._intercept)
        exp = np.exp(logits - max(logits.tolist()))
        return exp / np.add.reduce(exp)

    def mood(self, text: str) -> Mood:
        text = _POLITE.sub("，", text)
        if not text.strip("，, ") or _QUANTITY_ALONE.match(text):
            return Mood("neutral", 0.0)
        p = self.probabilities(text)
        negative, positive = float(p[0]), float(p[2])
        label = "neutral"
        if negative >= self.thresholds["negative"] and negative > positive:
            label = "negative"
        elif positive >= self.thresholds["positive"] and positive > negative:
            label = "positive"
        return Mood(label, positive - negative)

    def save(self, path: Path, meta: dict[str, object]) -> None:
        with open(path, "wb") as fh:
            np.savez_compressed(fh, coef=self._weights.T.astype(np.float16), intercept=self._intercept,
                                thresholds=np.array(json.dumps(self.thresholds)), meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "SentimentModel":
        with np.load(path, allow_pickle=False) as data:
            return cls(coef=data["coef"], intercept=data["intercept"],
                       thresholds=json.loads(str(data["thresholds"])))


_lock = threading.Lock()
_model: SentimentModel | None = None


def shipped_sentiment() -> SentimentModel:
    """The shipped sentiment model, loaded once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = SentimentModel.load()
        return _model
