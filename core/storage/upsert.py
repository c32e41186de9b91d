"""`INSERT … ON CONFLICT` for both stores: do nothing (the idempotent write the inbox and outbox rely on) or update
(a row that is moved when it exists, such as a pending timer)."""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import ColumnElement, Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Session


def ignoring_conflicts(session: AsyncSession | Session, model: type[DeclarativeBase]) -> Insert:
    """The bare statement: pass the rows to `execute()` (executemany), so it compiles once and stays cached. It is
    built on the table, not the mapped class, so it takes the Core path without the ORM's bulk-insert bookkeeping.
    With `.returning(…)` SQLAlchemy batches the rows into multi-row INSERTs ("insertmanyvalues") and reports only
    the rows that were new."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model.__table__).on_conflict_do_nothing()  # type: ignore[attr-defined]



def upserting(session: AsyncSession, model: type[DeclarativeBase], *, index: Sequence[str], update: Sequence[str],
              only_if: ColumnElement[bool] | None = None) -> Insert:
    """`INSERT … ON CONFLICT (index) DO UPDATE SET update-columns = the new row's [WHERE only_if]` for both stores;
    `only_if` is evaluated on the stored row, so a conflicting row it rejects is left as it was."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)  # type: ignore[attr-defined]
    return insert.on_conflict_do_update(index_elements=list(index),
                                        set_={name: insert.excluded[name] for name in update}, where=only_if)
