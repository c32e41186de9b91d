"""Tickets: types, priorities, statuses and the state machine that refuses illegal moves.

Pure Python on purpose (no SQLAlchemy, no aiohttp): the rules can be read and tested on their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Mapping

from core.domain.sla import FIRST_RESPONSE, Deadline, SlaState


class TicketType(StrEnum):
    REPAIR = "repair"
    INSTALLATION = "installation"
    MAINTENANCE = "maintenance"
    RETURN = "return"
    LOGISTICS = "logistics"
    COMPLAINT = "complaint"
    INVOICE = "invoice"
    ORDER_CHANGE = "order_change"
    INQUIRY = "inquiry"
    OTHER = "other"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_PARTS = "pending_parts"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = frozenset(Status) - {Status.RESOLVED, Status.CLOSED, Status.CANCELLED}
PAUSED_STATUSES = frozenset({Status.PENDING_CUSTOMER, Status.PENDING_PARTS})
"""Waiting on someone outside the company: the customer's answer, or parts."""
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})
CLOCK_STOPPED = frozenset({*PAUSED_STATUSES, Status.RESOLVED, *FINAL_STATUSES})
"""Statuses in which the SLA clock does not run: waiting for the customer or for parts (a pause), resolved (until
the customer reopens it), closed and cancelled (for good)."""

_WORKING = {Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE, Status.PENDING_CUSTOMER, Status.PENDING_PARTS}
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.PENDING_CUSTOMER, Status.RESOLVED, Status.CANCELLED}),
    Status.ASSIGNED: frozenset({Status.ACCEPTED, Status.NEW, Status.CANCELLED}),
    Status.ACCEPTED: frozenset({Status.EN_ROUTE, Status.ON_SITE, Status.PENDING_PARTS, Status.PENDING_CUSTOMER,
                                Status.RESOLVED, Status.NEW, Status.CANCELLED}),
    Status.EN_ROUTE: frozenset({Status.ON_SITE, Status.PENDING_CUSTOMER, Status.CANCELLED}),
    Status.ON_SITE: frozenset({Status.PENDING_PARTS, Status.PENDING_CUSTOMER, Status.RESOLVED}),
    Status.PENDING_CUSTOMER: frozenset({Status.NEW, Status.ASSIGNED, *_WORKING - {Status.PENDING_CUSTOMER},
                                        Status.RESOLVED, Status.CANCELLED}),
    Status.PENDING_PARTS: frozenset({Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE, Status.RESOLVED,
                                     Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.NEW}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}
"""Allowed moves. Resolved may reopen to new (the customer says it is not fixed); closed and cancelled are final."""


class IllegalTransition(ValueError):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"ticket cannot go from {current} to {target}")
        self.current = current
        self.target = target


def check_transition(current: Status | str, target: Status | str) -> Status:
    """Return the target status if the move is allowed, else raise `IllegalTransition`."""
    current, target = Status(current), Status(target)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
    return target


TICKET_ID_PATTERN = r"(?<![0-9A-Za-z])SR[- ]?(\d{8})[- ]?(\d{4,6})(?![0-9A-Za-z])"
"""A ticket id as people type it (case, hyphens or spaces optional); groups: the day, the number. Every parser of
ticket ids (messages, commands, email subjects) builds on this one pattern."""
TICKET_ID = re.compile(TICKET_ID_PATTERN, re.IGNORECASE)


def ticket_id_of(match: re.Match[str]) -> str:
    """The canonical `SR-YYYYMMDD-NNNN` of a `TICKET_ID_PATTERN` match."""
    return f"SR-{match.group(1)}-{match.group(2)}"


def format_ticket_id(day: date, number: int) -> str:
    """`SR-YYYYMMDD-NNNN`: the day in China time and a per-day sequence (more digits past 9999)."""
    return f"SR-{day:%Y%m%d}-{number:04d}"


def find_ticket_ids(text: str) -> list[str]:
    return [ticket_id_of(m) for m in TICKET_ID.finditer(text or "")]


FIELD_TYPES = frozenset({TicketType.REPAIR, TicketType.INSTALLATION, TicketType.MAINTENANCE})
"""Jobs technicians go out for."""
AGENT_TYPES = frozenset(TicketType) - FIELD_TYPES - {TicketType.OTHER}
"""Tickets no technician takes (complaints, returns, deliveries, invoices, order changes, inquiries): the agents'."""


class Queue(StrEnum):
    """Whose a ticket is until a person takes it: no ticket is nobody's."""

    TECHNICIANS = "technicians"
    AGENTS = "agents"


def owner_queue(ticket_type: TicketType | str) -> Queue:
    return Queue.TECHNICIANS if TicketType(ticket_type) in FIELD_TYPES else Queue.AGENTS


def opens_ticket(ticket_type: TicketType | str) -> bool:
    """Greetings, thanks and chit-chat (`other`) never open a ticket."""
    return TicketType(ticket_type) is not TicketType.OTHER


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketView:
    """A ticket as conversation jobs, notices and the API see it: a snapshot taken from the ticket service. Every
    change goes through that service (state machine, audit log), which hands back a fresh view."""

    code: str
    type: str
    priority: str
    status: str
    customer_id: int
    assignee_id: int | None
    channel: str
    conversation: str
    summary: str
    sentiment: str
    entities: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    deadlines: Mapping[str, Deadline] = field(default_factory=dict)
    """The SLA targets of the ticket's policy by name (`first_response`, `resolution`), as moved on by pauses."""
    clock_stopped_at: datetime | None = None
    """When the SLA clock stopped (see `CLOCK_STOPPED`); None while it runs."""
    visit: tuple[datetime, datetime] | None = None
    """The visit agreed with the customer (start, end); None until one is."""
    device_id: int | None = None
    """The device the job is about, when one is known."""

    @property
    def is_open(self) -> bool:
        return Status(self.status) in OPEN_STATUSES

    @property
    def queue(self) -> Queue:
        return owner_queue(self.type)

    def sla_state(self, target: str, now: datetime) -> SlaState | None:
        """Where one target stands: judged when it was met, when the clock stopped, or now (None: no such target)."""
        deadline = self.deadlines.get(target)
        if deadline is None:
            return None
        met = self.first_response_at if target == FIRST_RESPONSE else None
        return deadline.state(min(at for at in (met, self.clock_stopped_at, now) if at is not None))

@dataclass(frozen=True, slots=True, kw_only=True)
class MessageView:
    """One thing said on a ticket: when, by whom (an actor such as `customer:12` or `agent:3`), and the text."""

    at: datetime
    author: str
    text: str
    attachments: tuple[Mapping[str, Any], ...] = ()

    @property
    def inbound(self) -> bool:
        """Said by the customer (the rest was said to them, or noted by staff)."""
        return self.author.startswith("customer:")
