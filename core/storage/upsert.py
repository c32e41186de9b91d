"""`INSERT … ON CONFLICT` for both stores: do nothing (the idempotent write the inbox and outbox rely on) or update
(a row that is moved when it exists, such as a pending timer).

SQLAlchemy 2.0 gives these statements no cache key (their ON CONFLICT clause takes no part in it), so each
execution would compile them anew: 0.3–1.7 ms a time, on the inbox's group commit, every outbox write and every
timer a new ticket starts. So each statement is built once per database dialect and its arguments and carries a key
of its own made of those arguments (what fully determines its SQL); its compiled form then stays in the engine's
cache like any other statement's. The statements hold no values of their own (rows are passed to `execute()`), and
what `only_if` compares against is part of the statement the key stands for."""
from __future__ import annotations

from functools import cache
from typing import Any, Callable, Sequence

from sqlalchemy import ColumnElement, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.cache_key import CacheKey

from core.storage.among import dialect_of


class _KeyedSqliteInsert(sqlite.Insert):
    inherit_cache = False
    fixed_key: tuple[Any, ...] = ()

    def _generate_cache_key(self) -> CacheKey:
        return CacheKey(self.fixed_key, [])


class _KeyedPostgresInsert(postgresql.Insert):
    inherit_cache = False
    fixed_key: tuple[Any, ...] = ()

    def _generate_cache_key(self) -> CacheKey:
        return CacheKey(self.fixed_key, [])


def _insert(dialect: str, table: Table) -> _KeyedSqliteInsert | _KeyedPostgresInsert:
    return _KeyedPostgresInsert(table) if dialect == "postgresql" else _KeyedSqliteInsert(table)


def ignoring_conflicts(session: AsyncSession | Session, model: type[DeclarativeBase],
                       returning: Sequence[str] = ()) -> Insert:
    """The bare statement: pass the rows to `execute()` (executemany). It is built on the table, not the mapped
    class, so it takes the Core path without the ORM's bulk-insert bookkeeping. With `returning` (column names)
    SQLAlchemy batches the rows into multi-row INSERTs ("insertmanyvalues") and reports only the rows that were
    new."""
    return _ignoring(dialect_of(session), model.__table__, tuple(returning))  # type: ignore[attr-defined]


@cache
def _ignoring(dialect: str, table: Table, returning: tuple[str, ...]) -> Insert:
    statement = _insert(dialect, table).on_conflict_do_nothing()
    if returning:
        statement = statement.returning(*(table.c[name] for name in returning))
    statement.fixed_key = (__name__, "ignore", dialect, table.name, returning)
    return statement


def upserting(session: AsyncSession | Session, model: type[DeclarativeBase], *, index: Sequence[str], update: Sequence[str],
              only_if: Callable[[Table], ColumnElement[bool]] | None = None) -> Insert:
    """`INSERT … ON CONFLICT (index) DO UPDATE SET update-columns = the new row's [WHERE only_if(table)]` for both
    stores; `only_if` is evaluated on the stored row, so a conflicting row it rejects is left as it was. It is a
    module-level function (its identity is part of the statement's key)."""
    return _upserting(dialect_of(session), model.__table__, tuple(index), tuple(update),  # type: ignore[attr-defined]
                      only_if)


@cache
def _upserting(dialect: str, table: Table, index: tuple[str, ...], update: tuple[str, ...],
               only_if: Callable[[Table], ColumnElement[bool]] | None) -> Insert:
    insert = _insert(dialect, table)
    statement = insert.on_conflict_do_update(index_elements=list(index),
                                             set_={name: insert.excluded[name] for name in update},
                                             where=None if only_if is None else only_if(table))
    statement.fixed_key = (__name__, "update", dialect, table.name, index, update,
                           None if only_if is None else f"{only_if.__module__}.{only_if.__qualname__}")
    return statement
