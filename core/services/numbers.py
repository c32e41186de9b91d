"""Ticket numbers: a per-day sequence (`SR-YYYYMMDD-NNNN`), unique, in the order they were handed out by each
process, with gaps allowed.

On SQLite there is one writer at a time anyway, so the numbers are taken in the numbering transaction: the first
number of a day with `UPDATE … RETURNING` on the day's row, the following ones counted in memory and written once,
just before commit (two statements per batch of new tickets), and a rollback takes them back.

On PostgreSQL that row lock would be held until the numbering transaction commits — up to a processing
transaction's budget — and every other transaction opening a ticket, in any lane of any process, would wait for it:
new tickets would be numbered one transaction at a time. So there each process reserves a block of numbers in a
statement of its own, committed at once on a connection of its own, and hands them out from memory. A block covers
about the numbers handed out in the last `BLOCK_WINDOW` seconds (one when quiet, up to `MAX_BLOCK`). Numbers of a
transaction that rolls back, and the rest of a block when the process stops, are never used: the day's sequence
has gaps, and between processes numbers are not in the order the tickets were opened.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from datetime import date
from typing import Protocol

from sqlalchemy import bindparam, event, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from core.storage.models import TicketSequence
from core.storage.upsert import ignoring_conflicts

_KEY = "ticket_numbers"
BLOCK_WINDOW = 2.0
"""Seconds of the recent pace a reserved block covers: enough to make reservations rare under load, few enough
that a process that stops leaves a small gap."""
MAX_BLOCK = 100
_RESERVE = text("INSERT INTO ticket_sequences (day, last) VALUES (:day, :size) "
                "ON CONFLICT (day) DO UPDATE SET last = ticket_sequences.last + excluded.last RETURNING last")
_SEQUENCES = TicketSequence.__table__
_TAKE = (update(_SEQUENCES).where(_SEQUENCES.c.day == bindparam("of_day")).values(last=_SEQUENCES.c.last + 1)
         .returning(_SEQUENCES.c.last))
_SET = update(_SEQUENCES).where(_SEQUENCES.c.day == bindparam("of_day")).values(last=bindparam("new_last"))
"""The day's first number taken, and the last one written at commit: table statements built once, as an ORM
update built at each transaction went through the ORM's bulk path and had its cache key computed again."""


class TicketNumbers(Protocol):
    async def next(self, day: date) -> int:
        """The next number of `day`."""


class NumbersInTransaction:
    """Numbers taken in the session's transaction, holding the day's row until it ends (SQLite)."""

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
        return await self._session.scalar(_TAKE, {"of_day": key})

    def _write(self, session: Session) -> None:
        for key, last in self._last.items():
            if last != self._written[key]:
                session.execute(_SET, {"of_day": key, "new_last": last})
        self._forget(session)

    def _forget(self, _session: Session) -> None:
        self._last.clear()
        self._written.clear()


class NumberBlocks:
    """A process's blocks of numbers, reserved outside the numbering transactions (PostgreSQL); one per engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine: AsyncEngine = create_async_engine(engine.url, pool_size=1, max_overflow=0, pool_pre_ping=True,
                                                        isolation_level="AUTOCOMMIT")
        self._blocks: dict[str, tuple[int, int]] = {}
        """Per day, the next free number of the block in hand and its last."""
        self._handed: deque[float] = deque()
        """When the numbers of the last `BLOCK_WINDOW` seconds were handed out."""
        self._reserving = asyncio.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self._engine.sync_engine.dispose())

    async def next(self, day: date) -> int:
        key = f"{day:%Y%m%d}"
        async with self._reserving:
            number, last = self._blocks.get(key, (1, 0))
            if number > last:
                size = self._size()
                last = await self._reserve(key, size)
                number = last - size + 1
            self._blocks = {key: (number + 1, last)}
        self._handed.append(time.monotonic())
        return number

    def _size(self) -> int:
        since = time.monotonic() - BLOCK_WINDOW
        while self._handed and self._handed[0] < since:
            self._handed.popleft()
        return max(1, min(MAX_BLOCK, len(self._handed)))

    async def _reserve(self, key: str, size: int) -> int:
        async with self._engine.connect() as connection:
            return int((await connection.execute(_RESERVE, {"day": key, "size": size})).scalar_one())


def numbers_of(session: AsyncSession) -> TicketNumbers:
    """Where this session's tickets get their numbers: on SQLite the session's own allocator (every service
    numbering tickets in it shares the count), elsewhere the engine's blocks."""
    bind = session.sync_session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name == "sqlite":
        numbers = session.info.get(_KEY)
        if numbers is None:
            numbers = session.info[_KEY] = NumbersInTransaction(session)
        return numbers
    blocks = engine.__dict__.get(_KEY)
    if blocks is None:
        blocks = engine.__dict__[_KEY] = NumberBlocks(engine)
    return blocks
