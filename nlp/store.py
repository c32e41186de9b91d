"""Where type models live: the shipped model is built on first use and cached, versioned by data + code hash.

Cache directory: `$AFTERSALES_MODEL_DIR` if set, else `var/models/` under the working directory (next to the hub's
`var/aftersales.db`). The cached file is `types-<hash>.npz`, where the hash covers the shipped training data and the
feature/model code, so editing either builds a new model and an old or foreign file is never reused. A cache file that
is corrupt is rebuilt; an unwritable cache directory only costs a rebuild per process. An explicit model path (server
`[nlp] model_path`, `--model`) is never rebuilt: a bad one is refused with `ModelError`.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Sequence

from .corpus import SHIPPED_TRAIN, Example, fingerprint, read_examples
from .cleaning import corrected
from .model import ModelError, TypeModel, code_version, cross_validator
from .placeholders import masked
from .tokenize import words_and_pairs

_lock = threading.Lock()
_shipped: TypeModel | None = None


def model_dir() -> Path:
    return Path(os.environ.get("AFTERSALES_MODEL_DIR") or Path.cwd() / "var" / "models")


def shipped_key() -> str:
    return hashlib.sha256(f"{fingerprint([SHIPPED_TRAIN])}:{code_version()}".encode()).hexdigest()[:16]


def train(extra: Sequence[Example] = ()) -> TypeModel:
    """Fit a model on the shipped examples plus `extra` (a company's own labelled history), each row of `extra` whose
    label is probably wrong learnt as the type it probably has (`nlp.cleaning`: folds read as char n-grams and as
    words), with weights of the company's own beside the shared ones (`nlp.model._fit`).

    The shipped examples alone are hand-written and clean, and how many there are of each type follows how often
    customers ask for it (questions most): a loose fit, no reweighting of types. A company's history is noisy and
    its rare types would drown: a tighter fit, every type weighted equally."""
    shipped = read_examples(SHIPPED_TRAIN)
    texts, labels = [masked(e.text) for e in shipped], [e.type for e in shipped]
    if not extra:
        return TypeModel.train(texts, labels, meta={"shipped": shipped_key(), "extra_examples": 0,
                                                    "relabelled_examples": 0}, c=1.0, balanced=False)
    extra_texts, extra_labels = [masked(e.text) for e in extra], [e.type for e in extra]
    everything, given = texts + extra_texts, labels + extra_labels
    learnt = corrected(extra_labels, labels, [cross_validator(everything, given),
                                              cross_validator(everything, given, analyzer=words_and_pairs)])
    return TypeModel.train(texts + extra_texts, labels + learnt, own=[False] * len(texts) + [True] * len(extra),
                           meta={"shipped": shipped_key(), "extra_examples": len(extra),
                                 "relabelled_examples": sum(a != b for a, b in zip(learnt, extra_labels))})


def shipped_model() -> TypeModel:
    """The model trained on the shipped data only: from memory, else the cache, else trained and cached."""
    global _shipped
    with _lock:
        if _shipped is None:
            path = model_dir() / f"types-{shipped_key()}.npz"
            try:
                _shipped = TypeModel.load(path)
            except ModelError:
                _shipped = train()
                try:
                    _shipped.save(path)
                except OSError:
                    pass  # read-only cache: the in-memory model still serves this process
        return _shipped


def load_model(path: str | os.PathLike[str] | None = None) -> TypeModel:
    """An explicit model file (refused with ModelError when unusable), or the shipped model when `path` is None."""
    if path is None:
        return shipped_model()
    return TypeModel.load(Path(path))
