"""The ticket-type classifier: trained with scikit-learn, served by a few numpy lines.

Training fits TF-IDF over `features` and a linear SVM. The fitted vocabulary, idf weights and class weights are
exported to one `.npz` (no pickle, so a model file can be loaded without trusting it), and prediction recomputes the
same TF-IDF vector by hand: no vectorizer objects at run time, tens of thousands of messages per second on one core.
Confidence is a softmax over the SVM margins (temperature `_TEMPERATURE`), good enough to rank and threshold.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from .features import features
from .linear import margins

FORMAT = 1
_TEMPERATURE = 3.0
FOLD_C = 1.0
"""Regularisation of the cross-validation folds that judge a company's labels: looser than the final fit's 0.3, so
a fold leans on the company's own rows more than on the shipped examples."""


class ModelError(Exception):
    """A model file that cannot be used: missing, corrupt, or built by a different feature code."""


def code_version() -> str:
    """Hash of everything that shapes a model besides its data; a model from other code is never reused."""
    here = Path(__file__).parent
    digest = hashlib.sha256(f"format={FORMAT}".encode())
    for name in ("features.py", "model.py", "normalize.py", "placeholders.py", "entities.py", "addresses.py",
                 "times.py", "linear.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Prediction:
    type: str
    confidence: float


def _fit(texts: Sequence[str], labels: Sequence[str], *, c: float, balanced: bool, own: Sequence[bool] | None
         ):  # -> (TfidfVectorizer, classes, coef, intercept)
    """TF-IDF and a linear SVM. Rows marked `own` (a company's history beside the shipped examples) also get a
    second copy of their features that only they train (Daumé's "frustratingly easy" domain adaptation): where the
    company's conventions differ from the shipped examples' (a shop that files goods arrived broken as returns, not
    repairs) its own weights follow them, where they agree the shared weights learn from both. A message is read
    with both copies, so the model keeps one weight per feature: their sum."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, dtype=np.float32)
    svm = LinearSVC(C=c, class_weight="balanced" if balanced else None)
    matrix = vectorizer.fit_transform(texts)
    if own is None:
        svm.fit(matrix, list(labels))
        return vectorizer, svm.classes_, svm.coef_, svm.intercept_
    copy = sparse.diags(np.asarray(own, dtype=np.float32)) @ matrix
    svm.fit(sparse.hstack([matrix, copy], format="csr"), list(labels))
    width = matrix.shape[1]
    return vectorizer, svm.classes_, svm.coef_[:, :width] + svm.coef_[:, width:], svm.intercept_


def cross_validator(texts: Sequence[str], labels: Sequence[str], analyzer: Callable[[str], list[str]] = features
                    ) -> Callable[[np.ndarray, np.ndarray], tuple[list[str], np.ndarray]]:
    """(train rows, test rows) → (classes, margins of the test rows) from a throw-away model fitted on the train
    rows only, reading each text as `analyzer` splits it (the model's own features unless told otherwise). The
    TF-IDF matrix of all `texts` is computed once, on the first fold (the idf sees every text, never a label), so
    each cross-validation fold costs one SVM fit instead of re-extracting every message's features."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    targets = np.array(labels)
    matrices: list = []
    lock = threading.Lock()  # folds may run in threads (liblinear releases the GIL); the matrix is built once

    def fold(train_rows: np.ndarray, test_rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        with lock:
            if not matrices:
                vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
                matrices.append(vectorizer.fit_transform(texts).tocsr())
        matrix = matrices[0]
        svm = LinearSVC(C=FOLD_C, class_weight="balanced").fit(matrix[train_rows], targets[train_rows])
        margins = svm.decision_function(matrix[test_rows])
        if margins.ndim == 1:  # binary problem: one margin for the second class
            margins = np.column_stack([-margins, margins])
        return [str(c) for c in svm.classes_], margins

    return fold


class TypeModel:
    """A fitted linear model over TF-IDF char n-grams; immutable once built."""

    def __init__(self, *, classes: Sequence[str], vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, meta: dict[str, object]) -> None:
        self.classes = tuple(classes)
        self.meta = dict(meta)
        self._index = {feature: i for i, feature in enumerate(vocabulary)}
        self._idf = idf.astype(np.float64)
        # Rows per feature so one message is a small gather + sum, not a sparse matrix product.
        self._weights = np.ascontiguousarray(coef.T, dtype=np.float64)
        self._intercept = intercept.astype(np.float64)
        self._other = self.classes.index("other") if "other" in self.classes else 0

    # --- training ---------------------------------------------------------------------------------------------
    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, meta: dict[str, object] | None = None,
              c: float = 0.3, balanced: bool = True, own: Sequence[bool] | None = None) -> "TypeModel":
        """Fit the linear SVM with regularisation `c`, every type weighted equally when `balanced`, the rows marked
        `own` adapted to (`_fit`)."""
        if len(set(labels)) < 2:
            raise ModelError("training needs at least two ticket types")
        vectorizer, classes, coef, intercept = _fit(texts, labels, c=c, balanced=balanced, own=own)
        vocabulary = [""] * len(vectorizer.vocabulary_)
        for feature, i in vectorizer.vocabulary_.items():
            vocabulary[i] = feature
        if coef.shape[0] == 1:  # binary problem: sklearn keeps one row for the positive class
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        return cls(classes=[str(c) for c in classes], vocabulary=vocabulary, idf=vectorizer.idf_, coef=coef,
                   intercept=intercept, meta={"format": FORMAT, "code": code_version(), **(meta or {})})

    # --- inference --------------------------------------------------------------------------------------------
    def scores(self, text: str) -> np.ndarray | None:
        """SVM margins for normalized `text`, or None when none of its features were seen in training."""
        counts = Counter(map(self._index.get, features(text)))  # vocabulary rows in order of first occurrence
        counts.pop(None, None)  # features never seen in training
        if not counts:
            return None
        return margins(counts, self._weights, self._intercept, self._idf)

    def predict(self, text: str) -> Prediction:
        scores = self.scores(text)
        if scores is None:
            return Prediction("other", 0.0)
        exp = np.exp((scores - max(scores.tolist())) * _TEMPERATURE)  # Python's max: a third of ndarray.max's cost
        best = int(exp.argmax())
        return Prediction(self.classes[best], float(exp[best] / np.add.reduce(exp)))

    def predict_many(self, texts: Iterable[str]) -> list[str]:
        return [self.predict(t).type for t in texts]

    # --- storage ----------------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so concurrent builders never expose a half-written model."""
        path.parent.mkdir(parents=True, exist_ok=True)
        vocabulary = [""] * len(self._index)
        for feature, i in self._index.items():
            vocabulary[i] = feature
        tmp = path.with_name(f".{path.name}.{hashlib.sha1(str(id(self)).encode()).hexdigest()[:8]}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, classes=np.array(self.classes), vocabulary=np.array(vocabulary), idf=self._idf,
                     coef=self._weights.T.astype(np.float32), intercept=self._intercept,
                     meta=np.array(json.dumps(self.meta)))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "TypeModel":
        """Load a model file, refusing (ModelError) anything missing, corrupt or from other feature code."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if not isinstance(meta, dict) or meta.get("code") != code_version():
                    raise ModelError(f"{path}: model was built by a different version of the nlp code; retrain it")
                model = cls(classes=data["classes"].tolist(), vocabulary=data["vocabulary"].tolist(),
                            idf=data["idf"], coef=data["coef"], intercept=data["intercept"], meta=meta)
        except ModelError:
            raise
        except FileNotFoundError:
            raise ModelError(f"{path}: model file not found") from None
        except Exception as exc:  # numpy/zip/json raise many types for a damaged file
            raise ModelError(f"{path}: not a readable type model ({exc.__class__.__name__})") from None
        if model._weights.shape != (len(model._index), len(model.classes)):
            raise ModelError(f"{path}: model arrays do not match")
        return model
