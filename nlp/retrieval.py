"""Knowledge-base retrieval: the article that best answers a customer's question, and whether it is sure enough.

Each article is one document of its title, example questions and answer body. Text is normalized, long numbers
collapse, and synonym names from the domain dictionary are appended (nlp.synonyms); then four TF-IDF views are taken —
character unigrams, bigrams and trigrams, and jieba words — and fused into one cosine: characters survive the typos
and run-together phrasing of chat, trigrams keep short phrases ("能便宜", "退运费") together, words add the domain
terms. In English a whole word counts as one character (a letter alone tells nothing), its bigrams and trigrams stay
inside the word, function words ("the", "is") are left out, a word loses its regular ending ("disconnects" and
"disconnecting" are one word), contractions are undone (the "s" of "it's" said nothing, and its word vector kept "is
the service free if it's still under warranty?" under the threshold) and a question's word that no article has is
read as the articles' word one typing slip away (`_Spelling`: "instalation"). The title and questions carry most of
the weight; the body adds its vocabulary at `BODY_WEIGHT`, since an answer also explains things nobody asked about.
Scoring is one sparse matrix product (per language), so a query over 10,000 articles stays in the low milliseconds.

Shared characters and words miss a question put in other words ("打个折吧" for an article on 优惠), so the score also
takes the cosine of word vectors learned from unlabeled public text (nlp.meaning): the question's words summed
against each article's title and questions summed, its negative part dropped, weighted `MEANING_WEIGHT` beside the
lexical cosine (a question with no word the vectors know, English for one, is scored by the lexical cosine alone).
On the CIC-built benchmark this adds about 0.015 to R@1 on both halves of the dev messages, with examples from every
row and from the consistent ones.

A question's polite openings and closing particles ("请问", "这个", "你们家的", "啊", "吗") are dropped before it is
scored: no article uses them, so in a small knowledge base they would weigh as much as "保修" and pull "这个保修多久"
below the threshold that "保修多久" clears.

A question is answered only by articles in its language (Chinese when it has Chinese characters, English when it
has English words and none; an article's language is its title's): a knowledge base may hold both, and an English
customer gets the English article. So each language's articles (with any whose title is in none) are indexed on
their own: the IDF statistics, the example classifier and every comparison between articles below (which of them
have a code, the best type agreement) see only them, and adding an English article never moves a Chinese question's
score, or the reverse. One classifier over both took probability from the Chinese articles for every English one
added, and dropped Chinese questions the hub had answered ("怎么收费") under the threshold. A question in no
language (a code alone) is searched in every index, and the best answer kept.

An article about one product does not answer a question about another: when the question names products
(nlp.entities) and the article's title names only others, its score is scaled by `OTHER_PRODUCT`, so an air
conditioner's fault codes do not answer "热水器显示E4". (Only the title: a general article's examples may mention any
product.) Likewise a fault or model code the question names (E1, F0, P4) is strong evidence: where some articles
mention it, the others are scaled by `WITHOUT_CODE`, so "燃气热水器一开就跳E1" goes to the fault codes and not to
the article on a heater that will not light, which shares more of its words.

A question that asks what something costs ("要收费吗", "多少钱", "要花钱吗": a word of the synonym group named
`CHARGES`, or "给师傅钱" with the payee inside its "给钱"; "how much is", "do I have to pay", "any charge": an English
phrase of `_ENGLISH_CHARGES`) is about an article whose title or questions speak of cost (shipping costs included:
"Who pays the return shipping"): where some do, the others are scaled by `WITHOUT_CHARGES`, in the score and in the
example classifier's probabilities, so the classifier's first choice is made among the articles on costs. Otherwise
the words of the thing the cost is asked of outvote the one word that says what is asked: "上门安装要收费吗" shares
上门安装 with the article on booking an installation, the type model reads it as an installation wanted, as it reads
every question on booking, and the article on installation charges scored under a sixth of the booking's. The English
phrases only choose the articles and add no term to the text: with "how much" a phrase of the group, "how much is the
delivery" shared its one cost term with the articles on installation and repair charges and was answered by one, and
with "charge", "fee" and "pay" in it the English held-out questions got more wrong answers.

The project's ticket-type model (nlp.model) reads the question and each article's title and examples: the score is
multiplied by how much the two type distributions agree, raised to `TYPE_WEIGHT`, so a delivery question leans towards
delivery articles and a complaint towards complaint handling. The articles' types come from the model, never from
labels, so any knowledge base gets them; on the CIC-built benchmark this adds about 0.02 to R@1.

A language's articles, up to a few hundred, also get a classifier fitted on their own titles and example
questions (nlp.fewshot), which learns the terms that set an article apart from those it is confused with. Each
article's score is multiplied by its probability p relative to the classifier's first choice p₁, raised to
`EXAMPLES_WEIGHT`, and by (1 + p₁) / 2: the ranking follows the classifier wherever it prefers one article by a wide
margin, and a doubtful classifier (p₁ low) halves every score, so the threshold still leaves its doubtful answers
out. On the CIC-built benchmark's tuning half the classifier adds 0.03 to R@1 with consistent examples; with examples
from every row, many of them labelled wrong, it learns some wrong labels and costs 0.015.

`score` is that blend of cosines times these factors, in [0, 1]; `answered` means it reached the threshold, calibrated
by `bench/bench_kb.py` on questions no article lists (the hub passes `[kb] threshold`). `pinned` means a fault code
and a product pin the article down: the question names a code (or asks of one after a report, see `search_after`),
exactly one article in its language both mentions that code and names the product in its title, and that article
also scores highest; or the question is one the article lists (give or take polite words, punctuation and case):
its author said that article answers it, however the blend scores it. The hub sends an answer that is either
(`Match.sure`). "空调E4是什么意思" scores low against a
long table of codes and a doubtful example classifier (three articles list an E4), yet no other article can be meant.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from core.domain.knowledge import Article

from .entities import products_named
from .fewshot import ARTICLE_LIMIT, ExampleClassifier
from .meaning import WordVectors, shipped_vectors
from .model import TypeModel
from .normalize import normalize
from .store import shipped_model
from .synonyms import Synonyms, domain_synonyms
from .tokenize import words

VIEW_WEIGHTS = {"chars": 1.0, "bigrams": 0.5, "trigrams": 0.25, "words": 0.3}
"""How much each view counts in the fused cosine; chosen on the CIC-built benchmark (bench/bench_kb.py)."""
BODY_WEIGHT = 0.2
TITLE_REPEAT = 2
"""The title names the topic, where each example question is one customer's wording: it counts twice."""
OTHER_PRODUCT = 0.5
"""Score factor for an article that names only products other than the ones the question names."""
WITHOUT_CODE = 0.25
"""Score factor for an article that lacks every fault or model code (E1, F0, P4, x5) the question names, when some
other article has one: a code is the most specific thing a customer can say. A quarter rather than a half, since the
example classifier, which reads no codes, may itself scale the article that has it by less than a half."""
CHARGES = "收费"
"""The name of the synonym group (nlp/data/synonyms.txt) of the words that ask what something costs."""
FREIGHT = "运费"
"""The name of the synonym group of shipping costs: an article that speaks of them is an article on costs."""
_ENGLISH_CHARGES = re.compile(
    r"(?<![a-z])(?:how much(?= (?:is|are|was|does|do|did|will|would|to|for|per|money|extra)(?![a-z])|\s*(?:[^\w\s]|$))"
    r"|costs?|costing|prices?|priced|pricing|fees?|charges?|charged|expensive"
    r"|(?:do|will|would|must|should) (?:i|we) pay|(?:have|need) to pay|pay extra|extra money)(?![a-z])")
