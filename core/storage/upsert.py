"""`INSERT … ON CONFLICT DO NOTHING` for both stores (the idempotent write the inbox and outbox rely on)."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def insert_ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
                              ) -> Insert:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).values(list(rows)).on_conflict_do_nothing()
