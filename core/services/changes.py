"""Which tickets changed since a mark, for the console's live updates. Every change to a ticket writes its audit log
and everything said on it is appended to its conversation; both tables only grow, so their highest ids are the mark
and the rows above it are what changed — whichever hub process wrote them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.models import Ticket, TicketEvent, TicketMessage


@dataclass(frozen=True, slots=True)
class Mark:
    event_id: int
    message_id: int


class ChangeService:
    def __init__(self, *, session: AsyncSession) -> None:
        self._session = session

    async def mark(self) -> Mark:
        """Where the audit log and the conversations stand now (two index lookups)."""
        event = await self._session.scalar(select(func.max(TicketEvent.id)))
        message = await self._session.scalar(select(func.max(TicketMessage.id)))
        return Mark(int(event or 0), int(message or 0))

    async def changed(self, since: Mark, until: Mark, *, limit: int) -> list[str] | None:
        """The codes of the tickets changed after `since` up to `until`; None when more than `limit` did (the
        reader reloads everything instead)."""
        ids = union(
            select(TicketEvent.ticket_id).where(TicketEvent.id > since.event_id, TicketEvent.id <= until.event_id),
            select(TicketMessage.ticket_id).where(TicketMessage.id > since.message_id,
                                                  TicketMessage.id <= until.message_id)).subquery()
        codes = list(await self._session.scalars(
            select(Ticket.code).where(Ticket.id.in_(select(ids.c.ticket_id))).order_by(Ticket.id).limit(limit + 1)))
        return None if len(codes) > limit else codes