"""English ways to ask what something costs. Phrases ("how much is", "do I have to pay") that the synonym group of
single words cannot hold, and matched rather than given a group name: a term shared by every price question would
make "how much is the delivery" read like the articles on installation and repair charges. "How much" asks a cost
only before a verb or nothing ("how much water" asks a quantity), and "who pays" asks who bears a cost the article
on returns speaks of, not a price."""
_PAYING = re.compile(r"给[^\W我退返把]{1,4}钱")
"""Money given to someone ("要给师傅钱不", "给安装工钱吗"): the payee between hides the group `CHARGES`'s "给钱", so
`prepare` appends the group's name for it. Not "给我退钱" or "给我把钱退了", which ask for a refund."""
WITHOUT_CHARGES = 0.25
"""Score and classifier factor for an article that never speaks of cost, when the question asks one and some other
article does: like a code, what the customer asks about is the most specific thing the question says."""
TYPE_WEIGHT = 0.25
"""Exponent of the type agreement factor (see the module docstring); chosen on the CIC-built benchmark."""
MEANING_WEIGHT = 0.3
"""Share of the word vectors' cosine (nlp.meaning) in the score, beside the lexical cosine; chosen on the CIC-built
benchmark, where it was best on both halves of the dev messages."""
EXAMPLES_WEIGHT = 1.5
"""Exponent of the example classifier's (nlp.fewshot) probability for the article relative to its first choice, in
the score's factor; chosen with the classifier's regularization on the CIC-built benchmark's tuning half (with
examples from every row as well as consistent ones) and the starter knowledge base's answered precision."""
TYPE_SHARPNESS = 2.0
"""Multiplies the type model's margins before the softmax: higher trusts its first choice more."""
_FILLER = re.compile(r"^(?:请问一?下?|麻烦问一?下|(?:我)?想问一?下|问一?下|你好|您好|在吗|这个|那个|你们家?的?|咱们?家?的?)+"
                     r"|(?:啊|呀|呢|吗|嘛|哈|啦|么)+$")
