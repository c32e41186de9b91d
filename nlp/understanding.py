"""What the hub understood from one message: the frozen result the pipeline and handlers act on.

`Understanding.to_dict()` is the JSON of `aftersales nlp classify` (CONTRACT.md), so its keys are a public contract.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NEW_PROBLEM = "new_problem"
ADD_DETAIL = "add_detail"
STATUS_QUERY = "status_query"
CANCEL = "cancel"
ACCEPT = "accept"
DECLINE = "decline"
EN_ROUTE = "en_route"
ARRIVED = "arrived"
DONE = "done"
MY_JOBS = "my_jobs"
ACKNOWLEDGE = "acknowledge"
TRANSFER = "transfer"
QUEUE = "queue"
PENDING_CUSTOMER = "pending_customer"
PENDING_PARTS = "pending_parts"
RESUME = "resume"
PARTS_USED = "parts_used"
PARTS_SHORT = "parts_short"
LABOUR = "labour"
ON_DUTY = "on_duty"
OFF_DUTY = "off_duty"
APPOINT = "appointment"
SURVEY_ANSWER = "survey_answer"
KB_QUESTION = "kb_question"
GREETING = "greeting"
THANKS = "thanks"
HUMAN = "human"
SOLVED = "solved"
NOT_FIXED = "not_fixed"
HELPFUL = "helpful"
NOT_HELPFUL = "not_helpful"
REPLY = "reply"
RELEASE = "release"
LINK = "link"
VERIFY = "verify"
ADD_DEVICE = "add_device"
DEVICE_SCAN = "device_scan"
"""A device QR code scanned in WeChat (the hub sets it: the scan carries no text)."""
NO_DETAIL = "no_detail"
"""Asked for a phone, address, time, serial or order number, the customer has none or will not give it."""

INTENTS: tuple[str, ...] = (
    NEW_PROBLEM, ADD_DETAIL, STATUS_QUERY, CANCEL, ACCEPT, DECLINE, EN_ROUTE, ARRIVED, DONE, MY_JOBS,
    ACKNOWLEDGE, TRANSFER, QUEUE, PENDING_CUSTOMER, PENDING_PARTS, RESUME, SURVEY_ANSWER, KB_QUESTION, GREETING,
    THANKS, HUMAN, SOLVED, NOT_FIXED, HELPFUL, NOT_HELPFUL, REPLY, RELEASE, PARTS_USED, PARTS_SHORT, LABOUR,
    ON_DUTY, OFF_DUTY, APPOINT, LINK, VERIFY, ADD_DEVICE, DEVICE_SCAN, NO_DETAIL,
)

TICKET_TYPES: tuple[str, ...] = (
    "repair", "installation", "maintenance", "return", "logistics", "complaint", "invoice", "order_change",
    "inquiry", "other",
)

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

DETAILS: tuple[str, ...] = ("phone", "address", "serial", "time", "detail", "title", "tax_id")
"""What a conversation waits for while it collects a ticket's missing detail."""
# What a conversation may be waiting for; anything else passed as `expecting` is treated as None.
EXPECTATIONS: tuple[str, ...] = ("survey_csat", "survey_nps", "survey_comment", "confirm", "helpful", "phone",
                                 "address", "serial", "time", "detail", "title", "tax_id")


