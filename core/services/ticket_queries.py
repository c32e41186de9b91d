"""Reading tickets for the API and the console: filtered pages newest first, and one ticket whole (customer,
assignee, what was said, the audit log, an open handover).

Pages are keyset-paginated on the row id, newest first: a page after row N holds the next rows below N, so tickets
opened while someone pages through appear on the first page and never shift, duplicate or hide older ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import ColumnElement, Select, String, and_, cast, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.devices import DeviceView
from core.domain.sla import SlaState
from core.domain.surveys import SurveyView
from core.domain.tickets import OPEN_STATUSES, MessageView, Status, TicketView
from core.services import figures_sql as sql
from core.services.customers import CustomerView, customer_view
from core.services.devices import device_view
from core.services.handover import HandoverService, HandoverView
from core.services.media import AttachmentView, attachments_of
from core.services.search import ESCAPE, containing
from core.services.surveys import SurveyService
from core.services.tickets import message_view, view
from core.storage.models import Customer, Device, Handover, Staff, Ticket, TicketEvent, TicketMessage

HANDOVER_STATES = ("waiting", "held")
QUEUES = ("open", "unassigned", "waiting", "held", "pending", "sla_warning", "sla_breached")
"""The console's queues; each is a kind of open ticket."""
_OPEN = [s.value for s in OPEN_STATUSES]
_PENDING = (Status.PENDING_CUSTOMER.value, Status.PENDING_PARTS.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketFilter:
    """Every field is optional; those given must all match. `assignee_id=0` means nobody holds the ticket;
    `handover` is `waiting` (asked for a person, nobody answered yet) or `held` (a person has it)."""

    status: str | None = None
    type: str | None = None
    priority: str | None = None
    channel: str | None = None
    customer_id: int | None = None
    assignee_id: int | None = None
    handover: str | None = None
    q: str | None = None
    sla: str | None = None
    """The worse of the SLA targets now: `ok`, `warning` or `breached`."""
    queue: str | None = None
    """One of `QUEUES`: the console's queues, counted by `counts`."""
    created_since: datetime | None = None
    created_until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedTicket:
    """A ticket with the names a listing shows beside it (an export)."""

    ticket: TicketView
    customer_name: str
    customer_phone: str
    assignee_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueCounts:
    """How many tickets each of the console's queues holds now."""

    open: int
    unassigned: int
    waiting: int
    held: int
    pending: int
    sla_warning: int
    sla_breached: int
    by_status: dict[str, int]


@dataclass(frozen=True, slots=True)
class TicketPage:
    items: list[TicketView]
    last_id: int | None
    """The row id to continue after, None on the last page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EventView:
    at: datetime
    actor: str
    kind: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketRecord:
    """One ticket whole, as the console shows it (`survey`: the satisfaction survey after closure, if any)."""

    ticket: TicketView
    customer: CustomerView
    assignee: tuple[int, str] | None
    messages: list[MessageView]
    events: list[EventView]
    handover: HandoverView | None
    survey: SurveyView | None
    attachments: list[AttachmentView]
    device: DeviceView | None = None


class TicketQueries:
    def __init__(self, *, session: AsyncSession, clock: Clock, handovers: HandoverService,
                 surveys: SurveyService) -> None:
        self._session = session
        self._clock = clock
        self._handovers = handovers
        self._surveys = surveys

    async def page(self, where: TicketFilter, *, limit: int, after: int | None = None) -> TicketPage:
        query = self._filtered(select(Ticket), where).order_by(Ticket.id.desc()).limit(limit + 1)
        if after is not None:
            query = query.where(Ticket.id < after)
        rows = list(await self._session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return TicketPage([view(r) for r in rows], rows[-1].id if more else None)

    async def listing(self, where: TicketFilter, *, limit: int) -> list[ListedTicket]:
        """The filtered tickets newest first, with their customer and assignee, in one query."""
        query = (select(Ticket, Customer.name, Customer.phone, Staff.name)
                 .join(Customer, Customer.id == Ticket.customer_id).outerjoin(Staff, Staff.id == Ticket.assignee_id))
        rows = await self._session.execute(self._filtered(query, where).order_by(Ticket.id.desc()).limit(limit))
        return [ListedTicket(ticket=view(t), customer_name=name, customer_phone=phone, assignee_name=staff or "")
                for t, name, phone, staff in rows]

    async def counts(self) -> QueueCounts:
        """Every queue's count in one pass over the open tickets (conditional aggregates), and all by status."""
        now = self._clock.now()
        extra = [q for q in QUEUES if q != "open"]
        row = (await self._session.execute(select(func.count(), *(func.count().filter(self._queue(q, now))
                                                                   for q in extra)).where(self._queue("open", now)))).one()
        statuses = await self._session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
        return QueueCounts(open=row[0], **{q: int(n) for q, n in zip(extra, row[1:])},
                           by_status={k: int(n) for k, n in statuses})

    async def record(self, code: str) -> TicketRecord | None:
        row = await self._session.scalar(select(Ticket).where(Ticket.code == code.upper()))
        if row is None:
            return None
        customer = await self._session.get_one(Customer, row.customer_id)
        assignee = await self._session.get(Staff, row.assignee_id) if row.assignee_id is not None else None
        messages = await self._session.scalars(select(TicketMessage).where(TicketMessage.ticket_id == row.id)
                                               .order_by(TicketMessage.id))
        events = await self._session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == row.id)
                                             .order_by(TicketEvent.id))
        ticket = view(row)
        return TicketRecord(
            ticket=ticket, customer=customer_view(customer),
            assignee=(assignee.id, assignee.name) if assignee is not None else None,
            messages=[message_view(m) for m in messages],
            events=[EventView(at=e.at, actor=e.actor, kind=e.action, data={"before": e.before, "after": e.after})
                    for e in events],
            handover=await self._handovers.current(ticket), survey=await self._surveys.of_ticket(ticket.code),
            attachments=await attachments_of(self._session, row.id), device=await self._device(row.device_id))

    async def _device(self, device_id: int | None) -> DeviceView | None:
        device = await self._session.get(Device, device_id) if device_id is not None else None
        return None if device is None else device_view(device)

    def _filtered(self, query: Select[Any], where: TicketFilter) -> Select[Any]:
        for column, value in ((Ticket.status, where.status), (Ticket.type, where.type),
                              (Ticket.priority, where.priority), (Ticket.channel, where.channel),
                              (Ticket.customer_id, where.customer_id)):
            if value is not None:
                query = query.where(column == value)
        if where.assignee_id == 0:
            query = query.where(Ticket.assignee_id.is_(None))
        elif where.assignee_id is not None:
            query = query.where(Ticket.assignee_id == where.assignee_id)
        if where.created_since is not None:
            query = query.where(Ticket.created_at >= where.created_since)
        if where.created_until is not None:
            query = query.where(Ticket.created_at < where.created_until)
        if where.q:
            pattern = containing(where.q)
            query = query.where(or_(Ticket.code.like(pattern.upper(), escape=ESCAPE),
                                    Ticket.summary.like(pattern, escape=ESCAPE),
                                    cast(Ticket.entities, String).like(pattern, escape=ESCAPE),
                                    Ticket.customer_id.in_(select(Customer.id).where(
                                        Customer.phone.like(pattern, escape=ESCAPE)))))
        if where.handover is not None:
            query = query.where(self._handover_is(where.handover, self._clock.now()))
        if where.sla is not None:
            query = query.where(sql.in_state(SlaState(where.sla), self._clock.now()))
        if where.queue is not None:
            query = query.where(self._queue(where.queue, self._clock.now()))
        return query

    def _queue(self, name: str, now: datetime) -> ColumnElement[bool]:
        """The tickets of one of the console's queues: open ones, and of those the one `name` says."""
        is_open = Ticket.status.in_(_OPEN)
        rest = {"open": None, "unassigned": Ticket.assignee_id.is_(None), "waiting": self._handover_is("waiting", now),
                "held": self._handover_is("held", now), "pending": Ticket.status.in_(_PENDING),
                "sla_warning": sql.in_state(SlaState.WARNING, now),
                "sla_breached": sql.in_state(SlaState.BREACHED, now)}[name]
        return is_open if rest is None else and_(is_open, rest)

    @staticmethod
    def _handover_is(state: str, now: datetime) -> ColumnElement[bool]:
        """The ticket's conversation waits for a person (`waiting`) or is held by one (`held`)."""
        held = Handover.taken_at.is_not(None) if state == "held" else Handover.taken_at.is_(None)
        return exists().where(Handover.ticket_id == Ticket.id, Handover.released_at.is_(None),
                              Handover.expires_at > now, held)
