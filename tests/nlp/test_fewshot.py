"""The classifier over a knowledge base's own titles and example questions (nlp.fewshot)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.fewshot import ExampleClassifier

EXAMPLES = {0: ["现在有什么活动", "活动怎么参加", "满减活动还有吗"],
            1: ["好评返现多少钱", "给好评有返现吗", "好评返现怎么领"],
            2: ["什么时候发货", "今天能发货吗", "几天发货"]}


def _fit(articles: dict[int, list[str]], types: np.ndarray | None = None) -> tuple[ExampleClassifier, TfidfVectorizer]:
    texts = [t for texts in articles.values() for t in texts]
    labels = np.array([a for a, texts in articles.items() for _ in texts])
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit(texts)
    meaning = np.zeros((len(texts), 4), dtype=np.float32)
    types = np.zeros((len(texts), 2), dtype=np.float32) if types is None else types
    return ExampleClassifier(vectorizer.transform(texts), meaning, types, labels, len(articles)), vectorizer


def _probabilities(classifier: ExampleClassifier, vectorizer: TfidfVectorizer, queries: list[str],
                   types: np.ndarray | None = None) -> np.ndarray:
    rows: sparse.csr_matrix = vectorizer.transform(queries)
    types = np.zeros((len(queries), 2), dtype=np.float32) if types is None else types
    return classifier.probabilities(rows, np.zeros((len(queries), 4), dtype=np.float32), types)


def test_a_question_goes_to_the_article_whose_examples_it_resembles() -> None:
    classifier, vectorizer = _fit(EXAMPLES)
    likely = _probabilities(classifier, vectorizer, ["晒图好评返几块", "下单后多久发货", "有活动吗"])
    assert list(likely.argmax(axis=1)) == [1, 2, 0]
    assert likely.sum(axis=1) == pytest.approx(np.ones(3))


def test_two_articles_give_probabilities_for_both() -> None:
    classifier, vectorizer = _fit({0: EXAMPLES[1], 1: EXAMPLES[2]})
    cashback, shipping = _probabilities(classifier, vectorizer, ["好评返现", "发货"])
    assert cashback[0] > 0.5 > cashback[1] and shipping[1] > 0.5 > shipping[0]
    assert cashback.sum() == pytest.approx(1.0) and shipping.sum() == pytest.approx(1.0)


def test_the_type_model_leads_a_question_that_shares_no_word_with_any_example() -> None:
    articles = {0: EXAMPLES[1], 1: EXAMPLES[2]}
    inquiry, logistics = [1.0, 0.0], [0.0, 1.0]
    classifier, vectorizer = _fit(articles, np.array([inquiry] * 3 + [logistics] * 3, dtype=np.float32))
    likely = _probabilities(classifier, vectorizer, ["寄出去没", "寄出去没"], np.array([logistics, inquiry],
                                                                                   dtype=np.float32))
    assert likely[0].argmax() == 1 and likely[1].argmax() == 0
