"""Turns for SQLite's single writer, with the intake first in line.

SQLite has one writer at a time. Left to itself, a deferred transaction that read before another one committed cannot
become a writer (SQLITE_BUSY at once, whatever the busy timeout). So the write transactions of this process take
turns here. A customer's message is acknowledged only after its inbox commit, so that commit (marked urgent) goes
ahead of queued processing transactions: acknowledgements stay quick while a backlog is being worked off.

A long transaction that sees an urgent one waiting can commit what it has done, let the urgent ones through and go
on where it stopped (`TakeTurn.let_urgent_in`), ahead of every other waiter: only urgent writes ran in between, so
what it read and holds is still true, and it need not read it all again in a new transaction.
"""
from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType
from typing import Any, Callable

URGENT = "urgent_write"
"""`session.info` key: set it on a session whose transactions should be first in line."""


class WriteTurns:
    """A fair lock with three queues, each in arrival order: urgent waiters first, then transactions going on after
    letting the urgent ones in, then the others."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._resuming: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    @property
    def urgent_waiting(self) -> bool:
        """An urgent transaction waits for the turn: whoever holds it should commit soon."""
        return any(not waiter.done() for waiter in self._urgent)

    async def acquire(self, *, urgent: bool, resuming: bool = False) -> None:
        if not self._busy and not self._urgent and not self._resuming and not self._normal:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._resuming if resuming else self._normal
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()
            else:
                queue.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the turn to the next waiter (the turn stays taken), or free it."""
        for queue in (self._urgent, self._resuming, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._busy = False


class TakeTurn:
    """`session.begin()` that first waits for a turn and holds it until commit or rollback; `begin` starts the
    session's transaction (an async context manager)."""

    def __init__(self, turns: WriteTurns, begin: Callable[[], Any], *, urgent: bool) -> None:
        self._turns = turns
        self._begin = begin
        self._transaction: Any = None
        """The transaction in progress while the turn is held; None between turns."""
        self._urgent = urgent

    async def __aenter__(self) -> Any:
        return await self._take(resuming=False)

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self._give_up(kind, error, trace)

    async def let_urgent_in(self) -> None:
        """Commit, let the urgent transactions waiting have their turns, then begin again before anyone else."""
        await self._give_up(None, None, None)
        await self._take(resuming=True)

    async def _take(self, *, resuming: bool) -> Any:
        await self._turns.acquire(urgent=self._urgent, resuming=resuming)
        transaction = self._begin()
        try:
            entered = await transaction.__aenter__()
        except BaseException:
            self._turns.release()
            raise
        self._transaction = transaction
        return entered

    async def _give_up(self, kind: type[BaseException] | None, error: BaseException | None,
                       trace: TracebackType | None) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is None:
            return
        try:
            await transaction.__aexit__(kind, error, trace)
        finally:
            self._turns.release()
