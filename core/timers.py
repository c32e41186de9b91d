"""The timer worker's side of the `timers` table: what is due, taken with a row lock so two processes never fire the
same timer, marked fired in the transaction of its effects, and failures retried with backoff, then given up."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.storage.among import dialect_of
from core.storage.by_id import update_by_id
from core.storage.models import Timer, TimerStatus

MAX_ATTEMPTS = 5
ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class DueTimer:
    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]


class TimerStore:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def next_due(self) -> datetime | None:
        """The due time of the earliest pending timer (an indexed lookup)."""
        async with self._sessions() as session:
            return await session.scalar(select(func.min(Timer.due_at)).where(Timer.status == TimerStatus.PENDING))

    @staticmethod
    async def take_due(session: AsyncSession, now: datetime, limit: int, *,
                       only: int | None = None) -> list[DueTimer]:
        """Pending timers due by `now` (only the one with id `only`, when given), oldest first, locked for the
        caller's transaction (another process skips them on PostgreSQL; SQLite has one writer)."""
        query = (select(Timer.id, Timer.kind, Timer.key, Timer.due_at, Timer.payload)
                 .where(Timer.status == TimerStatus.PENDING, Timer.due_at <= now)
                 .order_by(Timer.due_at, Timer.id).limit(limit))
        if only is not None:
            query = query.where(Timer.id == only)
        if dialect_of(session) == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [DueTimer(r.id, r.kind, r.key, r.due_at, dict(r.payload)) for r in await session.execute(query)]

    @staticmethod
    async def mark_fired(session: AsyncSession, timer_ids: Sequence[int], now: datetime) -> None:
        if timer_ids:
            await session.execute(update(Timer).where(Timer.id.in_(timer_ids), Timer.status == TimerStatus.PENDING)
                                  .values(status=TimerStatus.FIRED, fired_at=now)
                                  .execution_options(synchronize_session=False))

    @staticmethod
    async def rearm(session: AsyncSession, again: Sequence[tuple[int, datetime, dict[str, Any]]], now: datetime) -> None:
        """Timers that fired and asked to come due again, each at its new time with its new payload (a chain of
        alerts kept in one row, the next link due next): pending once more, in the transaction of the firing."""
        await update_by_id(session, Timer.__table__, [
            {"id": timer_id, "due_at": due_at, "payload": payload, "status": TimerStatus.PENDING, "fired_at": now}
            for timer_id, due_at, payload in again])

    async def record_failure(self, timer_id: int, error: str) -> bool:
        """Count a failed attempt and retry later with backoff; True when the timer is given up (`failed`)."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            timer = await session.get(Timer, timer_id)
            if timer is None or timer.status != TimerStatus.PENDING:
                return False
            timer.attempts += 1
            timer.last_error = error[:ERROR_LENGTH]
            if timer.attempts >= MAX_ATTEMPTS:
                timer.status = TimerStatus.FAILED
                return True
            timer.due_at = now + timedelta(seconds=2 ** timer.attempts)
            return False