_BATCH = 256
_NUMBERS = re.compile(r"\d{3,}")
"""Prices, phone and order numbers collapse to one symbol; short ones stay, since E1 and E4 are different faults."""
_CODES = re.compile(r"(?<![a-z0-9])[a-z]{1,2}\d{1,2}(?![a-z0-9])")
"""One or two letters and one or two digits standing alone (in lower-case text): E1, F0, EH is not one, P40 is."""
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")
"""Three letters or more: "E4", "SN" or "OK" alone say nothing of the language."""
_RUNS = re.compile(r"[^\W_]+")
"""Letters and digits of any script (CJK included); punctuation and spaces separate runs."""
_LATIN_WORD = re.compile(r"[a-z]{2,}")
_CLITICS = re.compile(r"(?<![a-z])(ca|wo|sha)(?=n['’]t)|n['’]t(?![a-z])|['’](?:s|re|ve|ll|d|m)(?![a-z])")
"""The ends of English contractions and the possessive ("it's", "don't", "I'd", "the unit's"), which would stand as
words of their own ("s", "t", "don") that say nothing: "n't" becomes " not" ("can't", "won't": "can", "will"), the
others go."""
_UNCONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}
SPELLING_LENGTH = 6
"""A question's English word of at least this many letters that no article has is read as the articles' word one
typing slip away ("instalation", "warrenty"): an English word counts whole in the character view, so a slip loses
it there and in the word view; in a shorter word one slip often makes another word ("later", "water")."""
_PIECES = re.compile(r"[a-z]{2,}|(?:[^a-z]|[a-z](?![a-z]))+")
_INFLECTIONS = (("ies", "y"), ("ing", ""), ("ed", ""), ("s", ""))
"""English endings `_folded` replaces (the first that fits); a final e goes too, so "charge", "charges", "charged"
and "charging" all become "charg"."""


GENERAL_TAG = "general"
"""The tag that marks an article as general, answering beside a ticket of any type (`KnowledgeBase.beside`)."""


@dataclass(frozen=True, slots=True)
class Match:
    article_id: str
    title: str
    score: float
    answered: bool
    body: str
    pinned: bool = False
    """A fault code and a product pin the article down, or the question is one the article lists, whatever its
    score (see the module docstring)."""

    @property
    def sure(self) -> bool:
        """Sure enough to send to a customer."""
        return self.answered or self.pinned

    def to_dict(self) -> dict[str, object]:
        return {"article_id": self.article_id, "title": self.title, "score": round(self.score, 4),
                "answered": self.answered, "pinned": self.pinned}


def _pieces(text: str) -> list[str]:
    """Runs of letters and digits, with each English word a piece of its own and English function words (in every
    article) left out: Chinese has no spaces, so its n-grams run on across words, English n-grams stay in one word."""
    runs = _RUNS.findall(text)
    if _LATIN_WORD.search(text) is None:
        return runs
    return [_folded(piece) for run in runs for piece in _PIECES.findall(run) if piece not in ENGLISH_STOP_WORDS]


def _folded(piece: str) -> str:
    """An English word without its inflection ("disconnects" and "disconnecting" are "disconnect"), so the tense or
    number a customer writes in does not lose the article's word; any other piece as it is. Regular endings only:
    irregular forms stay apart, and nothing is taken off a word that would leave fewer than three letters."""
    if not _LATIN_WORD.fullmatch(piece):
        return piece
    for ending, replacement in _INFLECTIONS:
        stem = piece[:-len(ending)] + replacement
        if piece.endswith(ending) and len(stem) >= 3 and not piece.endswith(("ss", "eed")):
            piece = _undoubled(stem) if ending in ("ing", "ed") else stem
            break
    return piece[:-1] if len(piece) > 3 and piece.endswith("e") else piece


