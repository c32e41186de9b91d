"""Priority (P1–P4) from the words customers use for danger and urgency, and from how angry they are.

Rules, not a model: a missed gas smell is far costlier than an over-ranked ticket, and the lists are short and
auditable. Danger to people or property is P1; a disabling fault (leak, no power, production stopped) is P2, P1 when
old people or children are exposed or the customer says it is urgent; urgency and anger raise any other ticket one
level. Anger is a threat or insult (投诉, 12315, 垃圾) or a strongly negative sentiment (`nlp.sentiment`).
"""
from __future__ import annotations

import re

_WATER = r"(?:漏水|渗水|进水|淹了|泡水|水漫|积水|满地.{0,3}水|喷水|water|flood|leak)"
_POWERED = r"(?:插座|插头|插排|电线|电源|配电箱|电闸|电表|线路|电路|带电|socket|outlet|wire|wiring|fuse ?box)"
HAZARDS: dict[str, re.Pattern[str]] = {
    # 漏气 only where gas is: a snack bag, a tyre or an air bed 漏气 too.
    "gas": re.compile(r"燃气味|煤气味|天然气味|液化气味|燃气泄漏|煤气泄漏|有气味.*燃气|"
                      r"(?:燃气|煤气|天然气|液化气|气罐|钢瓶|灶|热水器|壁挂炉|气管|阀门|厨房|家里).{0,8}漏气|"
                      r"gas leak|smell(?:s)? (?:of )?gas", re.IGNORECASE),
    # A stove that will not light (打不着火, 点不着火, 没有火花) or a weak flame (火苗很小) is a fault, not a fire;
    # "气炸了" is anger.
    "fire": re.compile(r"冒烟|起火|(?<![打点])(?<!不)着火|失火|冒火|窜火|蹿火|爆炸|(?<!气)炸了|烧焦|焦糊味|糊味|焦味|"
                       r"smoke|\bfire\b|burning smell", re.IGNORECASE),
    "electric": re.compile(r"漏电|触电|电到|麻手|手麻|(?<!没有)(?<![没不无])(?<!不出)火花|短路|electric shock|sparks?",
                           re.IGNORECASE),
    "water_electric": re.compile(rf"{_WATER}.{{0,15}}{_POWERED}|{_POWERED}.{{0,15}}{_WATER}", re.IGNORECASE),
}
"""Danger to people or property, by kind: gas, fire or smoke, electricity, water reaching electricity. Each kind has
its own safety steps for the customer (templates `_safety`)."""
_SEVERE = re.compile(
    r"漏水|渗水|淹了|水漫|满地.{0,3}水|喷水|停产|停工|停业|生产线|断电|跳闸|没电|不通电|完全不能用|用不了|没法用|"
    r"没有?热水|不制冷|不制热|暖气不热|地暖不热|冻得|冻死|热死|中暑|坏了.{0,6}(?:一屋|全部)|进不了家|打不开门|leak|"
    r"(?:not|stopped|isn'?t|wasn'?t|won'?t|doesn'?t|no longer) (?:cooling|heating|cool|heat)|no hot water|no power|flood",
    re.IGNORECASE,
)
_VULNERABLE = re.compile(r"老人|老年人|爷爷|奶奶|姥姥|外婆|老妈|孩子|小孩|婴儿|宝宝|孕妇|怀孕|病人|瘫痪|坐月子|月子")
_URGENT = re.compile(r"急|马上|立刻|立即|赶紧|尽快|今天必须|等不了|十万火急|火速|asap|urgent|hurry", re.IGNORECASE)
_ANGRY = re.compile(
    r"投诉|12315|消协|消费者协会|工商|曝光|媒体|律师|起诉|法律|垃圾|骗子|骗人|坑人|太差|差劲|气死|受够|"
    r"他妈|妈的|tmd|操|滚|恶心|无语|忍无可忍|什么破|没完|说法|失望|生气|愤怒|不负责|rubbish|terrible|worst|angry",
    re.IGNORECASE,
)
_QUIET_TYPES = ("inquiry", "other")
_ERROR_CODE = re.compile(
    r"(?:显示|报|跳|出现|提示|闪|亮)了?(?:个|一个)?\s*(?:故障码|故障代码|错误码|代码)?\s*[:：]?\s*"
    r"(?<![A-Za-z])[A-Za-z]{1,2}-?\d{1,3}(?![\dA-Za-z])"
    r"|\b(?:shows?|showing|displays?|displaying|flashing|error|code)\s+(?:error\s+|code\s+)*[A-Za-z]{1,2}-?\d{1,3}\b",
    re.IGNORECASE,
)


# Sentiment score (P(positive) − P(negative)) at or below which a customer counts as angry.
ANGRY_SCORE = -0.8
# Fewer letters than this and the model's score is no evidence: "没有", "不行" or "还是不行" answer a question, and a
# review-trained model reads any bare negation as a one-star review.
ANGRY_MIN_LETTERS = 5
_LETTERS = re.compile(r"[^\W\d_]")


def angry(text: str, sentiment_score: float) -> bool:
    """Whether the customer is angry: what later steps (priority, a person taking over) react to."""
    if _ANGRY.search(text):
        return True
    return sentiment_score <= ANGRY_SCORE and len(_LETTERS.findall(text)) >= ANGRY_MIN_LETTERS


def hazards(text: str) -> tuple[str, ...]:
    """The kinds of danger the text tells of, in `HAZARDS` order."""
    return tuple(kind for kind, pattern in HAZARDS.items() if pattern.search(text))


def fault_told(text: str) -> bool:
    """Whether the text tells of a danger or of an error code a device shows: a fault, so a repair, even when it is
    put as a question ("热水器显示E4是什么意思") or as a bare observation ("燃气灶有股煤气味")."""
    return bool(_ERROR_CODE.search(text)) or bool(hazards(text))


def priority(text: str, ticket_type: str, sentiment_score: float) -> str:
    """P1 (act now) … P4 (no ticket, or a question that can wait)."""
    if hazards(text):
        return "P1"
    pressing = bool(_VULNERABLE.search(text)) or bool(_URGENT.search(text))
    if _SEVERE.search(text):
        return "P1" if pressing else "P2"
    level = 4 if ticket_type in _QUIET_TYPES else 3
    if pressing:
        level -= 1
    if angry(text, sentiment_score):
        level -= 1
    return f"P{max(level, 2)}"
