"""Priority (P1–P4) and sentiment from the words customers use for danger, urgency and feelings.

Rules, not a model: a missed gas smell is far costlier than an over-ranked ticket, and the lists are short and
auditable. Danger to people or property is P1; a disabling fault (leak, no power, production stopped) is P2, P1 when
old people or children are exposed or the customer says it is urgent; urgency and anger raise any other ticket one
level. Negations are matched first (不满意 is not 满意, 不错 is not 错).
"""
from __future__ import annotations

import re

_DANGER = re.compile(
    r"冒烟|起火|着火|失火|火苗|冒火|火花|爆炸|炸了|漏电|触电|电到|麻手|手麻|燃气味|煤气味|天然气味|漏气|有气味.*燃气|"
    r"烧焦|焦糊味|糊味|短路|smoke|fire|gas leak|electric shock|sparks?"
)
_SEVERE = re.compile(
    r"漏水|渗水|淹了|水漫|满地.{0,3}水|喷水|停产|停工|停业|生产线|断电|跳闸|没电|不通电|完全不能用|用不了|没法用|"
    r"没有?热水|不制冷|不制热|暖气不热|地暖不热|冻得|冻死|热死|中暑|坏了.{0,6}(?:一屋|全部)|进不了家|打不开门|leak"
)
_VULNERABLE = re.compile(r"老人|老年人|爷爷|奶奶|姥姥|外婆|老妈|孩子|小孩|婴儿|宝宝|孕妇|怀孕|病人|瘫痪|坐月子|月子")
_URGENT = re.compile(r"急|马上|立刻|立即|赶紧|尽快|今天必须|等不了|十万火急|火速|asap|urgent|hurry", re.IGNORECASE)
_ANGRY = re.compile(
    r"投诉|12315|消协|消费者协会|工商|曝光|媒体|律师|起诉|法律|垃圾|骗子|骗人|坑人|太差|差劲|气死|受够|"
    r"他妈|妈的|tmd|操|滚|恶心|无语|忍无可忍|什么破|没完|说法|失望|生气|愤怒|不负责|rubbish|terrible|worst|angry",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"不满意|不太满意|不好用|不好|不行|不靠谱|很差|太差|差劲|极差|最差|失望|垃圾|骗|坑|生气|愤怒|气死|烦死|烦|"
    r"恶心|无语|醉了|受够|糟糕|伤心|难过|郁闷|崩溃|投诉|差评|后悔|太慢|慢死|离谱|过分|不负责|敷衍|态度差|态度恶劣|"
    r"他妈|妈的|怎么还|到底|凭什么|bad|terrible|worst|angry|disappointed|awful|poor",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"非常满意|很满意|满意|不错|很好|挺好|好评|点赞|赞|棒|给力|专业|耐心|热情|喜欢|感谢|谢谢|多谢|辛苦|麻烦你了|"
    r"开心|高兴|完美|靠谱|及时|thanks|thank you|great|good|excellent|perfect|love",
    re.IGNORECASE,
)
_NEGATED_POSITIVE = re.compile(r"(?:不|没|不太|没有|不怎么)(?:满意|很好|好用|专业|耐心|热情|喜欢|靠谱|及时|给力)")
_QUIET_TYPES = ("inquiry", "other")


def priority(text: str, ticket_type: str) -> str:
    """P1 (act now) … P4 (no ticket, or a question that can wait)."""
    if _DANGER.search(text):
        return "P1"
    pressing = bool(_VULNERABLE.search(text)) or bool(_URGENT.search(text))
    if _SEVERE.search(text):
        return "P1" if pressing else "P2"
    level = 4 if ticket_type in _QUIET_TYPES else 3
    if pressing:
        level -= 1
    if _ANGRY.search(text):
        level -= 1
    return f"P{max(level, 2)}"


def sentiment(text: str) -> str:
    """negative | neutral | positive, by counting feeling words; a negated praise counts as negative."""
    text = text.replace("不好意思", "")  # an apology, not a complaint
    negated = len(_NEGATED_POSITIVE.findall(text))
    cleaned = _NEGATED_POSITIVE.sub("", text)
    negative = len(_NEGATIVE.findall(cleaned)) + negated
    positive = len(_POSITIVE.findall(cleaned))
    if negative > positive:
        return "negative"
    if positive > negative:
        return "positive"
    return "neutral"
