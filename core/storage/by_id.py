"""Updating many rows by primary key in one go, without the ORM: SQLAlchemy's bulk UPDATE of mapped rows maps each
dict to the class before it writes, which for the inbox's, outbox's and timers' bookkeeping of every message and
reply cost more than the statement itself."""
from __future__ import annotations

from functools import cache
from typing import Any, Sequence

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession


async def update_by_id(session: AsyncSession, table: Table, records: Sequence[dict[str, Any]]) -> None:
    """Set each record's columns on the row of `table` whose id is its `id`: one executemany of a table statement
    per set of columns (records may set different ones)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record in records:
        columns = tuple(sorted(key for key in record if key != "id"))
        shapes.setdefault(columns, []).append({"row_id": record["id"],
                                               **{f"new_{column}": record[column] for column in columns}})
    for columns, params in shapes.items():
        await session.execute(_setting(table, columns), params)


@cache
def _setting(table: Table, columns: tuple[str, ...]) -> Update:
    """The statement for one set of columns, built once: the same few shapes recur with every batch and pass."""
    return update(table).where(table.c.id == bindparam("row_id")).values(
        {column: bindparam(f"new_{column}") for column in columns})
