"""The durable outbox: rows written with the effect that caused them, sent at least once, retried with backoff,
dead-lettered (visible to staff) when the platform refuses for good or after too many attempts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.envelopes import Outbound
from core.storage.models import OutboxRow, OutboxStatus
from core.storage.upsert import ignoring_conflicts

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=10)
LEASE = timedelta(minutes=2)


async def enqueue(session: AsyncSession, messages: Sequence[Outbound], now: datetime) -> None:
    """Add outbox rows in the caller's transaction; a repeated idempotency key (re-processing after a crash) is
    ignored."""
    if messages:
        await session.execute(ignoring_conflicts(session, OutboxRow), outbox_rows(messages, now))


def outbox_rows(messages: Sequence[Outbound], now: datetime) -> list[dict[str, Any]]:
    """The rows of `messages`, due now, for an `INSERT … ON CONFLICT DO NOTHING`."""
    return [{"idempotency_key": m.idempotency_key, "channel": m.channel, "recipient": m.recipient,
             "payload": m.to_dict(), "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now,
             "last_error": "", "platform_message_id": "", "created_at": now} for m in messages]


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** attempts), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    message: Outbound
    attempts: int


class OutboxStore:
    """Claims due rows with a lease (so a crashed sender's rows come back) and records each outcome."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim_due(self, limit: int = 100) -> list[Claimed]:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            query = (select(OutboxRow).where(
                OutboxRow.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
                OutboxRow.next_attempt_at <= now).order_by(OutboxRow.id).limit(limit))
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await session.scalars(query))
            for row in rows:
                row.status = OutboxStatus.SENDING
                row.attempts += 1
                row.next_attempt_at = now + LEASE
            return [Claimed(r.id, Outbound.from_dict(r.payload), r.attempts) for r in rows]

    async def sent(self, deliveries: Sequence[tuple[int, str]]) -> None:
        """Record `(row id, platform message id)` pairs as sent, all in one transaction."""
        if not deliveries:
            return
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            await session.execute(update(OutboxRow), [
                {"id": row_id, "status": OutboxStatus.SENT, "platform_message_id": platform_id, "sent_at": now, "last_error": ""}
                for row_id, platform_id in deliveries])

    async def failed(self, claimed: Claimed, error: str, *, retryable: bool,
                     retry_after: float | None) -> OutboxStatus:
        """Schedule a retry or dead-letter; returns the new status."""
        if not retryable or claimed.attempts >= MAX_ATTEMPTS:
            await self._set(claimed.id, status=OutboxStatus.DEAD, last_error=error)
            return OutboxStatus.DEAD
        delay = max(backoff(claimed.attempts), timedelta(seconds=retry_after or 0))
        await self._set(claimed.id, status=OutboxStatus.PENDING, last_error=error,
                        next_attempt_at=self._clock.now() + delay)
        return OutboxStatus.PENDING

    async def _set(self, row_id: int, **values: object) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values))
