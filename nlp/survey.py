"""Survey answers: a score on the scale asked (CSAT 1–5, NPS 0–10) as a digit or in words, alone or in a sentence
whose other clauses are the customer's remark."""
from __future__ import annotations

import re

from .normalize import HAN

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMBER = re.compile(r"^(?:我)?(?:就)?(?:给|打)?(?:你们?|您|个|了)?(?P<n>10|[0-9]|十|[零一二两三四五六七八九])\s*"
                     r"(?:分(?!钟)|星(?!期)|颗星|stars?|points?|/\s*(?:5|10))?(?:吧|啊|呀|哈|的)?[!.。!~]*$", re.IGNORECASE)
# Longest phrases first so 非常不满意 is not read as 满意.
_CSAT_WORDS = (
    ("非常不满意", 1), ("很不满意", 1), ("特别差", 1), ("非常差", 1), ("很差", 1), ("太差", 1), ("极差", 1), ("差评", 1),
    ("不是很满意", 2), ("不太满意", 2), ("不满意", 2), ("较差", 2), ("差", 2), ("一般般", 3), ("一般", 3), ("还行", 3),
    ("凑合", 3), ("还可以", 4), ("比较满意", 4), ("挺满意", 4), ("满意", 4), ("不错", 4), ("好评", 5), ("五星好评", 5),
    ("满分", 5), ("非常满意", 5), ("很满意", 5), ("特别满意", 5), ("超级满意", 5), ("非常好", 5), ("很好", 4),
)
_CSAT_PHRASE = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w, _ in sorted(_CSAT_WORDS, key=lambda p: -len(p[0]))) + r")"
    r"(?:的|了|啊|呀|吧)?[!.。!~]*$"
)
_CSAT_SCORES = dict(_CSAT_WORDS)
_RECOMMEND = re.compile(r"^(?:我)?(?P<how>一定|肯定|当然|必须|绝对|会|可能|也许|不一定|不太|不|绝对不|肯定不)?会?"
                        r"(?:推荐|介绍)(?:给(?:朋友|别人|亲友|家人|亲戚)|的|啊|吧)*[!.。!~]*$"
                        r"|^(?:i )?(?P<en>definitely|surely|would|will|might|maybe|probably|wouldn'?t|won'?t|would not|"
                        r"will not|never)(?: \w+)? recommend(?: (?:you|it|them))?[!.]*$", re.IGNORECASE)
"""An answer to "how likely are you to recommend us?" in words ("肯定会推荐", "不会推荐", "I would recommend you")."""
_RECOMMEND_SCORES = {"一定": 10, "肯定": 10, "当然": 10, "必须": 10, "绝对": 10, "会": 8, "": 8, "可能": 7, "也许": 6,
                     "不一定": 5, "不太": 3, "不": 1, "绝对不": 0, "肯定不": 0,
                     "definitely": 10, "surely": 10, "would": 8, "will": 8, "might": 6, "maybe": 6, "probably": 7,
                     "wouldn't": 1, "wouldnt": 1, "won't": 1, "wont": 1, "would not": 1, "will not": 1, "never": 0}
# An NPS question is "how likely are you to recommend"; words map onto the 0–10 scale's usual bands.
_NPS_FROM_CSAT = {1: 0, 2: 3, 3: 6, 4: 8, 5: 10}
_SKIP = re.compile(r"^(?:跳过|不用了?|没有了?|没了|无|算了|不说了|skip|no comment|nothing|none|no)[\s,，.。!！~]*$",
                   re.IGNORECASE)
# A score given in a sentence is one clause of it ("师傅很专业，给5分", "满意，就是来得有点晚"): the other clauses are the
# customer's remark.
_CLAUSE = re.compile(r"[^,，;；。!！?？~～]+")
_SEPARATORS = ",，;；。!！?？~～ "


def survey_answer(text: str, scale: str) -> tuple[int, str] | None:
    """The score `text` gives on `scale` ("csat" or "nps") and the customer's remark beside it ("" when the message
    is the score alone), or None when it gives none. In a sentence the score is its one clause with a number ("给5分"),
    else its one clause of words ("满意"); two of them ("3分…5分") are no answer."""
    text = text.strip()
    whole = _as_number(text, scale)
    if whole is None:
        whole = _as_words(text, scale)
    if whole is not None:
        return whole, ""
    for reading in (_as_number, _as_words):
        scored = [(m, v) for m in _CLAUSE.finditer(text) if (v := reading(m.group().strip(), scale)) is not None]
        if len(scored) > 1:
            return None
        if scored:
            clause, score = scored[0]
            before, after = text[:clause.start()].rstrip(_SEPARATORS), text[clause.end():].lstrip(_SEPARATORS)
            joint = ("，" if HAN.search(text) else ", ") if before and after else ""
            return score, f"{before}{joint}{after}".strip(_SEPARATORS)
    return None


def _as_number(text: str, scale: str) -> int | None:
    m = _NUMBER.match(text)
    if m is None:
        return None
    raw = m.group("n")
    value = int(raw) if raw.isdigit() else _DIGITS[raw]
    low, high = (1, 5) if scale == "csat" else (0, 10)
    return value if low <= value <= high else None


def _as_words(text: str, scale: str) -> int | None:
    recommends = _RECOMMEND.match(text) if scale == "nps" else None
    if recommends is not None:
        return _RECOMMEND_SCORES[(recommends["how"] or recommends["en"] or "").lower()]
    if _CSAT_PHRASE.match(text) is None:
        return None
    score = _CSAT_SCORES[re.sub(r"(?:的|了|啊|呀|吧)?[!.。!~]*$", "", text)]
    return score if scale == "csat" else _NPS_FROM_CSAT[score]


def is_skip(text: str) -> bool:
    """The customer declines to leave a comment (跳过, 没有, skip)."""
    return bool(_SKIP.match(text.strip()))