def _undoubled(stem: str) -> str:
    """A stem without the consonant doubled before -ing or -ed ("dropp" of "dropping" is "drop"); l, s and z double
    in the word itself ("install"), and a stem of three letters is a word of its own ("add")."""
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeioulsz":
        return stem[:-1]
    return stem


def _chars(text: str) -> list[str]:
    """Single characters, but an English word whole: a letter alone tells nothing."""
    if _LATIN_WORD.search(text) is None:
        return [c for run in _RUNS.findall(text) for c in run]
    return [u for piece in _pieces(text) for u in ((piece,) if _LATIN_WORD.fullmatch(piece) else piece)]


def _bigrams(text: str) -> list[str]:
    return [piece[i:i + 2] for piece in _pieces(text) for i in range(len(piece) - 1)]


def _trigrams(text: str) -> list[str]:
    return [piece[i:i + 3] for piece in _pieces(text) for i in range(len(piece) - 2)]


def _words(text: str) -> list[str]:
    return [_folded(w) for w in words(text) if _RUNS.search(w) and w not in ENGLISH_STOP_WORDS]


_VIEWS: dict[str, Callable[[str], list[str]]] = {"chars": _chars, "bigrams": _bigrams, "trigrams": _trigrams,
                                              "words": _words}
Terms = dict[str, list[list[str]]]
"""View name → each text's terms in that view."""


def _terms(prepared: Sequence[str]) -> Terms:
    """Every view's terms of each text, cut once (jieba is most of the indexing time)."""
    return {name: [analyzer(text) for text in prepared] for name, analyzer in _VIEWS.items()}


def _given(terms: list[str]) -> list[str]:
    """The vectorizers' analyzer: their input is already cut into terms."""
    return terms


class KnowledgeBase:
    """An immutable index over articles, built once (at start or per CLI call) and searched from any thread: an
    `_Index` per language, each over that language's articles and those in none (see the module docstring)."""

    def __init__(self, articles: Sequence[Article], *, threshold: float, synonyms: Synonyms | None = None,
                 types: TypeModel | None = None, meaning: WordVectors | None = None) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
        self.threshold = threshold
        self._articles = tuple(articles)
        synonyms, types, meaning = synonyms or domain_synonyms(), types or shipped_model(), meaning or shipped_vectors()
        languages = [_language(a.title) or "" for a in self._articles]
        self._indexes = {language: _Index([a for a, own in zip(self._articles, languages) if own in (language, "")],
                                          threshold, synonyms, types, meaning)
                         for language in dict.fromkeys(languages)}
        """Language ("" for a title in none) → the index of its articles and of those in no language."""
        self._holding = {a.id: index for index in self._indexes.values() for a in index.articles}

    def __len__(self) -> int:
        return len(self._articles)

    def search(self, query: str) -> Match | None:
        """The best article for `query`, or None when it shares no term with any article in its language and its word
        vectors point away from every such article's (or it has no word with a vector)."""
        return self.search_many([query])[0]

    def search_many(self, queries: Iterable[str]) -> list[Match | None]:
        """`search` for many queries at once (one matrix product per batch and language)."""
        queries = list(queries)
        found: list[list[Match | None]] = [[] for _ in queries]
        for index in self._indexes.values():
            rows = [row for row, query in enumerate(queries) if index in self._searching(query)]
            for row, match in zip(rows, index.search_many([queries[row] for row in rows])):
                found[row].append(match)
        return [_best_of(matches) for matches in found]

    def beside(self, match: Match, query: str, ticket_type: str) -> Match | None:
        """`match` for `query` asked while a ticket of `ticket_type` is open, or None (see `_Index.beside`)."""
        return self._holding[match.article_id].beside(match, query, ticket_type)

    def search_after(self, query: str, context: str) -> Match | None:
        """The best article for `query` read after `context` (see `_Index.search_after`)."""
        return _best_of([index.search_after(query, context) for index in self._searching(query)])

    def _searching(self, query: str) -> list[_Index]:
        """The indexes a query is searched in: its language's (the one of articles in none when its language has
        none), or every one for a query in no language (a code alone)."""
        language = _language(query)
        if language is None:
            return list(self._indexes.values())
        index = self._indexes.get(language, self._indexes.get(""))
        return [index] if index is not None else []


