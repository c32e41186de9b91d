"""`INSERT … ON CONFLICT DO NOTHING` for both stores (the idempotent write the inbox and outbox rely on)."""
from __future__ import annotations

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def ignoring_conflicts(session: AsyncSession, model: type[DeclarativeBase]) -> Insert:
    """The bare statement: pass the rows to `execute()` (executemany), so it compiles once and stays cached. It is
    built on the table, not the mapped class, so it takes the Core path without the ORM's bulk-insert bookkeeping.
    With `.returning(…)` SQLAlchemy batches the rows into multi-row INSERTs ("insertmanyvalues") and reports only
    the rows that were new."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model.__table__).on_conflict_do_nothing()  # type: ignore[attr-defined]