_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address split the way dispatch needs it (region for routing, detail for the technician)."""

    text: str
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""

    def recorded(self) -> str:
        """The address as a ticket keeps it: as written, led by its region in Chinese when it was written in
        another script ("北京市朝阳区 88 Jianguo Road, …"), so dispatch matches technicians' regions and the
        technician reads where to go."""
        if _HAN.search(self.text):
            return self.text
        region = "".join(dict.fromkeys(part for part in (self.province, self.city, self.district) if part))
        return f"{region} {self.text}" if region else self.text

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "province": self.province, "city": self.city, "district": self.district,
                "detail": self.detail}


@dataclass(frozen=True, slots=True)
class TimeMention:
    """An appointment time as written (`text`) and resolved against the message time (`start`, UTC+8 aware); `end`
    closes the span when what was said is one ("明天上午" 09:00–12:00, "两点到四点", a bare "周六"), and is None for
    a moment ("下午三点")."""

    text: str
    start: datetime
    end: datetime | None = None
    bookable: bool = True
    """False for a time said but not offered for the visit ("今天还要洗澡") or over when the message came ("今天能来吗"
    at half past six): the type model still reads it as a time (masked, as in training, whatever the hour), but no
    ticket records it."""

    def recorded(self) -> str:
        """The time as a ticket keeps it: ISO 8601, a span in interval form ("…T09:00:00+08:00/…T12:00:00+08:00";
        core.domain.visits.wanted reads it back), so a visit is planned for the half-day asked, not its first hour."""
        return f"{self.start.isoformat()}/{self.end.isoformat()}" if self.end else self.start.isoformat()

    def to_dict(self) -> dict[str, Any]:
        span = {"end": self.end.isoformat()} if self.end else {}
        return {"text": self.text, "start": self.start.isoformat(), **span, "bookable": self.bookable}


@dataclass(frozen=True, slots=True)
class Entities:
    """Everything concrete a customer told us; each kind keeps the order it appeared in, without duplicates."""

    phones: tuple[str, ...] = ()
    order_numbers: tuple[str, ...] = ()
    serial_numbers: tuple[str, ...] = ()
    ticket_ids: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    times: tuple[TimeMention, ...] = ()
    invoice_titles: tuple[str, ...] = ()
    """Whom an invoice is made out to, as it goes on the invoice ("杭州某某科技有限公司", "个人", "张三")."""
    tax_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    invoice_requests: tuple[str, ...] = ()
    """The words asking for an invoice to be issued or issued again ("开发票", "换抬头"): no detail, but what makes
    an invoice ticket need a title (core.domain.invoices)."""
    purchase_dates: tuple[str, ...] = ()
    """When the device was bought, ISO 8601 at the precision said ("2025-11-11", "2026-03", "2024"; nlp.purchases)."""

    def __bool__(self) -> bool:
        return any((self.phones, self.order_numbers, self.serial_numbers, self.ticket_ids, self.products,
                    self.models, self.addresses, self.times, self.invoice_titles, self.tax_ids, self.emails,
                    self.purchase_dates))

    def to_dict(self) -> dict[str, Any]:
        return {
            "phones": list(self.phones),
            "order_numbers": list(self.order_numbers),
            "serial_numbers": list(self.serial_numbers),
            "addresses": [a.to_dict() for a in self.addresses],
            "times": [t.to_dict() for t in self.times],
            "ticket_ids": list(self.ticket_ids),
            "products": list(self.products),
            "models": list(self.models),
            "invoice_titles": list(self.invoice_titles),
            "tax_ids": list(self.tax_ids),
            "emails": list(self.emails),
            "invoice_requests": list(self.invoice_requests),
            "purchase_dates": list(self.purchase_dates),
        }


@dataclass(frozen=True, slots=True)
class Understanding:
    """One message understood: intent, ticket type, priority, sentiment, entities and command arguments."""

    text: str
    intent: str
    type: str
    type_confidence: float
    priority: str
    sentiment: str
    entities: Entities = field(default_factory=Entities)
    sentiment_score: float = 0.0
    """P(positive) − P(negative) from the sentiment model, in [-1, 1]."""
    angry: bool = False
    """Strongly negative or threatening (投诉, 12315): raises priority; a person should take over a repeat."""
    hazards: tuple[str, ...] = ()
    """Kinds of danger told of (`gas`, `fire`, `electric`, `water_electric`): priority P1, safety steps for the
    customer, supervisors alerted at once."""
    problems: tuple["Understanding", ...] = ()
    """When the message tells of problems with two or more devices ("空调不制冷，另外洗衣机也漏水"): one
    understanding per device, each typed and prioritised on its own part, sharing the message's contact details;
    a ticket each. Empty for a message about one thing."""
    ticket_id: str | None = None
    note: str = ""
    summary: str = ""
    """The message as a ticket's one-line summary when it opens with a greeting or names a phone, an address or a
    contact's name: without them (they are the ticket's details, and a summary travels to queues, alerts and group
    chats); "" when the text is its own summary."""
    score: int | None = None
    scale: str | None = None

    @property
    def details_only(self) -> bool:
        """The message is a phone, an address, an order or a serial number and nothing else ("13912345678",
        "地址：上海市…", "4200001234567890", "SN: HW2026…"): details given before the problem is told, not a request
        of any kind ("收货地址改成…" asks for a change)."""
        e = self.entities
        return (self.intent == ADD_DETAIL and bool(e.phones or e.addresses or e.order_numbers or e.serial_numbers)
                and not self.summary and not (e.ticket_ids or e.products or e.models or e.times))

    def to_dict(self) -> dict[str, Any]:
        """The classify JSON; `problems` lists each device's part (the same keys, no nested `problems`) when the
        message tells of several, so a caller sees that the hub would open a ticket for each."""
        return {**self._fields(), "problems": [p._fields() for p in self.problems]}

    def _fields(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "type": self.type,
            "type_confidence": round(self.type_confidence, 4),
            "intent": self.intent,
            "priority": self.priority,
            "sentiment": self.sentiment,
            "sentiment_score": round(self.sentiment_score, 4),
            "angry": self.angry,
            "entities": self.entities.to_dict(),
        }
