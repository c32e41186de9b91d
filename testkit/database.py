"""Emptying a shared PostgreSQL database between runs: what the tests and the benchmarks that reuse one need."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.storage.models import Base


async def empty_tables(engine: AsyncEngine) -> None:
    """Every table of the schema emptied and its ids restarted, in one statement (PostgreSQL)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
