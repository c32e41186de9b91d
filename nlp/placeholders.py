"""The text the type model reads: every detail a customer wrote replaced by one typed placeholder character.

"洗碗机漏水，电话13912345678，地址北京市朝阳区建国路88号" is classified as "洗碗机漏水，☎，⌂" (private-use
characters, one per kind), and the shipped training data is masked the same way, so a phone number, an address or
a price can never vote for a ticket type. The label in front of a contact detail (电话, 手机号, 地址是) goes with it:
it says only that a detail follows. Other labels (订单号, 序列号, 税号) stay, because they say what the message is about,
and so does a contact label right after a verb of changing ("换个手机号…", "修改地址：…"): the message asks for a change
of that detail, and without the label "换个☎" reads like "换个" (an exchange).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .entities import Span, find_entities
from .normalize import HAN, widened
from .patterns import quick

# One private-use character per kind: a single feature that never collides with anything a customer types
# (`nlp.normalize` removes private-use characters from the input).
PLACEHOLDERS: dict[str, str] = {
    "phone": "\ue001", "address": "\ue002", "order": "\ue003", "serial": "\ue004", "time": "\ue005",
    "money": "\ue006", "model": "\ue007", "ticket": "\ue008", "name": "\ue009", "tax_id": "\ue00a",
}
_LABELS: dict[str, re.Pattern[str]] = {
    "phone": quick(r"(?:我的|我)?(?:联系|手机|电话|联系方式|tel|phone)(?:电话|号码|号|方式)?\s*(?:是|为)?\s*[:：]?\s*$",
                   re.IGNORECASE),
    "address": quick(r"(?:我的|我家|我)?(?:收货|详细|家庭|送货|上门|所在)?(?:地址|住址)\s*(?:是|为|在)?\s*[:：]?\s*$"
                     r"|(?:家住|住在)\s*$"),
}
_CONTACTS = frozenset({"phone", "address", "name"})
# "您好，" "客服你好" "Hi," ahead of the problem: a summary starts with the problem. 亲, 老板 and 客服 only as a word
# of their own ("亲，…", not "亲戚家的…"; "客服你好", not "客服态度恶劣").
_OPENING = re.compile(r"^(?:(?:你好|您好|哈喽|嗨|在吗|在不在|有人吗|早上好|上午好|下午好|晚上好|喂|(?:hi|hello|hey)\b"
                      r"|(?:亲|老板|客服)(?=[\s,，!！~～.。?？呀啊]|你好|您好|在吗|在不在))[呀啊哈呢]?[\s,，!！.。~～?？]*)+",
                      re.IGNORECASE)
_GAP = "\ue000"
# A left-out detail with the separators around it: one comma between what stays, none at either end.
_GAPS = re.compile(r"[\s,，;；、:：.。]*(?:\ue000[\s,，;；、:：.。]*)+")
# "my phone is …", "call me at …": the English ways of saying a contact detail follows, left out of a summary with it
# (the type model's masking keeps them: its English seeds were masked without).
_SAID_IN_ENGLISH = re.compile(r"(?:(?:my|our|the)\s+)?(?:phone|mobile|cell|tel|number|address)(?:\s+number)?"
                              r"(?:\s+is)?\s*:?\s*$|\b(?:call|reach|text)\s+(?:me|us)\s+(?:at|on)\s*$"
                              r"|\b(?:i|we)\s+live\s+(?:at|in)\s*$", re.IGNORECASE)
_CHANGE = re.compile(r"(?:换|改|更换|修改|更改)(?:成|为|个|一个|一下|下)?\s*$")
# What follows a time when a customer says when they can be visited ("明天下午在家", "三点以后有人"): part of the
# detail; not when it is asked ("明天可以吗").
_AVAILABLE = quick(r"(?:以后|之后|后|前|左右)?(?:都|也|会|一直)?(?:在家|有人|可以|方便|有空|行)(?![吗嘛么呢吧不?？])")
# Masking for training and evaluation only needs a fixed "now": which mentions are times does not depend on the date.
_REFERENCE_NOW = datetime(2026, 1, 5, 2, 0, tzinfo=timezone.utc)


def mask(text: str, spans: tuple[Span, ...]) -> str:
    """`text` with each span (and the label before a contact detail) replaced by its kind's placeholder; a kind
    with none (an invoice title, an e-mail) stays as written, as the type model was trained on it."""
    parts: list[str] = []
    pos = 0
    for span in spans:
        if span.start < pos or span.kind not in PLACEHOLDERS:
            continue
        parts.append(_unlabelled(text[pos:span.start], span))
        parts.append(PLACEHOLDERS[span.kind])
        pos = span.end
        if span.kind == "time" and (m := _AVAILABLE.match(text, pos)) is not None:
            pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def summary_of(text: str, spans: tuple[Span, ...]) -> str:
    """`text` as a ticket's one-line summary shows the problem: without an opening greeting ("您好，"), and without
    the phones, addresses and names in it nor their labels — those are details with fields of their own, and a
    summary travels to queues, alerts and group chats. "" when `text` is its own summary (or would be left empty)."""
    opening = _OPENING.match(text)
    start = opening.end() if opening is not None and opening.end() < len(text) else 0
    parts: list[str] = []
    pos = start
    for span in spans:
        if span.start < pos or span.kind not in _CONTACTS:
            continue
        before = _unlabelled(text[pos:span.start], span)
        parts.append(before[: m.start()] if (m := _SAID_IN_ENGLISH.search(before)) else before)
        parts.append(_GAP)
        pos = span.end
    if not parts and not start:
        return ""
    parts.append(text[pos:])
    chinese = HAN.search(text) is not None
    kept = _GAPS.sub("，" if chinese else ", ", "".join(parts)).strip("，, ")
    return widened(kept) if chinese else kept[:1].upper() + kept[1:]


def _unlabelled(before: str, span: Span) -> str:
    """`before` (the text ahead of `span`) without the label that says a contact detail follows ("电话：")."""
    label = _LABELS.get(span.kind)
    if label is not None and (m := label.search(before)) is not None and not _CHANGE.search(before, 0, m.start()):
        return before[: m.start()]
    return before


def masked(text: str) -> str:
    """Normalized `text` as the type model reads it; what training, evaluation and benchmarks feed the model."""
    return mask(text, find_entities(text, _REFERENCE_NOW).spans)
