"""The inbox rows' lifecycle after intake: taken for processing, marked done with their effects, failures counted
until a row is given up, and the queries the relay and `/metrics` need (pending, stale, backlog)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Mapping, Sequence

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.envelopes import Inbound
from core.inbox.intake import Committed
from core.storage.among import Among, dialect_of
from core.storage.by_id import update_by_id
from core.storage.models import InboxRow, InboxStatus

MAX_ATTEMPTS = 5
"""Failed processing attempts after which a row is given up (`failed`) instead of retried."""
ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class PendingRow:
    id: int
    inbound: Inbound
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Failure:
    """What became of a row whose processing failed: retried later, or given up for good."""

    inbound: Inbound | None
    attempts: int
    given_up: bool


class InboxStore:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    @staticmethod
    async def take_pending(session: AsyncSession, inbox_ids: Sequence[int],
                           peeked: Mapping[int, Inbound] | None = None) -> dict[int, PendingRow]:
        """The rows among `inbox_ids` still pending, in the caller's transaction. On PostgreSQL they are locked as
        they are read, so a second delivery running at the same moment in another process waits, then finds them
        done. `peeked`: the messages already read of these rows (`peek_pending`; a row's message never changes),
        so their payloads are not read and decoded again when it holds them all."""
        known = peeked or {}
        if all(inbox_id in known for inbox_id in inbox_ids):
            statement, ids = _pending(dialect_of(session), locked=True, payload=False)
            rows = await session.execute(statement, ids.given(inbox_ids))
            return {row.id: PendingRow(row.id, known[row.id], row.received_at) for row in rows}
        statement, ids = _pending(dialect_of(session), locked=True, payload=True)
        rows = await session.execute(statement, ids.given(inbox_ids))
        return {row.id: PendingRow(row.id, Inbound.from_dict(row.payload), row.received_at) for row in rows}

    @staticmethod
    async def peek_pending(session: AsyncSession, inbox_ids: Sequence[int]) -> dict[int, Inbound]:
        """The messages of the rows among `inbox_ids` still pending, read without locking (the caller's
        transaction takes them later with `take_pending`)."""
        statement, ids = _pending(dialect_of(session), locked=False, payload=True)
        rows = await session.execute(statement, ids.given(inbox_ids))
        return {row.id: Inbound.from_dict(row.payload) for row in rows}

    @staticmethod
    async def mark_done(session: AsyncSession, done: Sequence[tuple[int, datetime, str]]) -> None:
        """`(row id, processed at, note)` in the caller's transaction — the one that holds the row's effects."""
        await update_by_id(session, InboxRow.__table__, [
            {"id": row_id, "status": InboxStatus.DONE, "processed_at": at, "last_error": note}
            for row_id, at, note in done])

    @staticmethod
    async def record_failure(session: AsyncSession, inbox_id: int, error: str, now: datetime) -> Failure | None:
        """Count a failed attempt, in the caller's transaction (the one that queues what a row given up causes);
        after `MAX_ATTEMPTS` the row is `failed` for good. None when the row is gone or no longer pending."""
        row = await session.get(InboxRow, inbox_id, with_for_update=True)
        if row is None or row.status != InboxStatus.PENDING:
            return None
        attempts = row.attempts + 1
        given_up = attempts >= MAX_ATTEMPTS
        await session.execute(update(InboxRow).where(InboxRow.id == inbox_id).values(
            attempts=attempts, last_error=error[:ERROR_LENGTH],
            status=InboxStatus.FAILED if given_up else InboxStatus.PENDING, processed_at=now if given_up else None))
        return Failure(Inbound.from_dict(row.payload), attempts, given_up)

    async def pending(self, *, older_than: timedelta | None = None) -> list[Committed]:
        """Rows not yet processed, oldest first; only those received `older_than` ago when given."""
        query = select(InboxRow.id, InboxRow.conversation).where(
            InboxRow.status == InboxStatus.PENDING).order_by(InboxRow.id)
        if older_than is not None:
            query = query.where(InboxRow.received_at <= self._clock.now() - older_than)
        async with self._sessions() as session:
            return [Committed(r.id, r.conversation) for r in await session.execute(query)]

    async def backlog(self) -> int:
        """Rows not yet processed, by every process on this database."""
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(InboxRow).where(
                InboxRow.status == InboxStatus.PENDING)) or 0)


@cache
def _pending(dialect: str, *, locked: bool, payload: bool) -> tuple[Select[Any], Among]:
    """The pending rows among the ids given, as processing reads them twice a batch (with their payloads, or only
    when they were received): built once per dialect."""
    ids = Among(dialect, [InboxRow.id])
    columns = (InboxRow.id, InboxRow.payload, InboxRow.received_at) if payload else (InboxRow.id, InboxRow.received_at)
    statement = select(*columns).where(ids.condition, InboxRow.status == InboxStatus.PENDING)
    return (statement.with_for_update() if locked else statement), ids
