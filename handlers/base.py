"""What every conversation job gets and gives: a `Context` in, a list of `Outbound` out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.domain.conversations import Conversation
from core.domain.details import VISIT_TYPES, WAIVED
from core.domain.people import Person, PersonKind
from core.domain.tickets import Priority, TicketType, TicketView
from core.envelopes import Inbound, Outbound
from core.services.intake import Report
from core.services.media import location_details
from core.services.unit import Services
from nlp import Understanding
from nlp.retrieval import KnowledgeBase, LookedUp
from nlp.times import moved
from templates import labels


@dataclass(kw_only=True)
class Origin:
    """Whatever sends messages to people: the services of its transaction, the language of the cards it shows,
    and the stem of each message's idempotency key. A chat message's `Context` is one; an API call from the
    console is another."""

    services: Services
    locale: str
    stem: str = ""

    def key(self, purpose: str) -> str:
        """An idempotency key for what this causes: doing the same work again yields the same key."""
        return f"{self.stem}:{purpose}"

    def send_to(self, *, channel: str, account: str, recipient: str, conversation: str, template: str, locale: str,
                key: str, **data: Any) -> Outbound:
        """A message to someone other than the sender (a technician, the customer of a job); `key` names its
        purpose, so doing the same work again yields the same idempotency key and never sends it twice."""
        return Outbound(channel=channel, account=account, recipient=recipient, conversation=conversation,
                        template=template, data=data, locale=locale, idempotency_key=self.key(key))

    def ticket_card(self, ticket: TicketView, locale: str | None = None) -> dict[str, Any]:
        """The ticket as templates and the web-chat card show it (labels in `locale`, by default this one's)."""
        return ticket_card(ticket, locale or self.locale)


@dataclass(kw_only=True)
class Context(Origin):
    inbound: Inbound
    inbox_id: int
    understanding: Understanding
    person: Person
    state: Conversation
    now: datetime
    knowledge: KnowledgeBase | LookedUp | None = None
    """The knowledge base the hub loaded at start (None where none is loaded: no answers from it), or it with
    this message's question looked up ahead."""
    _count: int = field(default=0, repr=False)

    def reply(self, template: str, **data: Any) -> Outbound:
        """A message back to the sender, in the same thread; its key is derived from the inbox row, so
        re-processing the same message after a crash can never send it twice."""
        self._count += 1
        return Outbound(channel=self.inbound.channel, account=self.inbound.account, recipient=self.inbound.sender,
                        conversation=self.inbound.conversation, template=template, data=data, locale=self.locale,
                        idempotency_key=self.key(str(self._count)), reply_to=self.inbound.external_id)

    def key(self, purpose: str) -> str:
        """An idempotency key for what this message causes: derived from its inbox row and `purpose`, so handling
        the same message again after a crash yields the same key and sends nothing twice."""
        return f"inbox:{self.inbox_id}:{purpose}"

    @property
    def customer_id(self) -> int:
        """The sender as a customer. Customers' jobs name the customer by this, never by `person.id`, so a staff
        member's id can never be taken for a customer's (opening tickets in their name, listing others' tickets)."""
        if self.person.kind is not PersonKind.CUSTOMER:
            raise NotACustomer(f"{self.person.actor} reached a customer's job")
        return self.person.id

    async def open_ticket(self) -> TicketView | None:
        """The customer's newest open ticket in this thread."""
        inbound = self.inbound
        return await self.services.tickets.open_in_conversation(
            channel=inbound.channel, conversation=inbound.conversation, customer_id=self.customer_id)

    def entity_lists(self, *, moving: tuple[datetime, datetime | None] | None = None) -> dict[str, list[Any]]:
        """What was understood, plus a shared location: its label (or coordinates) as an address, and the place
        with its coordinates under `locations`, so the technician can navigate to it. `moving` is the time of the
        visit the message may move: a bare weekday is read against it (`nlp.times.moved`)."""
        lists = entity_lists(self.understanding, moving=moving)
        for attachment in self.inbound.attachments:
            place = location_details(attachment)
            if "latitude" not in place:
                continue
            address = place["label"] or f"{place['latitude']},{place['longitude']}"
            if address not in lists["addresses"]:
                lists["addresses"].append(address)
            lists.setdefault("locations", []).append(place)
        return lists

    def attachment_list(self) -> list[dict[str, Any]]:
        return [{"kind": a.kind, "name": a.name, "url": a.url, "size": a.size} for a in self.inbound.attachments]

    def report(self, text: str, ticket_type: TicketType, entities: dict[str, list[Any]]) -> Report:
        """This message filed as `ticket_type` with `entities`: by its sender, with its attachments, at the priority,
        mood and summary it was understood with."""
        u = self.understanding
        return Report(customer_id=self.customer_id, actor=self.person.actor, channel=self.inbound.channel,
                      conversation=self.inbound.conversation, text=text, type=ticket_type,
                      priority=Priority(u.priority), sentiment=u.sentiment, entities=entities, inbox_id=self.inbox_id,
                      attachments=self.attachment_list(), summary=u.summary)


def entity_lists(understanding: Understanding, *, moving: tuple[datetime, datetime | None] | None = None
                 ) -> dict[str, list[Any]]:
    """What was understood, as the JSON lists a ticket records; times as they move the visit set for `moving`."""
    e = understanding.entities
    return {
        "phones": list(e.phones), "order_numbers": list(e.order_numbers), "serial_numbers": list(e.serial_numbers),
        "addresses": [a.recorded() for a in e.addresses],
        "times": [t.recorded() for t in (moved(t, moving) if moving else t for t in e.times) if t.bookable],
        "products": list(e.products), "models": list(e.models), "invoice_titles": list(e.invoice_titles),
        "tax_ids": list(e.tax_ids), "emails": list(e.emails), "invoice_requests": list(e.invoice_requests),
        "purchase_dates": list(e.purchase_dates),
    }


def ticket_card(ticket: TicketView, locale: str) -> dict[str, Any]:
    """The ticket as templates and the web-chat card show it (labels in the reader's language)."""
    names = labels(locale)
    return {"id": ticket.code, "type": ticket.type, "type_label": names["types"][ticket.type],
            "status": ticket.status, "status_label": names["statuses"][ticket.status],
            "priority": ticket.priority, "priority_label": names["priorities"][ticket.priority],
            "summary": ticket.summary, "visit": TicketType(ticket.type) in VISIT_TYPES,
            "entities": {k: list(v) for k, v in ticket.entities.items() if k != WAIVED},
            "created_at": ticket.created_at.isoformat()}


@dataclass(kw_only=True)
class TimerContext:
    """A timer that came due (`kind`, `key`, `payload` as scheduled), with the services of its transaction."""

    kind: str
    timer_key: str
    payload: dict[str, Any]
    due_at: datetime
    services: Services
    now: datetime
    again: tuple[datetime, dict[str, Any]] | None = None
    """Set by a job whose timer is to come due again (`come_again`) instead of being done."""

    def key(self, purpose: str) -> str:
        """An idempotency key for what firing this timer causes (a timer fires once, so this is stable)."""
        return f"timer:{self.timer_key}:{purpose}"

    def come_again(self, due_at: datetime, payload: dict[str, Any]) -> None:
        """Keep the timer for its next step: due again at `due_at` with `payload`, in this firing's transaction
        (each step fires once: the row moves on to the next as the step's effects commit)."""
        self.again = (due_at, payload)


class TimerJob(Protocol):
    """Work done when a timer of `kind` comes due; returns the messages it causes (queued in its transaction)."""

    kind: str

    async def fire(self, due: TimerContext) -> list[Outbound]: ...


class NotACustomer(RuntimeError):
    """A customer's job was handed a staff member: a routing mistake, never answered as if they were a customer."""


class Handler(Protocol):
    """A conversation job. `roles`: the kinds of person it serves (the router hands it no one else). `commands` it
    answers whatever the conversation waits for; `intents` when the conversation is idle or in one of its
    `states`. Jobs subclass this to leave out what they do not use.

    `handle` returns the replies, or None to pass the message on (a survey waits, but the message is a new problem):
    the router's next choice takes it. A job passes before it changes anything."""

    name: str
    roles: frozenset[PersonKind]
    commands: frozenset[str] = frozenset()
    intents: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()

    async def handle(self, ctx: Context) -> list[Outbound] | None: ...
