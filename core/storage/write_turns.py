"""Turns for SQLite's single writer, with the intake first in line.

SQLite has one writer at a time. Left to itself, a deferred transaction that read before another one committed cannot
become a writer (SQLITE_BUSY at once, whatever the busy timeout). So the write transactions of this process take
turns here. A customer's message is acknowledged only after its inbox commit, so that commit (marked urgent) goes
ahead of queued processing transactions: acknowledgements stay quick while a backlog is being worked off.
"""
from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType
from typing import Any

URGENT = "urgent_write"
"""`session.info` key: set it on a session whose transactions should be first in line."""


class WriteTurns:
    """A fair lock with two queues; urgent waiters are served before the others, each queue in arrival order."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    @property
    def urgent_waiting(self) -> bool:
        """An urgent transaction waits for the turn: whoever holds it should commit soon."""
        return any(not waiter.done() for waiter in self._urgent)

    async def acquire(self, *, urgent: bool) -> None:
        if not self._busy and not self._urgent and not self._normal:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._normal
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
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._busy = False


class TakeTurn:
    """`session.begin()` that first waits for a turn and holds it until commit or rollback."""

    def __init__(self, turns: WriteTurns, transaction: Any, *, urgent: bool) -> None:
        self._turns = turns
        self._transaction = transaction
        self._urgent = urgent

    async def __aenter__(self) -> Any:
        await self._turns.acquire(urgent=self._urgent)
        try:
            return await self._transaction.__aenter__()
        except BaseException:
            self._turns.release()
            raise

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        try:
            await self._transaction.__aexit__(kind, error, trace)
        finally:
            self._turns.release()
