"""Matching rows against a list of keys in a statement whose text does not depend on how many keys there are.

`column IN (…)` renders one placeholder per key, so each length is another statement — and on PostgreSQL (asyncpg)
another statement to prepare: a round trip before the query, on each pooled connection, for each length met (a
processing batch looks up 1 to 256 messages' rows). About one in five statements paid it with two processes. Array
parameters keep one text per query: `column = ANY($1)` for one column, `(a, b) IN (SELECT … FROM unnest($1, $2))`
for several. SQLite keeps IN, which costs it nothing more."""
from __future__ import annotations

from typing import Any, Collection, Sequence

from sqlalchemy import ColumnElement, String, any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine


def among(session: AsyncSession, columns: Sequence[ColumnElement[Any]], keys: Collection[Any]) -> ColumnElement[bool]:
    """True for the rows whose `columns` hold one of `keys`: values for one column, tuples in the order of `columns`
    for several."""
    if session.bind.dialect.name != "postgresql":
        return tuple_(*columns).in_(keys) if len(columns) > 1 else columns[0].in_(keys)
    if len(columns) == 1:
        return columns[0] == any_(bindparam(None, list(keys), type_=ARRAY(_unbounded(columns[0].type))))
    arrays = [bindparam(None, [key[n] for key in keys], type_=ARRAY(_unbounded(column.type)))
              for n, column in enumerate(columns)]
    names = [f"k{n}" for n in range(len(columns))]
    listed = func.unnest(*arrays).table_valued(*names).render_derived()
    return tuple_(*columns).in_(select(*(listed.c[name] for name in names)))


def _unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """A string column's type without its length: a cast to VARCHAR(n) would cut a longer key to a stored value's
    length and match it."""
    return String() if isinstance(type_, String) else type_
