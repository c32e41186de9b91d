"""Opening, updating and moving tickets; every change is written to the audit log in the same transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import CHINA_TZ, Clock
from core.domain.tickets import OPEN_STATUSES, Priority, Status, TicketType, check_transition, format_ticket_id
from core.services.journal import journal_of
from core.storage.models import Ticket, TicketEvent, TicketMessage, TicketSequence
from core.storage.upsert import ignoring_conflicts

SUMMARY_LENGTH = 60
ENTITY_KEYS = ("phones", "order_numbers", "serial_numbers", "addresses", "times", "products", "models")


class TicketService:
    """Tickets within one transaction. The open tickets of conversations named to `preload_open` are kept in hand,
    so a batch of messages asks the database once for all of them; tickets opened here join that set. Lookups by
    customer or code answer from memory and the stored rows without flushing the batch's pending writes."""

    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._open: dict[tuple[str, str], list[Ticket]] = {}
        self._opened: list[Ticket] = []
        self._journal = journal_of(session)

    async def preload_open(self, threads: Iterable[tuple[str, str]]) -> None:
        """Load the open tickets of these (channel, conversation) threads in one query."""
        wanted = set(threads) - self._open.keys()
        if not wanted:
            return
        found = await self._session.scalars(
            select(Ticket).where(tuple_(Ticket.channel, Ticket.conversation).in_(wanted),
                                 Ticket.status.in_([s.value for s in OPEN_STATUSES])).order_by(Ticket.id))
        for thread in wanted:
            self._open[thread] = []
        for ticket in found:
            self._open[(ticket.channel, ticket.conversation)].append(ticket)

    async def open(self, *, customer_id: int, type: TicketType, priority: Priority, channel: str,
                   conversation: str, text: str, entities: Mapping[str, Any], sentiment: str, actor: str,
                   inbox_id: int | None, attachments: list[Any] | None = None) -> Ticket:
        now = self._clock.now()
        ticket = Ticket(code=await self._next_code(now), type=type.value, priority=priority.value,
                        status=Status.NEW.value, customer_id=customer_id, channel=channel,
                        conversation=conversation, summary=summarize(text), sentiment=sentiment,
                        entities=merge_entities({}, entities), created_at=now, updated_at=now)
        self._session.add(ticket)
        self._opened.append(ticket)
        self._open.get((channel, conversation), []).append(ticket)
        self._journal.add(TicketMessage, ticket, inbox_id=inbox_id, author=actor, text=text,
                          attachments=attachments or [], created_at=now)
        self.record(ticket, actor, "opened", {}, {"type": ticket.type, "priority": ticket.priority,
                                                   "status": ticket.status})
        return ticket

    async def add_message(self, ticket: Ticket, *, actor: str, text: str, inbox_id: int | None,
                          entities: Mapping[str, Any], attachments: list[Any] | None = None) -> list[str]:
        """Append what the person said; returns the entity kinds that were new to the ticket."""
        now = self._clock.now()
        self._journal.add(TicketMessage, ticket, inbox_id=inbox_id, author=actor, text=text,
                          attachments=attachments or [], created_at=now)
        before = ticket.entities
        after = merge_entities(before, entities)
        added = [k for k in ENTITY_KEYS if len(after.get(k, ())) > len(before.get(k, ()))]
        if added:
            ticket.entities = after
            self.record(ticket, actor, "details_added", {k: before.get(k, []) for k in added},
                        {k: after[k] for k in added})
        ticket.updated_at = now
        return added

    async def change_priority(self, ticket: Ticket, priority: Priority, *, actor: str) -> None:
        if Priority(ticket.priority) <= priority:
            return
        self.record(ticket, actor, "priority", {"priority": ticket.priority}, {"priority": priority.value})
        ticket.priority = priority.value
        ticket.updated_at = self._clock.now()

    async def transition(self, ticket: Ticket, target: Status, *, actor: str, note: str = "") -> None:
        """Move the ticket; raises `IllegalTransition` when the state machine forbids it."""
        check_transition(ticket.status, target)
        now = self._clock.now()
        self.record(ticket, actor, "status", {"status": ticket.status}, {"status": target.value, "note": note})
        ticket.status = target.value
        ticket.updated_at = now
        if target is Status.RESOLVED:
            ticket.resolved_at = now

    def mark_responded(self, ticket: Ticket) -> None:
        if ticket.first_response_at is None:
            ticket.first_response_at = self._clock.now()

    async def get(self, code: str) -> Ticket | None:
        code = code.upper()
        opened_here = next((t for t in self._opened if t.code == code), None)
        if opened_here is not None:
            return opened_here
        with self._session.no_autoflush:
            return await self._session.scalar(select(Ticket).where(Ticket.code == code))

    async def get_for_customer(self, code: str, customer_id: int) -> Ticket | None:
        """The ticket named `code` if it belongs to this customer; a customer never sees another's ticket."""
        ticket = await self.get(code)
        return ticket if ticket is not None and ticket.customer_id == customer_id else None

    async def open_in_conversation(self, *, channel: str, conversation: str, customer_id: int) -> Ticket | None:
        """The customer's newest open ticket in this thread."""
        await self.preload_open([(channel, conversation)])
        return next((t for t in reversed(self._open[(channel, conversation)])
                     if t.customer_id == customer_id and t.status in OPEN_STATUSES), None)

    async def for_customer(self, customer_id: int, *, limit: int = 5, open_only: bool = False) -> list[Ticket]:
        """The customer's newest tickets. What is stored is read without flushing the batch; the customer's
        tickets opened or changed in this transaction are added from memory, so the answer is the one a flush
        would give (a changed ticket may rank wrongly in the query, hence `limit` plus their number)."""
        unwritten = [t for t in reversed(self._opened) if t.id is None and t.customer_id == customer_id]
        changed = [t for t in self._session.dirty if isinstance(t, Ticket) and t.customer_id == customer_id]
        query = select(Ticket).where(Ticket.customer_id == customer_id)
        if open_only:
            query = query.where(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        with self._session.no_autoflush:
            stored = list(await self._session.scalars(query.order_by(Ticket.id.desc()).limit(limit + len(changed))))
        candidates = {id(t): t for t in [*unwritten, *changed, *stored]}.values()
        found = [t for t in candidates if not open_only or t.status in OPEN_STATUSES]
        found.sort(key=lambda t: (t.id is None, t.id or 0), reverse=True)
        return found[:limit]

    async def _next_code(self, now: datetime) -> str:
        """Per-day sequence in China time; the UPDATE … RETURNING row lock makes it unique under concurrency."""
        day = now.astimezone(CHINA_TZ).date()
        key = f"{day:%Y%m%d}"
        with self._session.no_autoflush:
            await self._session.execute(ignoring_conflicts(self._session, TicketSequence), [{"day": key, "last": 0}])
            number = await self._session.scalar(
                update(TicketSequence).where(TicketSequence.day == key)
                .values(last=TicketSequence.last + 1).returning(TicketSequence.last))
        return format_ticket_id(day, int(number or 0))

    def record(self, ticket: Ticket, actor: str, action: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Write one audit-log event for the ticket (with the transaction, see core.services.journal)."""
        self._journal.add(TicketEvent, ticket, actor=actor, action=action, before=before, after=after,
                          at=self._clock.now())

    async def write_journal(self) -> None:
        """Make the messages and events recorded so far visible to queries in this transaction."""
        await self._journal.write()


def summarize(text: str) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= SUMMARY_LENGTH else line[:SUMMARY_LENGTH - 1] + "…"


def merge_entities(current: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Union per entity kind, keeping first-seen order (JSON lists of strings or small dicts)."""
    merged = {k: list(v) for k, v in current.items()}
    for key, values in new.items():
        bucket = merged.setdefault(key, [])
        for value in values:
            if value not in bucket:
                bucket.append(value)
    return merged
