"""Engine and session factory. SQLite gets WAL, foreign keys, a busy timeout, calls on the event-loop thread
(core.storage.sqlite_inline) and writers that take turns; PostgreSQL runs as is, its pooled connections untested
before use (core.storage.reconnect)."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from core.storage.among import dialect_of
from core.storage.sqlite_inline import inline_connector
from core.storage.write_turns import URGENT, TakeTurn, WriteTurns

SQLITE_BUSY_TIMEOUT_MS = 2_000
"""How long a statement waits for another process's write lock (the event loop keeps running: sqlite_inline); then
the intake answers `unavailable` and the client resends."""


def create_engine(url: str, *, automatic_checkpoints: bool = True, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; for a file SQLite database, create its folder and set the pragmas on connect.

    A long-running process passes `automatic_checkpoints=False` and runs a `WalCheckpointer`
    (core.storage.checkpoint), so no commit on the event loop ever pays for a checkpoint."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, async_creator=inline_connector(parsed.database or ":memory:",
                                                                         timeout=SQLITE_BUSY_TIMEOUT_MS / 1000),
                                     **kwargs)
        event.listen(engine.sync_engine, "connect",
                     lambda connection, _record: _sqlite_pragmas(connection, automatic_checkpoints))
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_async_engine(url, **kwargs)


async def each_statement_alone(session: AsyncSession) -> None:
    """On PostgreSQL, let each statement of `session` commit on its own (autocommit): one round trip for it instead
    of three (begin, the statement, commit or rollback). Called first thing, for sessions whose statements need no
    transaction together — a read, an insert or an update in one statement, or statements each of which may stand
    alone. SQLite keeps its transactions, which its writers take turns by."""
    if dialect_of(session) == "postgresql":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _sqlite_pragmas(dbapi_connection: Any, automatic_checkpoints: bool) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    if not automatic_checkpoints:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


class ReleasingSession(AsyncSession):
    """A session that lets go of what it held when it closes, so that goes at once rather than at the garbage
    collector's next pass. A transaction's services listen to its session's commit (to write what they keep in
    hand) or sit in its `info` (the journal, the ticket numbers), and hold the session: the two kept each other
    alive, and with them every row the transaction had read — thousands of objects per pass on a busy hub, walked
    by each young collection and moved to the older generation (one pass of that took up to 65 ms, every
    acknowledgement waiting behind it). Closing drops the listeners registered on this session itself (SQLAlchemy
    keeps them in its `dispatch`; those of the class stay) and empties its `info`: a closed session is not used
    again here."""

    async def close(self) -> None:
        await super().close()
        self.sync_session.__dict__.pop("dispatch", None)
        self.sync_session.info.clear()


class SerializedWriteSession(ReleasingSession):
    """On SQLite, explicit `begin()` transactions take turns (core.storage.write_turns); reads outside `begin()` keep
    running alongside them (WAL)."""

    def __init__(self, *args: Any, turns: WriteTurns, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns = turns
        self._turn: TakeTurn | None = None

    def begin(self) -> Any:  # type: ignore[override]
        self._turn = TakeTurn(self._turns, super().begin, urgent=bool(self.info.get(URGENT)))
        return self._turn

    @property
    def urgent_waiting(self) -> bool:
        return self._turns.urgent_waiting

    async def let_urgent_in(self) -> None:
        if self._turn is None:
            raise RuntimeError("no transaction begun with begin() in this session")
        await self._turn.let_urgent_in()

    async def close(self) -> None:
        """Also drops the turn, which holds this session's `begin`: another way the two kept each other alive."""
        await super().close()
        self._turn = None


def urgent_write_waiting(session: AsyncSession) -> bool:
    """True when an urgent transaction (the intake) waits for the SQLite writer: a long transaction in `session`
    should commit at its next safe point. Always False on PostgreSQL, whose writers do not queue behind each other."""
    return isinstance(session, SerializedWriteSession) and session.urgent_waiting


async def let_urgent_writes_in(session: AsyncSession) -> None:
    """Commit the transaction of `session` (begun with `session.begin()`), let the urgent transactions waiting for
    the SQLite writer (the intake) have their turns, and begin a new one ahead of every other writer of this
    process: only inbox rows were written in between, so what `session` holds stays true, for a process that alone
    writes the file. Only on SQLite (`urgent_write_waiting`)."""
    if not isinstance(session, SerializedWriteSession):
        raise TypeError("only SQLite sessions take turns with urgent writes")
    await session.let_urgent_in()


@asynccontextmanager
async def closed_in_place(sessions: async_sessionmaker[AsyncSession], **options: Any) -> AsyncIterator[AsyncSession]:
    """`async with sessions(**options) as session`, but on SQLite the session is closed by the caller's own task.
    The session's context manager closes it in a task of its own (so that a cancellation cannot cut the close
    short) and the caller resumes two turns of the event loop later, each behind every task that is ready by then
    — tens of milliseconds on a busy hub, for an acknowledgement that waits for its inbox commit. A SQLite session
    closes without ever waiting (core.storage.sqlite_inline), so no cancellation can cut its close short."""
    session = sessions(**options)
    if not isinstance(session, SerializedWriteSession):
        async with session:
            yield session
        return
    try:
        yield session
    finally:
        await session.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return async_sessionmaker(engine, class_=SerializedWriteSession, turns=engine_write_turns(engine),
                                  expire_on_commit=False)
    return async_sessionmaker(engine, class_=ReleasingSession, expire_on_commit=False)


def engine_write_turns(engine: AsyncEngine) -> WriteTurns:
    """One queue per engine, so every session factory built on it shares the turns."""
    turns = engine.sync_engine.__dict__.get("_aftersales_write_turns")
    if turns is None:
        turns = engine.sync_engine.__dict__["_aftersales_write_turns"] = WriteTurns()
    return turns