class _Index:
    """The articles of one language and those in none: every statistic fitted across articles (IDF, the example
    classifier) and every comparison between them is made among these alone."""

    def __init__(self, articles: Sequence[Article], threshold: float, synonyms: Synonyms, types: TypeModel,
                 meaning: WordVectors) -> None:
        self.threshold = threshold
        self.articles = tuple(articles)
        self._synonyms = synonyms
        self._types = types
        self._meaning = meaning
        self._vectorizers: dict[str, TfidfVectorizer] = {}
        self._examples: ExampleClassifier | None = None
        self._build()

    def search(self, query: str) -> Match | None:
        """The best article for `query`, or None when it shares no term with any article and its word vectors point
        away from every article's (or it has no word with a vector)."""
        return self.search_many([query])[0]

    def search_many(self, queries: Iterable[str]) -> list[Match | None]:
        """`search` for many queries at once (one matrix product per batch)."""
        queries = list(queries)
        matches: list[Match | None] = []
        for start in range(0, len(queries), _BATCH):
            batch = queries[start:start + _BATCH]
            matches.extend(self._answer(row, query, products_named(query))
                           for row, query in zip(self._scores(batch), batch))
        return matches

    def beside(self, match: Match, query: str, ticket_type: str) -> Match | None:
        """`match` for `query` asked while a ticket of `ticket_type` is open, or None: a question of a few words
        (`elliptical`: "怎么收费", "怎么换") is about that ticket, so an article of another type ("怎么收费" beside an air
        conditioner's repair is not answered by the installation fees) does not answer it; staff do. An article of
        general questions (its type `inquiry`: warranty, fees; or tagged `general`: service hours) may answer beside
        any ticket."""
        if not elliptical(query):
            return match
        position = self._position[match.article_id]
        if self._general[position]:
            return match
        kind = self._types.classes[int(self._article_types[position].argmax())]
        return match if kind in (ticket_type, "inquiry", "other") else None

    def search_after(self, query: str, context: str) -> Match | None:
        """The best article for `query` read after `context` (what the customer reported before asking), when the
        question names a fault code but no product: "E4是什么意思" after "热水器显示E4" is the heater's code, where
        alone the air conditioner's E4 scores as well. The context only chooses among the articles that mention the
        code, so it never answers with a topic of its own; any other question is searched alone. The products the
        context names also pin the answer (see the module docstring): "E4是什么意思" after "空调不制冷"."""
        mentioning = self._mentioning(_codes(query))
        if not mentioning.any() or products_named(query):
            return self.search(query)
        together = self._scores([f"{context}\n{query}"])[0]
        together[~mentioning] = 0.0
        return self._answer(together, query, products_named(context))

    def _answer(self, scores: np.ndarray, query: str, products: tuple[str, ...]) -> Match | None:
        """The best article of one query's row, pinned when the query's codes and `products` pin it; the article
        that lists the query as one of its questions, pinned, whatever scores best."""
        listed = self._listed.get(_listed_key(query))
        if listed is not None:
            return replace(self._match(listed, float(scores[listed])), pinned=True)
        match = self._best(scores)
        if match is None or self._pinned(query, products) != int(scores.argmax()):
            return match
        return replace(match, pinned=True)

    def _pinned(self, query: str, products: tuple[str, ...]) -> int | None:
        """The one article that mentions a code the query names and has one of `products` in its title, or None
        when there is no such article or more than one."""
        titled = self._titled_with(products)
        if titled is None:
            return None
        candidates = self._mentioning(_codes(query)) & titled
        found = np.flatnonzero(candidates)
        return int(found[0]) if len(found) == 1 else None

    def _scores(self, batch: Sequence[str]) -> np.ndarray:
        """Queries × articles: the score (see the module docstring) of each article for each query."""
        kept = [_without_filler(q) for q in batch]
        prepared = [self._prepare_question(q) for q in kept]
        terms = _terms(prepared)
        fused, embedded, types = self._fuse(terms), self._meaning.embed(terms["words"]), self._type_rows(kept)
        charges = self._charge_factors(prepared)
        lexical = (fused @ self._by_term).toarray()
        meaning = np.maximum(np.einsum("qd,ad->qa", embedded, self._article_meaning), 0.0)
        weight = np.where(embedded.any(axis=1, keepdims=True), MEANING_WEIGHT, 0.0)
        scores = (((1 - weight) * lexical + weight * meaning) * self._product_factors(batch)
                  * self._code_factors(batch) * self._type_factors(types) * charges)
        if self._examples is not None:
            likely = self._examples.probabilities(fused, embedded, types) * charges
            first = likely.max(axis=1, keepdims=True)
            scores *= (likely / first) ** EXAMPLES_WEIGHT * (1 + first) / 2
        return scores

    def _best(self, scores: np.ndarray) -> Match | None:
        """The article of the highest score in one query's row, None when nothing scores above zero."""
        column = int(scores.argmax())
        score = float(scores[column])
        return self._match(column, score) if score > 0 else None

    def _match(self, index: int, score: float) -> Match:
        article = self.articles[index]
        return Match(article_id=article.id, title=article.title, score=score, answered=score >= self.threshold,
                     body=article.body)

    def _product_factors(self, queries: Sequence[str]) -> np.ndarray:
        """Queries × articles: `OTHER_PRODUCT` where the query names products and the article names only others."""
        factors = np.ones((len(queries), len(self.articles)), dtype=np.float32)
        for row, query in enumerate(queries):
            named = products_named(query)
            if named:
                same = self._titled_with(named)
                other = self._has_product & ~same if same is not None else self._has_product
                factors[row, other] = OTHER_PRODUCT
        return factors

    def _titled_with(self, products: tuple[str, ...]) -> np.ndarray | None:
        """Which articles name one of `products` in their title; None when no title names any of them."""
        titled = [self._titled[p] for p in products if p in self._titled]
        return np.logical_or.reduce(titled) if titled else None

    def _code_factors(self, queries: Sequence[str]) -> np.ndarray:
        """Queries × articles: `WITHOUT_CODE` where the query names codes that some articles have and this one lacks."""
        factors = np.ones((len(queries), len(self.articles)), dtype=np.float32)
        for row, query in enumerate(queries):
            codes = _codes(query)
            if any(code in self._coded for code in codes):
                factors[row, ~self._mentioning(codes)] = WITHOUT_CODE
        return factors

    def _charge_factors(self, prepared: Sequence[str]) -> np.ndarray:
        """Queries × articles: `WITHOUT_CHARGES` where the (prepared) query asks what something costs and the article
        never speaks of cost, when some other article does."""
        factors = np.ones((len(prepared), len(self.articles)), dtype=np.float32)
        if self._charging.any():
            for row, query in enumerate(prepared):
                if _asks_cost(query):
                    factors[row, ~self._charging] = WITHOUT_CHARGES
        return factors

    def _mentioning(self, codes: set[str]) -> np.ndarray:
        """Which articles mention any of these fault or model codes."""
        mentioning = np.zeros(len(self.articles), dtype=bool)
        for code in codes & self._coded.keys():
            mentioning |= self._coded[code]
        return mentioning

    def _type_factors(self, types: np.ndarray) -> np.ndarray:
        """Queries × articles from the queries' type rows: type agreement relative to the best-agreeing article,
        raised to `TYPE_WEIGHT`, so the articles of the question's own type keep their score (and the threshold its
        meaning) and the others lose."""
        agreement = types @ self._article_types.T
        return (agreement / agreement.max(axis=1, keepdims=True)) ** TYPE_WEIGHT

    def _type_rows(self, texts: Sequence[str]) -> np.ndarray:
        """Texts × types: the type model's softmax over `TYPE_SHARPNESS` × margins (uniform when it knows no term)."""
        rows = np.full((len(texts), len(self._types.classes)), 1 / len(self._types.classes), dtype=np.float32)
        for row, text in enumerate(texts):
            margins = self._types.scores(normalize(text))
            if margins is not None:
                weights = np.exp((margins - margins.max()) * TYPE_SHARPNESS)
                rows[row] = weights / weights.sum()
        return rows

    def _prepare(self, text: str) -> str:
        return prepare(text, self._synonyms)

    def _prepare_question(self, text: str) -> str:
        """`prepare` for a question, its English typing slips read as the articles' words (`_Spelling`)."""
        return _expanded(self._spelling.respelled(_lowered(text)), self._synonyms)

    def _build(self) -> None:
        main = _terms([self._prepare("\n".join((*[a.title] * TITLE_REPEAT, *a.questions))) for a in self.articles])
        body = _terms([self._prepare(a.body) for a in self.articles])
        for name in _VIEWS:
            self._vectorizers[name] = TfidfVectorizer(analyzer=_given, dtype=np.float32).fit(
                [m + b for m, b in zip(main[name], body[name])])
        titled: dict[str, np.ndarray] = {}
        for index, article in enumerate(self.articles):
            for product in products_named(article.title):
                titled.setdefault(product, np.zeros(len(self.articles), dtype=bool))[index] = True
        self._titled = titled
        """Product → which articles name it in their title."""
        coded: dict[str, np.ndarray] = {}
        for index, article in enumerate(self.articles):
            for code in _codes("\n".join((article.title, *article.questions, article.body))):
                coded.setdefault(code, np.zeros(len(self.articles), dtype=bool))[index] = True
        self._coded = coded
        """Fault or model code → which articles mention it anywhere."""
        self._charging = np.array([_speaks_of_cost(self._prepare("\n".join((a.title, *a.questions))))
                                   for a in self.articles], dtype=bool)
        """Which articles speak of cost in their title or questions (the body of any may mention a price)."""
        self._has_product = np.logical_or.reduce(list(titled.values())) if titled else np.zeros(len(self.articles),
                                                                                                  dtype=bool)
        self._position = {a.id: i for i, a in enumerate(self.articles)}
        self._spelling = _Spelling(_lowered("\n".join((a.title, *a.questions, a.body))) for a in self.articles)
        listed: dict[str, set[int]] = {}
        for index, article in enumerate(self.articles):
            for question in article.questions:
                listed.setdefault(_listed_key(question), set()).add(index)
        self._listed = {key: owners.pop() for key, owners in listed.items() if len(owners) == 1}
        """An example question (as `_listed_key` reads it) → the one article that lists it."""
        self._article_types = self._type_rows(["\n".join((a.title, *a.questions)) for a in self.articles])
        """Articles × types, from the title and example questions (the body explains more than it is about)."""
        self._general = np.array([GENERAL_TAG in a.tags for a in self.articles], dtype=bool)
        """Articles their authors tagged `general`: about no one kind of ticket, whatever the type model reads in
        "几点下班" or "上门时段"."""
        self._by_term = ((1 - BODY_WEIGHT) * self._fuse(main) + BODY_WEIGHT * self._fuse(body)).T.tocsr()
        """Terms × articles: a query's product then walks only its own terms' rows (like posting lists)."""
        self._article_meaning = self._meaning.embed(main["words"])
        """Articles × dimensions: the word vectors of the title and questions (not the body, as for the types).
        Queries meet it in einsum rather than a BLAS product: one question's product is small, and a threaded BLAS
        call for it spent more CPU waiting on its threads than computing (p99 4-6 ms on a busy machine, not 0.2)."""
        if 1 < len(self.articles) <= ARTICLE_LIMIT:
            self._examples = self._example_classifier()

    def _example_classifier(self) -> ExampleClassifier:
        """Fitted on each title and each example question (without polite openings, as queries are) on its own."""
        owners = [(i, text) for i, a in enumerate(self.articles)
                  for text in (a.title, *(_without_filler(q) for q in a.questions))]
        terms = _terms([self._prepare(text) for _, text in owners])
        return ExampleClassifier(self._fuse(terms), self._meaning.embed(terms["words"]),
                                 self._type_rows([text for _, text in owners]),
                                 np.array([i for i, _ in owners]), len(self.articles))

    def _fuse(self, terms: Terms) -> sparse.csr_matrix:
        """Each view's L2-normalized TF-IDF rows, scaled so a dot product of two fused rows is the weighted mean of
        the views' cosines."""
        total = sum(VIEW_WEIGHTS.values())
        blocks = [self._vectorizers[name].transform(terms[name]) * np.sqrt(weight / total)
                  for name, weight in VIEW_WEIGHTS.items()]
        return sparse.hstack(blocks, format="csr")


