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
import threading
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 0.5
"""Seconds between checkpoints; at a few thousand messages/s the WAL then stays at a few MB."""


class WalCheckpointer:
    """Checkpoints one SQLite database file every `interval` seconds while started, from a thread of its own that
    alone opens, uses and closes its connection (a connection closed while another thread is inside it crashes the
    process)."""

    def __init__(self, database: str, *, interval: float = CHECKPOINT_EVERY) -> None:
        self._database = database
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> WalCheckpointer | None:
        """A checkpointer for a file SQLite engine; None for PostgreSQL or an in-memory database (no WAL)."""
        url = make_url(str(engine.url))
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return cls(url.database)

    async def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Stop checkpointing, after the checkpoint in progress if any. Call it after the engine is disposed:
        closing the last connection to the database checkpoints what is left and removes the WAL file."""
        if self._thread is None:
            return
        self._stopping.set()
        await asyncio.to_thread(self._thread.join)
        self._thread = None

    def _run(self) -> None:
        connection = sqlite3.connect(self._database, uri=self._database.startswith("file:"))
        try:
            while not self._stopping.wait(self._interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            connection.close()
