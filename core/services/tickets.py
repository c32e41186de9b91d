"""Opening, updating and moving tickets; every change is written to the audit log in the same transaction.

Callers see tickets as `TicketView` snapshots and name them by code; the rows stay here. The open tickets of
conversations named to `preload_open`, and every row this service loaded or opened, are kept in hand, so a batch of
messages asks the database once for them. Lookups by customer or code answer from memory and the stored rows
without flushing the batch's pending writes.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, Collection, Iterable, Mapping

from sqlalchemy import Select, and_, bindparam, func, inspect, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from core.clock import CHINA_TZ, Clock
from core.domain.details import WAIVED, missing_details
from core.domain.sla import Deadline
from core.domain.tickets import (CLOCK_STOPPED, FINAL_STATUSES, OPEN_STATUSES, PAUSED_STATUSES, IllegalTransition,
                                 MessageView, Priority, Status, TicketType, TicketView, check_transition,
                                 format_ticket_id)
from core.services.events import TICKET_ASSIGNED, TICKET_CREATED, TICKET_STATUS_CHANGED, EventService
from core.services.journal import journal_of
from core.services.media import ORPHAN_WINDOW
from core.services.numbers import numbers_of
from core.services.sla import DEADLINE_COLUMNS, SlaService
from core.storage.among import Among, dialect_of
from core.storage.models import Ticket, TicketEvent, TicketMessage

CHASED = "chased"
"""Audit-log action of a customer chasing their ticket (催单)."""
SUMMARY_CHANGED = "summary"
"""Audit-log action of a ticket's one-line summary replaced (`TicketService.resummarize`)."""

SUMMARY_LENGTH = 60
ENTITY_KEYS = ("phones", "order_numbers", "serial_numbers", "addresses", "times", "products", "models",
               "invoice_titles", "tax_ids", "emails", "invoice_requests", "purchase_dates")
_OPEN = [s.value for s in OPEN_STATUSES]
_RUNNING = [s.value for s in OPEN_STATUSES - CLOCK_STOPPED]


_BY_CODE = select(Ticket).where(Ticket.code == bindparam("code"))
"""The statements a message's handling runs most are built once, their values bound at execution: building a
select and its cache key costs more (~0.1 ms) than SQLite takes to answer it."""
_TICKETS = Ticket.__table__
_OF_CUSTOMER = {open_only: select(_TICKETS.c.id).where(_TICKETS.c.customer_id == bindparam("customer"),
                                                      *([_TICKETS.c.status.in_(_OPEN)] if open_only else []))
                .order_by(_TICKETS.c.id.desc()).limit(bindparam("limit")) for open_only in (False, True)}
"""The ids of a customer's newest tickets, by `open_only`: every status query. Ids only, read without the ORM: the
rows are mostly in hand already (the thread's open tickets are preloaded), and the ORM would read each whole again
to find it in the session (~0.1 ms more per query)."""
_BY_IDS = select(Ticket).where(Ticket.id.in_(bindparam("ids", expanding=True)))
NEWEST_HELD = 5
"""How many of a customer's newest tickets, and of their newest open ones, `preload_newest` reads: as many as a
status query (3) or a report's duplicate check (5) asks for."""
_EVENT_ROWS = TicketEvent.__table__


@cache
def _events_of(actions: tuple[str, ...]) -> Select[tuple[str, dict[str, Any]]]:
    """A ticket's audit events of these kinds, oldest first: dispatch asks who declined and who was offered every
    job it dispatches again. Built once per set of kinds, its kinds written into it (an expanding list would be
    rendered anew at each execution), and read without the ORM, which cost about twice as much for two columns."""
    return (select(_EVENT_ROWS.c.action, _EVENT_ROWS.c.after)
            .where(_EVENT_ROWS.c.ticket_id == bindparam("ticket"),
                   or_(*(_EVENT_ROWS.c.action == action for action in actions)))
            .order_by(_EVENT_ROWS.c.id))


@cache
def _events_among(dialect: str, actions: tuple[str, ...]) -> tuple[Select[tuple[int, str, dict[str, Any]]], Among]:
    """The audit events of these kinds of the tickets given, oldest first: a batch's preload for dispatch."""
    tickets = Among(dialect, [_EVENT_ROWS.c.ticket_id])
    return (select(_EVENT_ROWS.c.ticket_id, _EVENT_ROWS.c.action, _EVENT_ROWS.c.after)
            .where(tickets.condition, or_(*(_EVENT_ROWS.c.action == action for action in actions)))
            .order_by(_EVENT_ROWS.c.id)), tickets


