"""Knowledge-base retrieval: the article that best answers a customer's question, and whether it is sure enough.

Each article is one document of its title, example questions and answer body. Text is normalized, long numbers collapse,
and synonym names from the domain dictionary are appended (nlp.synonyms); then three TF-IDF views are taken —
character unigrams, character bigrams and jieba words — and fused into one cosine: characters survive the typos and
run-together phrasing of chat, words add the domain terms. The title and questions carry most of the weight; the body
adds its vocabulary at `BODY_WEIGHT`, since an answer also explains things nobody asked about. Scoring is one sparse
matrix product, so a query over 10,000 articles stays in the low milliseconds.

`score` is that fused cosine in [0, 1]; `answered` means it reached the threshold, calibrated by `bench/bench_kb.py`
on questions no article lists (the hub passes `[kb] threshold`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from core.domain.knowledge import Article

from .normalize import normalize
from .synonyms import Synonyms, domain_synonyms
from .tokenize import words

VIEW_WEIGHTS = {"chars": 1.0, "bigrams": 0.5, "words": 0.3}
"""How much each view counts in the fused cosine; chosen on the CIC-built benchmark (bench/bench_kb.py)."""
BODY_WEIGHT = 0.2
TITLE_REPEAT = 2
"""The title names the topic, where each example question is one customer's wording: it counts twice."""
_BATCH = 256
_NUMBERS = re.compile(r"\d{3,}")
"""Prices, phone and order numbers collapse to one symbol; short ones stay, since E1 and E4 are different faults."""
_RUNS = re.compile(r"[^\W_]+")
"""Letters and digits of any script (CJK included); punctuation and spaces separate runs."""


@dataclass(frozen=True, slots=True)
class Match:
    article_id: str
    title: str
    score: float
    answered: bool
    body: str

    def to_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "title": self.title, "score": round(self.score, 4),
                "answered": self.answered}


def _chars(text: str) -> list[str]:
    return [c for run in _RUNS.findall(text) for c in run]


def _bigrams(text: str) -> list[str]:
    return [run[i:i + 2] for run in _RUNS.findall(text) for i in range(len(run) - 1)]


def _words(text: str) -> list[str]:
    return [w for w in words(text) if _RUNS.search(w)]


_VIEWS: dict[str, Callable[[str], list[str]]] = {"chars": _chars, "bigrams": _bigrams, "words": _words}


class KnowledgeBase:
    """An immutable index over articles, built once (at start or per CLI call) and searched from any thread."""

    def __init__(self, articles: Sequence[Article], *, threshold: float,
                 synonyms: Synonyms | None = None) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        self.threshold = threshold
        self._articles = tuple(articles)
        self._synonyms = synonyms or domain_synonyms()
        self._vectorizers: dict[str, TfidfVectorizer] = {}
        self._by_term: sparse.csr_matrix | None = None
        """Terms × articles: a query's product then walks only its own terms' rows (like posting lists)."""
        if self._articles:
            self._build()

    def __len__(self) -> int:
        return len(self._articles)

    def search(self, query: str) -> Match | None:
        """The best article for `query`, or None when nothing in the knowledge base shares a term with it."""
        return self.search_many([query])[0]

    def search_many(self, queries: Iterable[str]) -> list[Match | None]:
        """`search` for many queries at once (one matrix product per batch)."""
        queries = list(queries)
        if self._by_term is None:
            return [None] * len(queries)
        matches: list[Match | None] = []
        for start in range(0, len(queries), _BATCH):
            scores = (self._vectors(queries[start:start + _BATCH]) @ self._by_term).toarray()
            best = scores.argmax(axis=1)
            for row, column in enumerate(best):
                score = float(scores[row, column])
                matches.append(self._match(int(column), score) if score > 0 else None)
        return matches

    def _match(self, index: int, score: float) -> Match:
        article = self._articles[index]
        return Match(article_id=article.id, title=article.title, score=score, answered=score >= self.threshold,
                     body=article.body)

    def _prepare(self, text: str) -> str:
        return self._synonyms.expand(_NUMBERS.sub("0", normalize(text).lower()))

    def _build(self) -> None:
        main = [self._prepare("\n".join((*[a.title] * TITLE_REPEAT, *a.questions))) for a in self._articles]
        body = [self._prepare(a.body) for a in self._articles]
        whole = [f"{m}\n{b}" for m, b in zip(main, body)]
        for name, analyzer in _VIEWS.items():
            self._vectorizers[name] = TfidfVectorizer(analyzer=analyzer, dtype=np.float32).fit(whole)
        self._by_term = ((1 - BODY_WEIGHT) * self._fuse(main) + BODY_WEIGHT * self._fuse(body)).T.tocsr()

    def _vectors(self, queries: Sequence[str]) -> sparse.csr_matrix:
        return self._fuse([self._prepare(q) for q in queries])

    def _fuse(self, prepared: Sequence[str]) -> sparse.csr_matrix:
        """Each view's L2-normalized TF-IDF rows, scaled so a dot product of two fused rows is the weighted mean of
        the views' cosines."""
        total = sum(VIEW_WEIGHTS.values())
        blocks = [self._vectorizers[name].transform(prepared) * np.sqrt(weight / total)
                  for name, weight in VIEW_WEIGHTS.items()]
        return sparse.hstack(blocks, format="csr")
