"""The ticket-type model's features: character 1–3-grams of the normalized, lower-cased text.

Characters rather than jieba words: Chinese customer text is full of typos, slang and run-together phrases that a
segmenter splits inconsistently, char n-grams cover them, and they cost microseconds instead of jieba's ~100 µs per
message and its second-long start-up. Digit runs collapse to one symbol so phone and order numbers never become
vocabulary. Training (scikit-learn) and inference (`TypeModel`) call this same function.
"""
from __future__ import annotations

import re

NGRAM_RANGE = (1, 3)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def features(text: str) -> list[str]:
    """All char n-grams of `text`, with "^"/"$" marking the message edges (short messages are mostly edges)."""
    text = "^" + _SPACES.sub(" ", _DIGITS.sub("0", text.lower())).strip() + "$"
    low, high = NGRAM_RANGE
    n_chars = len(text)
    return [text[i:i + n] for n in range(low, high + 1) for i in range(n_chars - n + 1)]
