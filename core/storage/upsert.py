"""`INSERT … ON CONFLICT DO NOTHING` for both stores (the idempotent write the inbox and outbox rely on)."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase]) -> Insert:
    """The bare statement: pass the rows to `execute()` (executemany), so it compiles once and stays cached."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing()


def insert_ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
                              ) -> Insert:
    """With the rows inline (one multi-row VALUES), for when RETURNING must report which rows were new."""
    return ignoring_conflicts(session, model).values(list(rows))
