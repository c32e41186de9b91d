"""jieba word segmentation with the after-sales domain dictionary, initialised once per process, for the
knowledge-base retrieval's word view (nlp.retrieval).

jieba's first load costs a second or more, so it happens lazily on first use; after that every caller shares the same
`jieba.Tokenizer`.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba

DOMAIN_DICT = Path(__file__).parent / "data" / "domain_dict.txt"

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