@cache
def _newest_of(dialect: str) -> tuple[Select[tuple[int, int, bool]], Among]:
    """The ids of each given customer's `NEWEST_HELD` newest tickets and `NEWEST_HELD` newest open ones, with the
    customer and whether the ticket is open, newest first: a batch's preload for its status queries and reports."""
    customers = Among(dialect, [_TICKETS.c.customer_id])
    is_open = _TICKETS.c.status.in_(_OPEN)
    newest = _TICKETS.c.id.desc()
    ranked = select(_TICKETS.c.id, _TICKETS.c.customer_id, is_open.label("is_open"),
                    func.row_number().over(partition_by=_TICKETS.c.customer_id, order_by=newest).label("rank"),
                    func.row_number().over(partition_by=[_TICKETS.c.customer_id, is_open],
                                           order_by=newest).label("rank_alike")
                    ).where(customers.condition).subquery()
    return (select(ranked.c.id, ranked.c.customer_id, ranked.c.is_open)
            .where(or_(ranked.c.rank <= NEWEST_HELD, and_(ranked.c.is_open, ranked.c.rank_alike <= NEWEST_HELD)))
            .order_by(ranked.c.id.desc())), customers


@cache
def _open_in(dialect: str) -> tuple[Select[tuple[Ticket]], Among]:
    """The open tickets of the (channel, conversation) threads given: every batch's preload."""
    threads = Among(dialect, [Ticket.channel, Ticket.conversation])
    return select(Ticket).where(threads.condition, Ticket.status.in_(_OPEN)).order_by(Ticket.id), threads


