"""An aiosqlite-shaped connection that calls SQLite on the event-loop thread.

aiosqlite hands every call to a helper thread and back: about 0.2 ms per cursor, execute and fetch on this machine,
so with a dozen statements per customer message the hops, not the work, set the pace. SQLite answers a small indexed
statement in microseconds; writers of this process take turns (core.storage.db) and WAL readers never wait, so calling
it inline is faster and no less safe. The price is that a long statement holds up the event loop while it runs —
acceptable for the single-node SQLite deployment; larger installations run on PostgreSQL.

SQLAlchemy's `sqlite+aiosqlite` dialect drives it through `create_async_engine(async_creator=…)`; only the methods
that dialect calls are provided.
"""
from __future__ import annotations

import asyncio
import sqlite3
from typing import Any, Callable, Iterable, Sequence


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

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
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, seq_of_parameters)
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
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        return InlineCursor(self._conn.execute(sql, parameters))

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()


def inline_connector(database: str, *, timeout: float) -> Callable[[], Any]:
    """The `async_creator` for `create_async_engine`: opens `database` for use from the event-loop thread only."""
    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(database, timeout=timeout, check_same_thread=False,
                                                uri=database.startswith("file:")))
    return connect
