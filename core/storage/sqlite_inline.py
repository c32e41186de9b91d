"""An aiosqlite-shaped connection that calls SQLite on the event-loop thread.

aiosqlite hands every call to a helper thread and back: about 0.2 ms per cursor, execute and fetch on this machine,
so with a dozen statements per customer message the hops, not the work, set the pace. SQLite answers a small indexed
statement in microseconds; writers of this process take turns (core.storage.db) and WAL readers never wait, so calling
it inline is faster and no less safe. The price is that a long statement holds up the event loop while it runs —
acceptable for the single-node SQLite deployment; larger installations run on PostgreSQL.

When another process holds the write lock, SQLite's own busy handler would sleep on the event-loop thread. So the
connection's busy timeout is zero and a statement that finds the database busy is retried here, with short
asynchronous sleeps, until `timeout`: the loop keeps serving meanwhile. A transaction's first write begins it
IMMEDIATE (taking the write lock at once), so a retried statement never meets a snapshot another writer made stale.

SQLAlchemy's `sqlite+aiosqlite` dialect drives it through `create_async_engine(async_creator=…)`; only the methods
that dialect calls are provided.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any, Callable, Iterable, Sequence, TypeVar

T = TypeVar("T")
SQLITE_BUSY = 5
FIRST_PAUSE, LONGEST_PAUSE = 0.0005, 0.01
"""Seconds between attempts while another process writes: doubling from half a millisecond to ten."""


async def when_not_busy(attempt: Callable[[], T], timeout: float) -> T:
    """`attempt()`, again after a pause for as long as SQLite answers SQLITE_BUSY, for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != SQLITE_BUSY or time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor, timeout: float) -> None:
        self._cursor = cursor
        self._timeout = timeout

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        await when_not_busy(lambda: self._cursor.execute(sql, parameters), self._timeout)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> InlineCursor:
        rows = list(seq_of_parameters)
        await when_not_busy(lambda: self._cursor.executemany(sql, rows), self._timeout)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's work queue, which the dialect uses to change the isolation level."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # noqa: BLE001 - handed to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection, timeout: float) -> None:
        self._conn = connection
        self._timeout = timeout
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor(), self._timeout)

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        return await (await self.cursor()).execute(sql, parameters)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        await when_not_busy(self._conn.commit, self._timeout)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()


def inline_connector(database: str, *, timeout: float) -> Callable[[], Any]:
    """The `async_creator` for `create_async_engine`: opens `database` for use from the event-loop thread only."""
    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(database, timeout=0, isolation_level="IMMEDIATE",
                                                check_same_thread=False, uri=database.startswith("file:")), timeout)
    return connect
