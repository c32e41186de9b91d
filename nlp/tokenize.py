"""jieba word segmentation with the after-sales domain dictionary, initialised once per process, for the
knowledge-base retrieval's word view (nlp.retrieval) and the word view that judges a company's labels
(nlp.cleaning).

jieba's first load costs a second or more, so it happens lazily on first use; after that every caller shares the same
`jieba.Tokenizer`.
"""
from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

DOMAIN_DICT = Path(__file__).parent / "data" / "domain_dict.txt"
_DIGITS = re.compile(r"\d+")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The shared tokenizer: jieba's dictionary plus appliances, parts, fault words and after-sales terms."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                tk.load_userdict(str(DOMAIN_DICT))
                _tokenizer = tk
    return _tokenizer


def words(text: str) -> list[str]:
    """Segment normalized text into words, dropping whitespace tokens."""
    return [w for w in tokenizer().lcut(text, HMM=False) if not w.isspace()]


def words_and_pairs(text: str) -> list[str]:
    """The lower-cased words of `text` (digit runs as one "0", so numbers never become vocabulary) and each pair of
    neighbouring words: a second reading of a message beside the char n-grams, whose mistakes fall elsewhere."""
    found = [w for w in tokenizer().lcut(_DIGITS.sub("0", text.lower())) if w.strip()]
    return found + [f"{a} {b}" for a, b in zip(found, found[1:])]
