"""SQLite WAL checkpoints on a worker thread.

SQLite's automatic checkpoint runs inside whichever commit crosses the WAL size threshold: it copies the WAL into the
database file and syncs it, tens of milliseconds during which that commit — on the event-loop thread
(core.storage.sqlite_inline) — holds up every socket and acknowledgement of the hub. A hub therefore opens its engine
with automatic checkpoints off and runs this instead: a PASSIVE checkpoint every `interval` on a connection of its
own, in a thread (the sqlite3 module releases the GIL while SQLite works). PASSIVE never waits for readers or
writers, so it cannot slow the hub down; it copies what it can, and the WAL is reused from the start once a
checkpoint has caught up.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 0.5
"""Seconds between checkpoints; at a few thousand messages/s the WAL then stays at a few MB."""


class WalCheckpointer:
    """Checkpoints one SQLite database file every `interval` seconds while started."""

    def __init__(self, database: str, *, interval: float = CHECKPOINT_EVERY) -> None:
        self._database = database
        self._interval = interval
        self._connection: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> WalCheckpointer | None:
        """A checkpointer for a file SQLite engine; None for PostgreSQL or an in-memory database (no WAL)."""
        url = make_url(str(engine.url))
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return cls(url.database)

    async def start(self) -> None:
        self._connection = sqlite3.connect(self._database, check_same_thread=False,
                                           uri=self._database.startswith("file:"))
        self._task = asyncio.create_task(self._run(), name="wal-checkpoint")

    async def stop(self) -> None:
        """Stop checkpointing. Call it after the engine is disposed: closing the last connection to the database
        checkpoints what is left and removes the WAL file."""
        if self._task is None or self._connection is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._connection.close()
        self._task = self._connection = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await asyncio.to_thread(self._checkpoint)
            except sqlite3.Error as exc:
                log.warning("WAL checkpoint failed: %s", exc)

    def _checkpoint(self) -> None:
        assert self._connection is not None
        self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
