"""The arithmetic both linear models (ticket type, sentiment) serve with: sublinear term frequency, L2 norm, margins.

Both were trained on L2-normalised 1 + ln(count) vectors (the type model times idf). Serving one message costs a
handful of small numpy calls, so the calls are the cheap ones for the job (`ndarray.take`, `ndarray.dot`), and the
logarithms come from a table built with `math.log` once instead of a call per feature; every value is the same float
the plain expressions give.
"""
from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

_LOG_TF = np.array([math.nan, *(1.0 + math.log(count) for count in range(1, 4096))], dtype=np.float64)
"""1 + ln(count) by count; a feature counted is counted at least once, so index 0 is never read."""


def log_tf(counts: Collection[int]) -> np.ndarray:
    """1 + ln(count) for each of `counts` (each ≥ 1), as float64, in order."""
    try:
        return _LOG_TF[np.fromiter(counts, dtype=np.intp, count=len(counts))]
    except IndexError:  # a count past the table
        return np.array([1.0 + math.log(count) for count in counts], dtype=np.float64)


def margins(counts: dict[int, int], weights: np.ndarray, intercept: np.ndarray,
            idf: np.ndarray | None = None) -> np.ndarray:
    """`intercept` + the L2-normalised sublinear tf (times `idf` when given) of `counts` (feature row → count, in
    the order the features occur: the sums run in that order) times the `weights` rows they count."""
    rows = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    values = log_tf(counts.values())
    if idf is not None:
        values = values * idf[rows]
    values /= math.sqrt(float(values.dot(values)))
    return values.dot(weights.take(rows, axis=0)) + intercept