class TicketService:
    def __init__(self, *, session: AsyncSession, clock: Clock, sla: SlaService, events: EventService) -> None:
        """`sla` keeps each ticket's SLA clock in step with what happens to it here; `events` tells webhook
        subscribers."""
        self._session = session
        self._clock = clock
        self._sla = sla
        self._events = events
        self._open: dict[tuple[str, str], list[Ticket]] = {}
        self._rows: dict[str, Ticket] = {}
        self._opened: dict[int, list[Ticket]] = {}
        """The tickets opened in this transaction, by customer: a customer's are found without going through every
        ticket the transaction opened (a burst's transaction opens hundreds, each report asking for its customer's)."""
        self._fresh: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        """The audit events of the tickets opened in this transaction, all of which are in memory: asking for them
        (dispatch asks who declined or was offered a job) needs neither the journal written nor a query."""
        self._newest: dict[int, dict[bool, list[int]]] = {}
        """Per customer preloaded (`preload_newest`), the ids of their newest stored tickets, by whether only the
        open ones count, as a status query would read them. Tickets opened since are in `_opened`; a customer's
        entry is dropped when one of their tickets changes status, and all when tickets move between customers."""
        self._held_events: dict[str, tuple[frozenset[str], list[tuple[str, dict[str, Any]]]]] = {}
        """Per ticket preloaded (`preload_events`), the kinds read and the audit events of those kinds, oldest
        first, with those recorded since: what `events_of` would read, the events of `_fresh` in kind."""
        self._none_stored: set[int] = set()
        """Customers created in this transaction, nothing moved to them since: all their tickets are in `_opened`,
        so asking the database for them (the duplicate-report check of every new customer's first report) is
        skipped."""
        self.moves = 0
        """Changes of assignee or status made through this service: a snapshot of technicians' load taken at one
        count still holds while the count is the same."""
        self._journal = journal_of(session)

    async def preload_open(self, threads: Iterable[tuple[str, str]]) -> None:
        """Load the open tickets of these (channel, conversation) threads in one query."""
        wanted = set(threads) - self._open.keys()
        if not wanted:
            return
        statement, threads = _open_in(dialect_of(self._session))
        found = await self._session.scalars(statement, threads.given(wanted))
        for thread in wanted:
            self._open[thread] = []
        for ticket in found:
            self._open[(ticket.channel, ticket.conversation)].append(self._keep(ticket))

    def awaiting_details(self, threads: Iterable[tuple[str, str]]) -> list[str]:
        """The codes of the stored open tickets of these preloaded threads that are new, held by nobody and still
        missing a detail (a phone on the customer's record not counted): the jobs a message giving a detail may
        dispatch (`IntakeService.file`). From memory, without a view of each."""
        return [row.code for thread in set(threads) for row in self._open.get(thread, ())
                if row.id is not None and row.status == Status.NEW.value and row.assignee_id is None
                and row.code not in self._fresh and missing_details(row.type, row.entities)]

    async def preload_events(self, codes: Iterable[str], actions: Iterable[str]) -> None:
        """Read in one query the audit events of these kinds of these stored tickets (dispatch asks each job it
        dispatches who declined it and who was offered it: a query of its own per job, 200 of the 3,000 messages of
        `bench_intake.py`). Their events still in the journal are added, those recorded after as they are."""
        kinds = tuple(sorted(actions))
        rows = {row.id: row for row in (self._rows[code] for code in codes if code not in self._held_events)
                if row.id is not None and row.code not in self._fresh}
        if not rows:
            return
        statement, among = _events_among(dialect_of(self._session), kinds)
        with self._session.no_autoflush:
            stored = (await self._session.execute(statement, among.given(rows))).tuples().all()
        held: dict[str, list[tuple[str, dict[str, Any]]]] = {row.code: [] for row in rows.values()}
        for ticket_id, action, after in stored:
            held[rows[ticket_id].code].append((action, after))
        for values in self._journal.queued_of(TicketEvent, rows.values()):
            held[values["ticket"].code].append((values["action"], values["after"]))
        self._held_events.update((code, (frozenset(kinds), events)) for code, events in held.items())

    async def preload_newest(self, customer_ids: Iterable[int]) -> None:
        """Read the newest tickets of these customers in one query, for the batch's status queries and reports
        (whose duplicate check asks for the customer's open tickets): each asked in a query of its own (400 of the
        3,000 messages of `bench_intake.py`). What the transaction wrote so far is flushed first, so what is read
        is what each query would have read."""
        wanted = set(customer_ids) - self._newest.keys() - self._none_stored
        if not wanted:
            return
        statement, customers = _newest_of(dialect_of(self._session))
        rows = (await self._session.execute(statement, customers.given(wanted))).tuples().all()
        for customer_id in wanted:
            self._newest[customer_id] = {False: [], True: []}
        for ticket_id, customer_id, is_open in rows:
            held = self._newest[customer_id]
            if len(held[False]) < NEWEST_HELD:
                held[False].append(ticket_id)
            if is_open:
                held[True].append(ticket_id)

    def new_customers(self, customer_ids: Iterable[int]) -> None:
        """These customers were created in this transaction: they have no tickets but those opened in it."""
        self._none_stored.update(customer_ids)

    def customers_moved(self) -> None:
        """Tickets were moved between customers by a statement the rows in hand do not see (a merge)."""
        self._none_stored.clear()
        self._newest.clear()

    def opened_here(self, code: str) -> bool:
        """The ticket was opened in this transaction."""
        return code in self._fresh

    async def open(self, *, customer_id: int, type: TicketType, priority: Priority, channel: str,
                   conversation: str, text: str, entities: Mapping[str, Any], sentiment: str, actor: str,
                   inbox_id: int | None, attachments: list[Any] | None = None, summary: str = "") -> TicketView:
        """A new ticket with `text` as its first message; `summary` is its one line when the text is not (else
        the text, shortened)."""
        now = self._clock.now()
        ticket = Ticket(code=await self._next_code(now), type=type.value, priority=priority.value,
                        status=Status.NEW.value, customer_id=customer_id, channel=channel,
                        conversation=conversation, summary=summarize(summary or text), sentiment=sentiment,
                        entities=merge_entities({}, entities), created_at=now, updated_at=now)
        self._session.add(ticket)
        self._opened.setdefault(customer_id, []).append(self._keep(ticket))
        self._fresh[ticket.code] = []
        self._open.get((channel, conversation), []).append(ticket)
        self._journal.add(TicketMessage, ticket, inbox_id=inbox_id, author=actor, text=text,
                          attachments=attachments or [], created_at=now)
        self._journal.link_media(ticket, inbox_id=inbox_id, since=now - ORPHAN_WINDOW)
        self._record(ticket, actor, "opened", {}, {"type": ticket.type, "priority": ticket.priority,
                                                    "status": ticket.status})
        await self._sla.start(ticket)
        opened = view(ticket)
        self._events.ticket(TICKET_CREATED, opened, actor=actor)
        return opened

    async def add_message(self, ticket: TicketView, *, actor: str, text: str, inbox_id: int | None,
                          entities: Mapping[str, Any], attachments: list[Any] | None = None,
                          replacing: Collection[str] = ()) -> tuple[TicketView, list[str]]:
        """Append what the person said; returns the ticket and the entity kinds it changed. The kinds in `replacing`
        that the message gives take the place of the ticket's (a phone corrected), the others are added to them."""
        row = await self._row(ticket)
        now = self._clock.now()
        self._journal.add(TicketMessage, row, inbox_id=inbox_id, author=actor, text=text,
                          attachments=attachments or [], created_at=now)
        if attachments:
            self._journal.link_media(row, inbox_id=inbox_id, since=now - ORPHAN_WINDOW)
        before = row.entities
        replaced = {k: list(entities[k]) for k in replacing if entities.get(k)}
        after = {**merge_entities(before, entities), **replaced}
        added = [k for k in ENTITY_KEYS if after.get(k, []) != before.get(k, [])]
        if added:
            row.entities = after
            self._record(row, actor, "details_corrected" if replaced else "details_added",
                         {k: before.get(k, []) for k in added}, {k: after[k] for k in added})
        row.updated_at = now
        return view(row), added

    async def chase(self, ticket: TicketView, *, actor: str, text: str, inbox_id: int | None,
                    entities: Mapping[str, Any]) -> tuple[TicketView, int]:
        """The customer chases the ticket (催单): what they said goes on it (with any detail it gives), the chase on
        the audit log with its number; from the second chase on the ticket is one level more urgent, up to P2 (P1
        stays for danger)."""
        row = await self._row(ticket)
        earlier = await self._session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.ticket_id == row.id, TicketEvent.action == CHASED))
        chases = int(earlier or 0) + 1
        await self.add_message(ticket, actor=actor, text=text, inbox_id=inbox_id, entities=entities)
        self._record(row, actor, CHASED, {}, {"chases": chases})
        levels = list(Priority)
        current = levels.index(Priority(row.priority))
        if chases > 1 and current > levels.index(Priority.P2):
            return await self.raise_priority(ticket, levels[current - 1], actor=actor), chases
        return view(row), chases

    async def waive(self, ticket: TicketView, field: str, *, actor: str) -> TicketView:
        """The customer has not got `field` (or will not give it): noted on the ticket, which stops asking for it."""
        row = await self._row(ticket)
        waived = list(row.entities.get(WAIVED, []))
        if field not in waived:
            row.entities = {**row.entities, WAIVED: [*waived, field]}
            self._record(row, actor, "detail_waived", {}, {"field": field})
            row.updated_at = self._clock.now()
        return view(row)

    async def resummarize(self, ticket: TicketView, summary: str, *, actor: str) -> TicketView:
        """The ticket's one line becomes `summary` (shortened like any), on the audit log with the line it replaces:
        the queue, alerts and job sheets show it from then on."""
        row = await self._row(ticket)
        line = summarize(summary)
        if line and line != row.summary:
            self._record(row, actor, SUMMARY_CHANGED, {"summary": row.summary}, {"summary": line})
            row.summary = line
            row.updated_at = self._clock.now()
        return view(row)

    async def raise_priority(self, ticket: TicketView, priority: Priority, *, actor: str) -> TicketView:
        """Make the ticket more urgent if `priority` is; never lowers it."""
        row = await self._row(ticket)
        if Priority(row.priority) > priority:
            self._record(row, actor, "priority", {"priority": row.priority}, {"priority": priority.value})
            row.priority = priority.value
            row.updated_at = self._clock.now()
            await self._sla.retarget(row, await self._pauses(row))
        return view(row)

    async def change(self, ticket: TicketView, *, actor: str, type: TicketType | None = None,
                     priority: Priority | None = None) -> TicketView:
        """Retype or reprioritise the ticket (a person correcting the bot), each change in the audit log; the SLA
        targets follow (policies go by type and priority)."""
        row = await self._row(ticket)
        changed = False
        for field, value in (("type", type), ("priority", priority)):
            if value is not None and getattr(row, field) != value.value:
                self._record(row, actor, field, {field: getattr(row, field)}, {field: value.value})
                setattr(row, field, value.value)
                row.updated_at = self._clock.now()
                changed = True
        if changed:
            await self._sla.retarget(row, await self._pauses(row))
        return view(row)

    async def transition(self, ticket: TicketView, target: Status, *, actor: str, note: str = "") -> TicketView:
        """Move the ticket; raises `IllegalTransition` when the state machine forbids it."""
        row = await self._row(ticket)
        check_transition(row.status, target)
        now = self._clock.now()
        stopped = Status(row.status) in CLOCK_STOPPED
        before = row.status
        self.moves += 1
        self._newest.pop(row.customer_id, None)
        self._record(row, actor, "status", {"status": before}, {"status": target.value, "note": note})
        row.status = target.value
        row.updated_at = now
        if target is Status.RESOLVED:
            row.resolved_at = now
        if target in CLOCK_STOPPED and (not stopped or target in FINAL_STATUSES):
            await self._sla.stop(row, final=target in FINAL_STATUSES)
        elif stopped and target not in CLOCK_STOPPED:
            await self._sla.resume(row)
        moved = view(row)
        self._events.ticket(TICKET_STATUS_CHANGED, moved, before=before, actor=actor, note=note)
        return moved

    async def resume(self, ticket: TicketView, *, actor: str, note: str = "") -> TicketView:
        """Out of a pause (pending customer or parts), back to the status the work had before it; raises
        `IllegalTransition` when the ticket is not paused."""
        row = await self._row(ticket)
        await self._journal.write()
        moves = await self._session.scalars(select(TicketEvent.before).where(
            TicketEvent.ticket_id == row.id, TicketEvent.action == "status").order_by(TicketEvent.id.desc()))
        earlier = next((Status(before["status"]) for before in moves if before["status"] not in PAUSED_STATUSES),
                       Status.NEW)
        if Status(row.status) not in PAUSED_STATUSES:
            raise IllegalTransition(Status(row.status), earlier)
        return await self.transition(ticket, earlier, actor=actor, note=note)

    async def set_assignee(self, ticket: TicketView, staff_id: int | None, *, actor: str) -> TicketView:
        row = await self._row(ticket)
        before = row.assignee_id
        self.moves += 1
        self._record(row, actor, "assignee", {"assignee_id": before}, {"assignee_id": staff_id})
        row.assignee_id = staff_id
        row.updated_at = self._clock.now()
        row.assigned_at = row.updated_at if staff_id is not None else None
        assigned = view(row)
        self._events.ticket(TICKET_ASSIGNED, assigned, before=before, actor=actor)
        return assigned

    async def set_visit(self, ticket: TicketView, start: datetime, end: datetime, *, actor: str) -> TicketView:
        """The visit agreed (or moved) with the customer; on the audit log with the one it replaced."""
        row = await self._row(ticket)
        before = {"start": row.visit_start.isoformat(), "end": row.visit_end.isoformat()} \
            if row.visit_start and row.visit_end else {}
        self._record(row, actor, "visit", before, {"start": start.isoformat(), "end": end.isoformat()})
        row.visit_start, row.visit_end = start, end
        row.updated_at = self._clock.now()
        return view(row)

    async def visits_of(self, staff_id: int, since: datetime) -> list[tuple[datetime, datetime]]:
        """The visits the technician has agreed from `since` on, on their open jobs."""
        rows = await self._session.execute(select(Ticket.visit_start, Ticket.visit_end).where(
            Ticket.assignee_id == staff_id, Ticket.status.in_(_OPEN), Ticket.visit_end.is_not(None),
            Ticket.visit_end > since))
        return [(start, end) for start, end in rows.all()]

    async def set_device(self, ticket: TicketView, device_id: int, *, actor: str, serial: str) -> TicketView:
        """Name the device the job is about (on the audit log with its serial)."""
        row = await self._row(ticket)
        if row.device_id != device_id:
            self._record(row, actor, "device", {"device_id": row.device_id}, {"device_id": device_id,
                                                                              "serial": serial})
            row.device_id = device_id
            row.updated_at = self._clock.now()
        return view(row)

    async def mark_responded(self, ticket: TicketView) -> TicketView:
        """A person on the company side acted on the ticket (accepted the job, wrote to the customer): the first
        time stops the first-response clock."""
        row = await self._row(ticket)
        if row.first_response_at is None:
            row.first_response_at = self._clock.now()
            await self._sla.responded(row)
        return view(row)

    async def acknowledge(self, ticket: TicketView, *, actor: str, note: str) -> list[str]:
        """Someone took charge of the ticket's breach: the escalations not yet sent stop, and the audit log keeps
        who, when and which targets (none when nothing was breached: the acknowledgement is only noted)."""
        row = await self._row(ticket)
        targets = await self._sla.acknowledge(row)
        self._record(row, actor, "acknowledged", {}, {"note": note, "targets": targets})
        return targets
    async def record(self, ticket: TicketView, actor: str, action: str, before: dict[str, Any],
                     after: dict[str, Any]) -> None:
        """Write one audit-log event for the ticket (with the transaction, see core.services.journal)."""
        self._record(await self._row(ticket), actor, action, before, after)

    async def get(self, code: str) -> TicketView | None:
        row = await self._find(code.upper())
        return None if row is None else view(row)

    async def refresh(self, ticket: TicketView) -> TicketView:
        """The ticket as it stands now in this transaction (after another service changed it)."""
        return view(await self._row(ticket))

    async def get_for_customer(self, code: str, customer_id: int) -> TicketView | None:
        """The ticket named `code` if it belongs to this customer; a customer never sees another's ticket."""
        ticket = await self.get(code)
        return ticket if ticket is not None and ticket.customer_id == customer_id else None

    async def open_in_conversation(self, *, channel: str, conversation: str, customer_id: int) -> TicketView | None:
        """The customer's newest open ticket in this thread."""
        await self.preload_open([(channel, conversation)])
        row = next((t for t in reversed(self._open[(channel, conversation)])
                    if t.customer_id == customer_id and t.status in OPEN_STATUSES), None)
        return None if row is None else view(row)

    async def for_customer(self, customer_id: int, *, limit: int = 5, open_only: bool = False) -> list[TicketView]:
        """The customer's newest tickets. What is stored is read without flushing the batch (or was preloaded:
        `preload_newest`, then every ticket opened since is added); the customer's tickets opened or changed in
        this transaction are added from memory, so the answer is the one a flush would give (a changed ticket may
        rank wrongly in the query, hence `limit` plus their number). A customer created in this transaction has
        nothing stored to read (`new_customers`)."""
        changed = [t for t in self._session.dirty if isinstance(t, Ticket) and t.customer_id == customer_id]
        opened = self._opened.get(customer_id, [])
        held = self._newest.get(customer_id)
        if customer_id in self._none_stored:
            unwritten, stored = opened[::-1], []
        elif held is not None and limit <= NEWEST_HELD:
            unwritten = opened[::-1]
            with self._session.no_autoflush:
                stored = await self._by_ids(held[open_only])
        else:
            unwritten = [t for t in reversed(opened) if t.id is None]
            with self._session.no_autoflush:
                stored = await self._by_ids(list(await self._session.scalars(_OF_CUSTOMER[open_only], {
                    "customer": customer_id, "limit": limit + len(changed)})))
        candidates = {id(t): self._keep(t) for t in [*unwritten, *changed, *stored]}.values()
        found = [t for t in candidates if not open_only or t.status in OPEN_STATUSES]
        found.sort(key=lambda t: (t.id is None, t.id or 0), reverse=True)
        return [view(t) for t in found[:limit]]

    async def recent_address(self, customer_id: int, *, within: timedelta | None) -> str | None:
        """The address on the customer's newest ticket opened within `within` (any time when None) that has one
        (this transaction's included), or None."""
        since = None if within is None else self._clock.now() - within
        for ticket in await self.for_customer(customer_id):
            addresses = ticket.entities.get("addresses")
            if addresses and (since is None or ticket.created_at >= since):
                return str(addresses[-1])
        return None

    async def assigned_to(self, staff_id: int, statuses: Iterable[Status]) -> list[TicketView]:
        """The staff member's tickets in these statuses, oldest first."""
        rows = await self._session.scalars(select(Ticket).where(
            Ticket.assignee_id == staff_id, Ticket.status.in_([s.value for s in statuses])).order_by(Ticket.id))
        return [view(self._keep(t)) for t in rows]

    async def claim(self, ticket: TicketView, staff_id: int) -> bool:
        """Take a job nobody holds: a conditional UPDATE, so of two technicians claiming at once exactly one wins."""
        row = await self._row(ticket)
        self.moves += 1
        claimed = await self._session.execute(
            update(Ticket).where(Ticket.id == row.id, Ticket.assignee_id.is_(None), Ticket.status == Status.NEW.value)
            .values(assignee_id=staff_id).execution_options(synchronize_session=False))
        return claimed.rowcount == 1

    async def last_messages(self, ticket: TicketView, limit: int) -> list[MessageView]:
        """What was said last on the ticket, oldest of them first (including this transaction's)."""
        row = await self._row(ticket)
        await self._journal.write()
        found = await self._session.scalars(select(TicketMessage).where(TicketMessage.ticket_id == row.id)
                                            .order_by(TicketMessage.id.desc()).limit(limit))
        return [message_view(m) for m in reversed(list(found))]


    async def queue(self, now: datetime, *, types: Iterable[str] | None,
                    limit: int) -> dict[str, tuple[int, list[TicketView]]]:
        """What needs a person, by section — `unassigned` (new, nobody holds it), `breached` and `warned` (a running
        SLA clock past a due time, or only past a warning) — each as (how many, the oldest `limit`). `types`
        narrows it to one queue's ticket types. The warning and due times compared here are the indexed columns."""
        awaited = Ticket.first_response_at.is_(None)
        breached = or_(and_(awaited, Ticket.first_response_due_at.is_not(None), Ticket.first_response_due_at <= now),
                       and_(Ticket.resolution_due_at.is_not(None), Ticket.resolution_due_at <= now))
        warned = and_(or_(and_(awaited, Ticket.first_response_warn_at <= now), Ticket.resolution_warn_at <= now),
                      not_(breached))
        running = Ticket.status.in_(_RUNNING)
        sections = {"unassigned": [Ticket.status == Status.NEW.value, Ticket.assignee_id.is_(None)],
                    "breached": [running, breached], "warned": [running, warned]}
        return {name: await self._listed(where, types, limit) for name, where in sections.items()}

    async def _listed(self, where: list[Any], types: Iterable[str] | None,
                      limit: int) -> tuple[int, list[TicketView]]:
        if types is not None:
            where = [*where, Ticket.type.in_(list(types))]
        count = await self._session.scalar(select(func.count()).select_from(Ticket).where(*where))
        rows = await self._session.scalars(select(Ticket).where(*where).order_by(Ticket.id).limit(limit))
        return int(count or 0), [view(self._keep(t)) for t in rows]

    async def events(self, ticket: TicketView, action: str) -> list[dict[str, Any]]:
        """The `after` of each audit event of this kind, oldest first (including this transaction's)."""
        return (await self.events_of(ticket, (action,)))[action]

    async def events_of(self, ticket: TicketView, actions: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """The `after` of each audit event of these kinds by kind, oldest first (including this transaction's), in
        one read. The stored ones are read without flushing the batch (dispatch asks this of every ticket it
        offers), the queued ones taken from the journal — or all held since the batch's preload (`preload_events`)."""
        found: dict[str, list[dict[str, Any]]] = {action: [] for action in actions}
        fresh = self._fresh.get(ticket.code)
        held = self._held_events.get(ticket.code)
        if fresh is None and held is not None and held[0].issuperset(found):
            fresh = held[1]
        elif fresh is None:
            row = await self._row(ticket)
            with self._session.no_autoflush:
                stored = await self._session.execute(_events_of(tuple(found)), {"ticket": row.id})
            fresh = [*stored.tuples(), *((values["action"], values["after"])
                                         for values in self._journal.queued(TicketEvent, row))]
        for kind, after in fresh:
            if kind in found:
                found[kind].append(after)
        return found

    async def _pauses(self, row: Ticket) -> list[tuple[datetime, datetime]]:
        """The spans the ticket's SLA clock stood still and ran again after, from the audit log, oldest first."""
        await self._journal.write()
        moves = await self._session.execute(select(TicketEvent.at, TicketEvent.after).where(
            TicketEvent.ticket_id == row.id, TicketEvent.action == "status").order_by(TicketEvent.id))
        pauses: list[tuple[datetime, datetime]] = []
        since: datetime | None = None
        for at, after in moves:
            stopped = after["status"] in CLOCK_STOPPED
            if stopped and since is None:
                since = at
            elif not stopped and since is not None:
                pauses.append((since, at))
                since = None
        return pauses

    async def row_id(self, ticket: TicketView) -> int:
        """The ticket's row id, for the tables that refer to it (parts used, the stock ledger)."""
        row = await self._row(ticket)
        if row.id is None:
            await self._session.flush([row])
        return row.id

    async def _by_ids(self, ids: list[int]) -> list[Ticket]:
        """The rows of these ticket ids: those the session holds whole as they are (as a query of whole rows would
        return them), the others read (without flushing: the caller's `no_autoflush`), an expired one loaded again."""
        held = [self._session.identity_map.get(identity_key(Ticket, ticket_id)) for ticket_id in ids]
        whole = [row is not None and not inspect(row).expired_attributes for row in held]
        missing = [ticket_id for ticket_id, ready in zip(ids, whole) if not ready]
        found = [row for row, ready in zip(held, whole) if ready]
        if missing:
            found.extend(await self._session.scalars(_BY_IDS, {"ids": missing}))
        return found

    async def _row(self, ticket: TicketView) -> Ticket:
        row = await self._find(ticket.code)
        if row is None:
            raise LookupError(f"ticket {ticket.code} does not exist")
        return row

    async def _find(self, code: str) -> Ticket | None:
        row = self._rows.get(code)
        if row is None:
            with self._session.no_autoflush:
                row = await self._session.scalar(_BY_CODE, {"code": code})
            if row is not None:
                self._keep(row)
        return row

    def _keep(self, row: Ticket) -> Ticket:
        """Hold the row (the session keeps only weak references to unchanged rows)."""
        return self._rows.setdefault(row.code, row)

    async def _next_code(self, now: datetime) -> str:
        """Per-day sequence in China time (see core.services.numbers)."""
        day = now.astimezone(CHINA_TZ).date()
        return format_ticket_id(day, await numbers_of(self._session).next(day))

    def _record(self, ticket: Ticket, actor: str, action: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        fresh = self._fresh.get(ticket.code)
        if fresh is not None:
            fresh.append((action, after))
        held = self._held_events.get(ticket.code)
        if held is not None and action in held[0]:
            held[1].append((action, after))
        self._journal.add(TicketEvent, ticket, actor=actor, action=action, before=before, after=after,
                          at=self._clock.now())


_VIEWED = ("code", "type", "priority", "status", "customer_id", "assignee_id", "channel", "conversation", "summary",
           "sentiment", "entities", "created_at", "updated_at", "first_response_at", "resolved_at", "clock_stopped_at",
           "device_id", "visit_start", "visit_end", *(column for _, *columns in DEADLINE_COLUMNS for column in columns))
"""The columns of a ticket row its view is made of."""
_ALL_VIEWED = frozenset(_VIEWED)


def view(row: Ticket) -> TicketView:
    """The ticket as its row stands. The columns are taken from the row's loaded values, which is what the ORM's
    attributes hand back for them at several times the cost (a message's handling takes two or three views: the
    attributes were half a view's cost); those expired or never set (a new ticket's empty columns) are read through the
    ORM."""
    values: Mapping[str, Any] = row.__dict__
    missing = _ALL_VIEWED - values.keys()
    if missing:
        values = {**values, **{column: getattr(row, column) for column in missing}}
    start, end = values["visit_start"], values["visit_end"]
    return TicketView(code=values["code"], type=values["type"], priority=values["priority"], status=values["status"],
                      customer_id=values["customer_id"], assignee_id=values["assignee_id"],
                      channel=values["channel"], conversation=values["conversation"], summary=values["summary"],
                      sentiment=values["sentiment"], entities=values["entities"], created_at=values["created_at"],
                      updated_at=values["updated_at"], first_response_at=values["first_response_at"],
                      resolved_at=values["resolved_at"],
                      deadlines={target: Deadline(warn_at=values[warn_at], due_at=values[due_at])
                                 for target, warn_at, due_at in DEADLINE_COLUMNS if values[due_at] is not None},
                      clock_stopped_at=values["clock_stopped_at"], device_id=values["device_id"],
                      visit=(start, end) if start and end else None)


def message_view(row: TicketMessage) -> MessageView:
    return MessageView(at=row.created_at, author=row.author, text=row.text, attachments=tuple(row.attachments))


def summarize(text: str) -> str:
    """`text` on one line of at most `SUMMARY_LENGTH` characters; a cut inside an English word goes back to the space
    before it ("…all over the kitchen…", not "…the kitchen flo…")."""
    line = " ".join((text or "").split())
    if len(line) <= SUMMARY_LENGTH:
        return line
    cut = SUMMARY_LENGTH - 1
    if line[cut - 1:cut + 1].isascii() and line[cut - 1:cut + 1].isalnum():
        space = line.rfind(" ", SUMMARY_LENGTH // 2, cut)
        cut = space if space > 0 else cut
    return line[:cut].rstrip(" ,.;:") + "…"


def merge_entities(current: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Union per entity kind, keeping first-seen order (JSON lists of strings or small dicts)."""
    merged = {k: list(v) for k, v in current.items()}
    for key, values in new.items():
        bucket = merged.setdefault(key, [])
        for value in values:
            if value not in bucket:
                bucket.append(value)
    return merged
