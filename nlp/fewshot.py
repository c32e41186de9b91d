"""A classifier over a knowledge base's own example questions: which article a question is most like, learned
from the articles' titles and examples as labelled samples (one label per article).

A cosine weighs every shared term by its IDF alone; the classifier learns which terms set one article apart from
the others it is confused with ("好评" for the article on review cash-back, not the one on promotions) and which
words every article shares. Its probability scales the similarity score rather than replacing it: with five
examples an article it knows little of must still be found by the cosine. Multinomial logistic regression over the
same fused TF-IDF rows the index uses plus the word-vector rows; fitting costs about a second per hundred articles,
so above `ARTICLE_LIMIT` articles the index goes without it.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

ARTICLE_LIMIT = 300
REGULARIZATION = 10.0
"""Inverse regularization strength (scikit-learn's C); chosen on the CIC-built benchmark (bench/bench_kb.py)."""
MEANING_SHARE = 0.3
"""Squared scale of the word-vector columns beside the unit-length lexical rows."""


class ExampleClassifier:
    def __init__(self, lexical: sparse.csr_matrix, meaning: np.ndarray, labels: np.ndarray, articles: int) -> None:
        """Rows: one per title or example question, `labels` the index of its article among `articles`."""
        with threadpool_limits(limits=1):
            model = LogisticRegression(C=REGULARIZATION, max_iter=100, tol=1e-3).fit(
                sparse.hstack([lexical, sparse.csr_matrix(meaning * np.sqrt(MEANING_SHARE))], format="csr"), labels)
        """One BLAS thread: the fit's products are small, and threaded ones spent more CPU waiting for a core than
        computing (the starter knowledge base's fit took 1.6 s CPU on a busy machine, 0.3 s on one thread)."""
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:
            coef, intercept = np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
        """Two classes fit one margin; split in halves it gives the same probabilities through the softmax."""
        weights = np.zeros((coef.shape[1], articles), dtype=np.float32)
        weights[:, model.classes_] = coef.T
        self._lexical = np.ascontiguousarray(weights[:lexical.shape[1]])
        self._meaning = np.ascontiguousarray(weights[lexical.shape[1]:] * np.sqrt(MEANING_SHARE))
        self._intercept = np.full(articles, -np.inf, dtype=np.float32)
        self._intercept[model.classes_] = intercept
        """Terms × articles and dimensions × articles, row-major: a query's sparse row then reads only its own
        terms' rows (scikit-learn's predict_proba took 20-60 ms a question over a few hundred articles). The query
        rows are cast to float32 to match: scipy would otherwise copy the whole matrix to float64 on every call."""

    def probabilities(self, lexical: sparse.csr_matrix, meaning: np.ndarray) -> np.ndarray:
        """Queries × articles: how likely each article is the one each query belongs to (rows sum to 1)."""
        margins = lexical.astype(np.float32) @ self._lexical + np.einsum("qd,da->qa", meaning, self._meaning) + self._intercept
        weights = np.exp(margins - margins.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True)