@dataclass(frozen=True, slots=True)
class LookedUp:
    """The knowledge base as one message's handling asks it: its own `question` was looked up ahead, with the
    others of its batch in one matrix product (`KnowledgeBase.search_many`), so that answer is at hand; anything
    else is searched. A question read after a report is searched once however many jobs ask (intake asks whether
    the knowledge job will answer, then that job answers)."""

    knowledge: KnowledgeBase
    question: str
    match: Match | None
    _after: dict[tuple[str, str], Match | None] = field(default_factory=dict)

    def search(self, query: str) -> Match | None:
        return self.match if query == self.question else self.knowledge.search(query)

    def beside(self, match: Match, query: str, ticket_type: str) -> Match | None:
        return self.knowledge.beside(match, query, ticket_type)

    def search_after(self, query: str, context: str) -> Match | None:
        if (query, context) not in self._after:
            self._after[query, context] = self.knowledge.search_after(query, context)
        return self._after[query, context]


def _best_of(matches: Iterable[Match | None]) -> Match | None:
    """The pinned match, else the highest scoring, of a question searched in several indexes."""
    return max((m for m in matches if m is not None), key=lambda m: (m.pinned, m.score), default=None)


def prepare(text: str, synonyms: Synonyms) -> str:
    """Normalized lower-case text, long numbers collapsed, synonym group names appended: what every view reads."""
    return _expanded(_lowered(text), synonyms)


