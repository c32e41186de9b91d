"""Ticket numbers, a per-day sequence, handed out a transaction at a time.

The first number a transaction needs for a day is taken with `UPDATE … RETURNING`, which locks the day's row
until the transaction ends (PostgreSQL's row lock; SQLite's single writer): no other transaction can number a ticket
of that day meanwhile. The following ones are counted in memory and the day's row is written once, just before
commit. A batch of new tickets so costs two statements, not two per ticket, and a rollback takes its numbers back
with it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.storage.models import TicketSequence
from core.storage.upsert import ignoring_conflicts

_KEY = "ticket_numbers"


class TicketNumbers:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._last: dict[str, int] = {}
        """The last number handed out per day in this transaction."""
        self._written: dict[str, int] = {}
        event.listen(session.sync_session, "before_commit", self._write)
        event.listen(session.sync_session, "after_rollback", self._forget)

    async def next(self, day: date) -> int:
        key = f"{day:%Y%m%d}"
        last = self._last.get(key)
        if last is None:
            with self._session.no_autoflush:
                last = await self._take(key)
                if last is None:
                    await self._session.execute(ignoring_conflicts(self._session, TicketSequence),
                                                [{"day": key, "last": 0}])
                    last = await self._take(key)
            self._last[key] = self._written[key] = int(last or 0)
            return self._last[key]
        self._last[key] = last + 1
        return last + 1

    async def _take(self, key: str) -> int | None:
        return await self._session.scalar(update(TicketSequence).where(TicketSequence.day == key)
                                          .values(last=TicketSequence.last + 1).returning(TicketSequence.last))

    def _write(self, session: Session) -> None:
        for key, last in self._last.items():
            if last != self._written[key]:
                session.execute(update(TicketSequence).where(TicketSequence.day == key).values(last=last))
        self._forget(session)

    def _forget(self, _session: Session) -> None:
        self._last.clear()
        self._written.clear()


def numbers_of(session: AsyncSession) -> TicketNumbers:
    """The session's one allocator, so every service numbering tickets in it shares the count."""
    numbers = session.info.get(_KEY)
    if numbers is None:
        numbers = session.info[_KEY] = TicketNumbers(session)
    return numbers
