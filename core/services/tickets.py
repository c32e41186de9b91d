"""Opening, updating and moving tickets; every change is written to the audit log in the same transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import CHINA_TZ, Clock
from core.domain.tickets import OPEN_STATUSES, Priority, Status, TicketType, check_transition, format_ticket_id
from core.storage.models import Ticket, TicketEvent, TicketMessage, TicketSequence
from core.storage.upsert import ignoring_conflicts

SUMMARY_LENGTH = 60
ENTITY_KEYS = ("phones", "order_numbers", "serial_numbers", "addresses", "times", "products", "models")


class TicketService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def open(self, *, customer_id: int, type: TicketType, priority: Priority, channel: str,
                   conversation: str, text: str, entities: Mapping[str, Any], sentiment: str, actor: str,
                   inbox_id: int | None, attachments: list[Any] | None = None) -> Ticket:
        now = self._clock.now()
        ticket = Ticket(code=await self._next_code(now), type=type.value, priority=priority.value,
                        status=Status.NEW.value, customer_id=customer_id, channel=channel,
                        conversation=conversation, summary=summarize(text), sentiment=sentiment,
                        entities=merge_entities({}, entities), created_at=now, updated_at=now)
        self._session.add(ticket)
        await self._session.flush()
        self._session.add(TicketMessage(ticket_id=ticket.id, inbox_id=inbox_id, author=actor, text=text,
                                        attachments=attachments or [], created_at=now))
        self._record(ticket, actor, "opened", {}, {"type": ticket.type, "priority": ticket.priority,
                                                    "status": ticket.status})
        return ticket

    async def add_message(self, ticket: Ticket, *, actor: str, text: str, inbox_id: int | None,
                          entities: Mapping[str, Any], attachments: list[Any] | None = None) -> list[str]:
        """Append what the person said; returns the entity kinds that were new to the ticket."""
        now = self._clock.now()
        self._session.add(TicketMessage(ticket_id=ticket.id, inbox_id=inbox_id, author=actor, text=text,
                                        attachments=attachments or [], created_at=now))
        before = ticket.entities
        after = merge_entities(before, entities)
        added = [k for k in ENTITY_KEYS if len(after.get(k, ())) > len(before.get(k, ()))]
        if added:
            ticket.entities = after
            self._record(ticket, actor, "details_added", {k: before.get(k, []) for k in added},
                         {k: after[k] for k in added})
        ticket.updated_at = now
        return added

    async def change_priority(self, ticket: Ticket, priority: Priority, *, actor: str) -> None:
        if Priority(ticket.priority) <= priority:
            return
        self._record(ticket, actor, "priority", {"priority": ticket.priority}, {"priority": priority.value})
        ticket.priority = priority.value
        ticket.updated_at = self._clock.now()

    async def transition(self, ticket: Ticket, target: Status, *, actor: str, note: str = "") -> None:
        """Move the ticket; raises `IllegalTransition` when the state machine forbids it."""
        check_transition(ticket.status, target)
        now = self._clock.now()
        self._record(ticket, actor, "status", {"status": ticket.status}, {"status": target.value, "note": note})
        ticket.status = target.value
        ticket.updated_at = now
        if target is Status.RESOLVED:
            ticket.resolved_at = now

    def mark_responded(self, ticket: Ticket) -> None:
        if ticket.first_response_at is None:
            ticket.first_response_at = self._clock.now()

    async def get(self, code: str) -> Ticket | None:
        return await self._session.scalar(select(Ticket).where(Ticket.code == code.upper()))

    async def get_for_customer(self, code: str, customer_id: int) -> Ticket | None:
        """The ticket named `code` if it belongs to this customer; a customer never sees another's ticket."""
        ticket = await self.get(code)
        return ticket if ticket is not None and ticket.customer_id == customer_id else None

    async def open_in_conversation(self, *, channel: str, conversation: str, customer_id: int) -> Ticket | None:
        return await self._session.scalar(
            select(Ticket).where(Ticket.channel == channel, Ticket.conversation == conversation,
                                 Ticket.customer_id == customer_id, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
            .order_by(Ticket.id.desc()).limit(1))

    async def for_customer(self, customer_id: int, *, limit: int = 5, open_only: bool = False) -> list[Ticket]:
        query = select(Ticket).where(Ticket.customer_id == customer_id)
        if open_only:
            query = query.where(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        return list(await self._session.scalars(query.order_by(Ticket.id.desc()).limit(limit)))

    async def _next_code(self, now: datetime) -> str:
        """Per-day sequence in China time; the UPDATE … RETURNING row lock makes it unique under concurrency."""
        day = now.astimezone(CHINA_TZ).date()
        key = f"{day:%Y%m%d}"
        await self._session.execute(ignoring_conflicts(self._session, TicketSequence), [{"day": key, "last": 0}])
        number = await self._session.scalar(
            update(TicketSequence).where(TicketSequence.day == key)
            .values(last=TicketSequence.last + 1).returning(TicketSequence.last))
        return format_ticket_id(day, int(number or 0))

    def _record(self, ticket: Ticket, actor: str, action: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        self._session.add(TicketEvent(ticket_id=ticket.id, actor=actor, action=action, before=before, after=after,
                                      at=self._clock.now()))


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
