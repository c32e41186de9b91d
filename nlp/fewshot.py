"""A classifier over a knowledge base's own example questions: which article a question is most like, learned
from the articles' titles and examples as labelled samples (one label per article).

A cosine weighs every shared term by its IDF alone; the classifier learns which terms set one article apart from
the others it is confused with ("好评" for the article on review cash-back, not the one on promotions) and which
words every article shares. Its probability scales the similarity score rather than replacing it: with five
examples an article it knows little of must still be found by the cosine. Multinomial logistic regression over the
same fused TF-IDF rows the index uses, the word-vector rows, and the ticket-type model's distribution (nlp.model):
that model has read thousands of customer messages, so two questions of one kind lean the same way even where they
share no word, which five examples cannot teach. Fitting costs about a second per hundred articles, so above
`ARTICLE_LIMIT` articles the index goes without it.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

ARTICLE_LIMIT = 300
REGULARIZATION = 5.0
"""Inverse regularization strength (scikit-learn's C); chosen on the CIC-built benchmark (bench/bench_kb.py): at 10
it fitted wrongly labelled examples closely enough to cost 0.03 of R@1 where examples come from every row."""
MEANING_SHARE = 0.3
"""Squared scale of the word-vector columns beside the unit-length lexical rows."""
TYPES_SHARE = 1.0
"""Squared scale of the type distribution's columns; chosen on the CIC-built benchmark, where they took the
classifier's own R@1 from 0.584 to 0.606 on the tuning half."""


class ExampleClassifier:
    def __init__(self, lexical: sparse.csr_matrix, meaning: np.ndarray, types: np.ndarray, labels: np.ndarray,
                 articles: int) -> None:
        """Rows: one per title or example question, `labels` the index of its article among `articles`."""
        dense = np.hstack([meaning * np.sqrt(MEANING_SHARE), types * np.sqrt(TYPES_SHARE)])
        with threadpool_limits(limits=1):
            model = LogisticRegression(C=REGULARIZATION, max_iter=100, tol=1e-3).fit(
                sparse.hstack([lexical, sparse.csr_matrix(dense)], format="csr"), labels)
        """One BLAS thread: the fit's products are small, and threaded ones spent more CPU waiting for a core than
        computing (the starter knowledge base's fit took 1.6 s CPU on a busy machine, 0.3 s on one thread)."""
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:
            coef, intercept = np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
        """Two classes fit one margin; split in halves it gives the same probabilities through the softmax."""
        weights = np.zeros((coef.shape[1], articles), dtype=np.float32)
        weights[:, model.classes_] = coef.T
        self._lexical = np.ascontiguousarray(weights[:lexical.shape[1]])
        meaning_end = lexical.shape[1] + meaning.shape[1]
        self._meaning = np.ascontiguousarray(weights[lexical.shape[1]:meaning_end] * np.sqrt(MEANING_SHARE))
        self._types = np.ascontiguousarray(weights[meaning_end:] * np.sqrt(TYPES_SHARE))
        self._intercept = np.full(articles, -np.inf, dtype=np.float32)
        self._intercept[model.classes_] = intercept
        """Terms, dimensions and types × articles, row-major: a query's sparse row then reads only its own terms'
        rows (scikit-learn's predict_proba took 20-60 ms a question over a few hundred articles). The query rows are
        cast to float32 to match: scipy would otherwise copy the whole matrix to float64 on every call."""

    def probabilities(self, lexical: sparse.csr_matrix, meaning: np.ndarray, types: np.ndarray) -> np.ndarray:
        """Queries × articles: how likely each article is the one each query belongs to (rows sum to 1)."""
        margins = (lexical.astype(np.float32) @ self._lexical + np.einsum("qd,da->qa", meaning, self._meaning)
                   + np.einsum("qt,ta->qa", types, self._types) + self._intercept)
        weights = np.exp(margins - margins.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True)
