"""Databases for tests and benchmarks: emptying a shared PostgreSQL database between runs, and starting a SQLite
database as a copy of one migrated (and loaded) once, instead of migrating every test's own."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.storage.models import Base


async def empty_tables(engine: AsyncEngine) -> None:
    """Every table of the schema emptied and its ids restarted, in one statement (PostgreSQL)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def copy_sqlite(template: Path, target: Path) -> str:
    """`target` made a copy of the SQLite database `template` (through SQLite's backup, so nothing still in its
    write-ahead log is missed); the copy's URL."""
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return sqlite_url(target)