def _expanded(text: str, synonyms: Synonyms) -> str:
    """Lowered `text` with the synonym group names appended, `CHARGES` for money given to someone too (`_PAYING`)."""
    return " ".join((synonyms.expand(text), *[CHARGES] * len(_PAYING.findall(text))))


def _lowered(text: str) -> str:
    """Normalized lower-case text, long numbers collapsed and English contractions undone."""
    return _CLITICS.sub(_uncontracted, _NUMBERS.sub("0", normalize(text).lower()))


def _uncontracted(clitic: re.Match[str]) -> str:
    """The replacement of one `_CLITICS` match."""
    found = clitic.group(0)
    if found in _UNCONTRACTED:
        return _UNCONTRACTED[found]
    return " not" if found.startswith("n") else ""


class _Spelling:
    """The English words of a language's articles, to read a question's word that none has as the one a typing slip
    away ("instalation", "warrenty"). Words are compared as `_folded` reads them, so a form the articles do not use
    ("cleaned" beside "cleaning") is no slip."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._words = {_folded(word): word for text in texts for word in _LATIN_WORD.findall(text)}
        """Folded word → one of the articles' words that folds to it."""
        near: dict[str, str] = {}
        for folded in sorted(self._words):
            if len(folded) >= SPELLING_LENGTH:
                for way in _left_out(folded):
                    near[way] = folded if near.get(way, folded) == folded else ""
        self._near = near
        """A folded word with a letter left out → that folded word ("" when two share it)."""

    def respelled(self, text: str) -> str:
        """`text` with each English word that no article has replaced by the articles' word one slip away."""
        return _LATIN_WORD.sub(self._word, text)

    def _word(self, found: re.Match[str]) -> str:
        """The articles' word one slip from the found one (a letter added, left out, changed, or two swapped), when
        there is exactly one that starts with the same letter; else the found word."""
        word = found.group(0)
        folded = _folded(word)
        if folded in self._words or len(folded) < SPELLING_LENGTH or word in ENGLISH_STOP_WORDS:
            return word
        near = {self._near.get(way) for way in (folded, *_left_out(folded))}
        near.update(way for way in _left_out(folded) if way in self._words)
        candidates = {candidate for candidate in near if candidate and candidate[0] == folded[0]}
        return self._words[candidates.pop()] if len(candidates) == 1 else word


