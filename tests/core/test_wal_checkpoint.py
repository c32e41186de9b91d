"""WAL checkpoints off the event loop: with automatic checkpoints off, the WAL is kept small by the checkpointer
alone, and the data it copies over is in the database file."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from core.storage.checkpoint import WalCheckpointer
from core.storage.db import create_engine

ROWS_PER_BATCH = 200
BATCHES = 25


async def _write_batches(url: str, checkpointer: WalCheckpointer | None) -> int:
    """Write the batches with pauses in between (as a serving hub does); the largest WAL size seen, in bytes."""
    engine = create_engine(url, automatic_checkpoints=False)
    wal = Path(url.removeprefix("sqlite+aiosqlite:///") + "-wal")
    if checkpointer is not None:
        await checkpointer.start()
    largest = 0
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        for batch in range(BATCHES):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes (body) VALUES (:body)"),
                                         [{"body": f"第{batch}批 " + "售后" * 200} for _ in range(ROWS_PER_BATCH)])
            largest = max(largest, wal.stat().st_size)
            await asyncio.sleep(0.03)
    finally:
        await engine.dispose()
        if checkpointer is not None:
            await checkpointer.stop()
    return largest


async def test_without_a_checkpointer_the_wal_only_grows(tmp_path: Path) -> None:
    largest = await _write_batches(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}", None)
    assert largest > 4_000_000


async def test_the_checkpointer_keeps_the_wal_small_and_the_data_in_the_database(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    largest = await _write_batches(f"sqlite+aiosqlite:///{path}", WalCheckpointer(str(path), interval=0.02))
    assert largest < 3_000_000
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM notes").fetchone() == (ROWS_PER_BATCH * BATCHES,)


def test_a_checkpointer_only_for_a_database_file(tmp_path: Path) -> None:
    assert WalCheckpointer.for_engine(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")) is not None
    assert WalCheckpointer.for_engine(create_engine("sqlite+aiosqlite:///:memory:")) is None
    assert WalCheckpointer.for_engine(create_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/test")) is None
