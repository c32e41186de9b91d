"""The durable outbox: rows written with the effect that caused them, sent at least once, retried with backoff,
dead-lettered (visible to staff) when the platform refuses for good or after too many attempts. A message for a
recipient who is away (`RecipientAway`: a web-chat customer who closed the page) waits for them up to `AWAY_KEPT`
and goes out as soon as they are back.

One conversation's messages leave in the order they were written: a row is claimed only when no earlier row of its
lane (channel, conversation) is still waiting — to be sent, for its retry, or on a sender that may have crashed
(its lease runs out, then it is claimed again) — so a reply held back by a platform outage or a restart is never
overtaken by a newer one. A dead-lettered row stops holding its lane. Other lanes are not held up."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any, Collection, Sequence

from sqlalchemy import Update, bindparam, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.envelopes import Outbound
from core.storage.among import dialect_of
from core.storage.by_id import update_by_id
from core.storage.models import OUTBOX_WAITING, OutboxRow, OutboxStatus
from core.storage.db import each_statement_alone
from core.storage.reconnect import once_more_if_dropped
from core.storage.upsert import ignoring_conflicts

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(minutes=10)
AWAY_KEPT = timedelta(days=7)
"""How long a message waits for a recipient who is away (`RecipientAway`) before it is given up: a web-chat customer
who comes back within a week still finds the answer, the resolution to confirm and the survey."""
LEASE = timedelta(minutes=2)
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


async def enqueue(session: AsyncSession, messages: Sequence[Outbound], now: datetime) -> None:
    """Add outbox rows in the caller's transaction; a repeated idempotency key (re-processing after a crash) is
    ignored."""
    if messages:
        await session.execute(ignoring_conflicts(session, OutboxRow), outbox_rows(messages, now))


def outbox_rows(messages: Sequence[Outbound], now: datetime) -> list[dict[str, Any]]:
    """The rows of `messages`, due now, for an `INSERT … ON CONFLICT DO NOTHING`."""
    return [{"idempotency_key": m.idempotency_key, "channel": m.channel, "conversation": lane(m),
             "recipient": m.recipient, "payload": m.to_dict(), "status": OutboxStatus.PENDING, "attempts": 0,
             "next_attempt_at": now, "last_error": "", "platform_message_id": "", "created_at": now}
            for m in messages]


def lane(message: Outbound) -> str:
    """The conversation whose order a message keeps: its thread, or its recipient when it names none."""
    return message.conversation or message.recipient


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** attempts), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    message: Outbound
    attempts: int


@dataclass(frozen=True, slots=True)
class Failure:
    """A claimed row the platform did not take: why, whether trying again may help, and when at the earliest (the
    platform's own `retry_after`, in seconds)."""

    claimed: Claimed
    error: str
    retryable: bool
    retry_after: float | None = None
    away: bool = False


@cache
def _claim(dialect: str, sending: tuple[str, ...] | None) -> Update:
    """The claim of `OutboxStore.claim_due`, for each sender's pass: built once per dialect and set of channels
    sent on (building it and its cache key cost more than the statement). Parameters: `now`, `lease_until`,
    `limit`. It is a table statement: the ORM's bulk update annotated it anew at each pass, so its cache key (the
    whole lane subquery) was computed again, and turned the returned rows into ORM results — half the claim's CPU in
    a burst of replies."""
    outbox = OutboxRow.__table__
    earlier = outbox.alias()
    waiting = bindparam("waiting", [s.value for s in WAITING], expanding=True, literal_execute=True)
    first_in_lane = ~exists().where(earlier.c.channel == outbox.c.channel,
                                    earlier.c.conversation == outbox.c.conversation,
                                    earlier.c.status.in_(waiting), earlier.c.id < outbox.c.id)
    if sending is not None:
        first_in_lane = or_(first_in_lane, outbox.c.channel.not_in(sending))
    due = (select(outbox.c.id).where(outbox.c.status.in_(WAITING), outbox.c.next_attempt_at <= bindparam("now"),
                                     first_in_lane).order_by(outbox.c.id).limit(bindparam("limit")))
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    return (update(outbox).where(outbox.c.id.in_(due.scalar_subquery()))
            .values(status=OutboxStatus.SENDING, attempts=outbox.c.attempts + 1,
                    next_attempt_at=bindparam("lease_until"))
            .returning(outbox.c.id, outbox.c.payload, outbox.c.attempts))


async def _claim_in(session: AsyncSession, now: datetime, limit: int,
                    sending: Collection[str] | None) -> list[Claimed]:
    """`OutboxStore.claim_due`'s claim, in the caller's transaction."""
    statement = _claim(dialect_of(session), None if sending is None else tuple(sorted(sending)))
    rows = (await session.execute(statement, {"now": now, "lease_until": now + LEASE, "limit": limit})).all()
    return [Claimed(r.id, Outbound.from_dict(r.payload), r.attempts) for r in sorted(rows, key=lambda r: r.id)]


_BACK = (update(OutboxRow.__table__).where(OutboxRow.__table__.c.channel == bindparam("lane_channel"),
                                           OutboxRow.__table__.c.conversation == bindparam("lane"),
                                           OUTBOX_WAITING, OutboxRow.__table__.c.status == OutboxStatus.PENDING)
         .values(next_attempt_at=bindparam("now"), attempts=0))
"""What waits for a recipient who is back becomes due (`OutboxStore.recipient_back`, every web-chat socket opened).
It names the lane index's condition: with the status alone SQLite searched `ix_outbox_due` by status, every pending
row of every lane (a backlog of replies, a week of answers waiting for customers who left) at each socket opened."""


class OutboxStore:
    """Claims due rows with a lease (so a crashed sender's rows come back) and records each outcome."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim_due(self, limit: int = 100, *, sending: Collection[str] | None = None) -> list[Claimed]:
        """Take up to `limit` due rows, at most one per lane (the oldest still waiting, and only when it is due), in
        one statement; on PostgreSQL rows another sender is claiming are skipped, never waited for. The statuses
        are written as literals so both databases can prove the lane index's condition and use it.

        `sending`: the channels the caller sends on. A row of any other channel goes dead unsent, as does every
        row of its lane, so no order is at stake: such rows are taken whatever their lane still holds, and a lane
        of them (alerts to a supervisor reached only on a channel this hub lacks) does not drain one row a pass."""
        async def claim() -> list[Claimed]:
            async with self._sessions() as session, session.begin():
                await each_statement_alone(session)
                return await _claim_in(session, self._clock.now(), limit, sending)

        return await once_more_if_dropped(claim)

    async def settle(self, deliveries: Sequence[tuple[int, str]], failures: Sequence[Failure]) -> list[OutboxStatus]:
        """Record a pass's outcomes in one transaction: `(row id, platform message id)` pairs as sent, each failure
        as a retry after its backoff or dead-lettered. Returns each failure's new status, in order."""
        records, statuses = await self._outcomes(deliveries, failures, self._clock.now())
        if records:
            await once_more_if_dropped(partial(self._update, records))
        return statuses

    async def settle_and_claim(self, deliveries: Sequence[tuple[int, str]], failures: Sequence[Failure], *,
                               limit: int = 100, sending: Collection[str] | None = None,
                               ) -> tuple[list[OutboxStatus], list[Claimed]]:
        """`settle` and then `claim_due` in the same transaction, as a sender goes from one pass to the next: one
        turn at SQLite's writer and one commit a pass instead of two. The claim sees the pass's rows settled, so a
        lane whose row was sent gives its next one at once, as it would to a claim of its own."""
        now = self._clock.now()
        records, statuses = await self._outcomes(deliveries, failures, now)

        async def both() -> list[Claimed]:
            async with self._sessions() as session, session.begin():
                if records:
                    await update_by_id(session, OutboxRow.__table__, records)
                return await _claim_in(session, now, limit, sending)

        return statuses, await once_more_if_dropped(both)

    async def _outcomes(self, deliveries: Sequence[tuple[int, str]], failures: Sequence[Failure],
                        now: datetime) -> tuple[list[dict[str, Any]], list[OutboxStatus]]:
        """The row updates that record a pass's outcomes, and each failure's new status, in order."""
        records = [{"id": row_id, "status": OutboxStatus.SENT, "platform_message_id": platform_id, "sent_at": now,
                    "last_error": ""} for row_id, platform_id in deliveries]
        written = await self._written([f.claimed.id for f in failures if f.away])
        statuses: list[OutboxStatus] = []
        for failure in failures:
            claimed = failure.claimed
            if failure.away and now - written[claimed.id] < AWAY_KEPT:
                statuses.append(OutboxStatus.PENDING)
                records.append({"id": claimed.id, "status": OutboxStatus.PENDING, "last_error": failure.error,
                                "next_attempt_at": now + backoff(claimed.attempts)})
            elif not failure.retryable or failure.away or claimed.attempts >= MAX_ATTEMPTS:
                statuses.append(OutboxStatus.DEAD)
                records.append({"id": claimed.id, "status": OutboxStatus.DEAD, "last_error": failure.error})
            else:
                statuses.append(OutboxStatus.PENDING)
                delay = max(backoff(claimed.attempts), timedelta(seconds=failure.retry_after or 0))
                records.append({"id": claimed.id, "status": OutboxStatus.PENDING, "last_error": failure.error,
                                "next_attempt_at": now + delay})
        return records, statuses

    async def _written(self, row_ids: Sequence[int]) -> dict[int, datetime]:
        """When each of these rows was written."""
        if not row_ids:
            return {}
        async with self._sessions() as session:
            await each_statement_alone(session)
            rows = await session.execute(select(OutboxRow.id, OutboxRow.created_at).where(OutboxRow.id.in_(row_ids)))
            return {row.id: row.created_at for row in rows}

    async def recipient_back(self, channel: str, conversation: str) -> int:
        """The recipient of a conversation is reachable again (a web-chat customer reopened the page): what waits
        for them is due now, in order, instead of at its next retry, its attempts counted afresh. Returns how many
        rows were waiting."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(_BACK, {"lane_channel": channel, "lane": conversation,
                                                   "now": self._clock.now()})
            return int(result.rowcount or 0)

    async def _update(self, records: Sequence[dict[str, Any]]) -> None:
        async with self._sessions() as session, session.begin():
            await update_by_id(session, OutboxRow.__table__, records)

    async def release(self, row_ids: Sequence[int]) -> None:
        """Hand claimed rows back, due now (a sender stopping in the middle of a pass)."""
        async with self._sessions() as session, session.begin():
            await session.execute(update(OutboxRow).where(
                OutboxRow.id.in_(row_ids), OutboxRow.status == OutboxStatus.SENDING).values(
                status=OutboxStatus.PENDING, next_attempt_at=self._clock.now()))