def _left_out(word: str) -> set[str]:
    """Each way of writing `word` with one letter left out."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _asks_cost(prepared: str) -> bool:
    """Whether a (prepared) question asks what something costs: a word of the group `CHARGES` or an English phrase."""
    return CHARGES in prepared or _ENGLISH_CHARGES.search(prepared) is not None


def _speaks_of_cost(prepared: str) -> bool:
    """Whether an article's (prepared) title and questions speak of a cost, shipping costs included."""
    return _asks_cost(prepared) or FREIGHT in prepared


def index_words(text: str) -> list[str]:
    """The word view's terms of `text`, as the index cuts them (the word vectors are trained on these)."""
    return _words(prepare(text, domain_synonyms()))


ELLIPTICAL_CHARACTERS = 4
"""A question of at most this many letters (openings and particles left out) naming no product or code has no topic
of its own: "怎么收费", "怎么换", "多少钱"."""


def elliptical(query: str) -> bool:
    """Whether a Chinese question says too little to be about anything but what the customer reported."""
    return (_language(query) == "zh" and len("".join(_RUNS.findall(_without_filler(query)))) <= ELLIPTICAL_CHARACTERS
            and not products_named(query) and not _codes(query))


def _language(text: str) -> str | None:
    """"zh" for text with Chinese characters, "en" for Latin words and none, None for neither (a code, digits)."""
    if _HAN.search(text):
        return "zh"
    return "en" if _LATIN_WORDS.search(text) else None


def _codes(text: str) -> set[str]:
    return set(_CODES.findall(normalize(text).lower()))


def _listed_key(question: str) -> str:
    """A question as an article's list and a customer may both write it: without polite openings, closing
    particles, punctuation or case ("序列号在哪里看？" and "请问序列号在哪里看" are "序列号在哪里看")."""
    return "".join(_RUNS.findall(_without_filler(normalize(question)).lower()))


def _without_filler(question: str) -> str:
    """`question` without polite openings and closing particles, unless that would leave nothing."""
    core = _FILLER.sub("", re.sub(r"[\s?？!！。,，~～]+$", "", question.strip()))
    return core or question
