"""Matching rows against a list of keys in a statement built once, whose text does not depend on how many keys there
are.

`column IN (…)` renders one placeholder per key, so each length is another statement — and on PostgreSQL (asyncpg)
another statement to prepare: a round trip before the query, on each pooled connection, for each length met (a
processing batch looks up 1 to 256 messages' rows). About one in five statements paid it with two processes. Array
parameters keep one text per query: `column = ANY($1)` for one column, `(a, b) IN (SELECT … FROM unnest($1, $2))`
for several. SQLite keeps IN (an expanding parameter) for one column. For several it takes the keys as one JSON
array, `(a, b) IN (SELECT json_extract(value, '$[0]'), … FROM json_each(?))`: SQLite searches a list of row values
`(a, b) IN ((?, ?), …)` by scanning the whole table (or every row of an index on another column, such as a status),
where rows from a subquery are looked up in the index on the columns; and one text instead of one per length spares
SQLAlchemy expanding it at every execution.

The keys are a named parameter given at execution (`Among.given`), so the statement around them is built once per
dialect (`functools.cache` on a builder of the dialect's name) rather than per call: building a select and its cache
key costs ~0.1 ms a time, more than SQLite takes to answer it, on every batch's preload."""
from __future__ import annotations

import json
from typing import Any, Collection, Sequence

from sqlalchemy import ColumnElement, String, any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def dialect_of(session: AsyncSession | Session) -> str:
    """The name of the database dialect `session` runs on: what a statement built once per dialect is chosen by."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


class Among:
    """True for the rows whose `columns` hold one of the keys given at execution: values for one column, tuples in
    the order of `columns` for several. `condition` goes into the statement, `given(keys)` into its parameters."""

    def __init__(self, dialect: str, columns: Sequence[ColumnElement[Any]], name: str = "keys") -> None:
        self._arrays = dialect == "postgresql"
        self._width = len(columns)
        self._name = name
        self.condition: ColumnElement[bool]
        if not self._arrays and len(columns) == 1:
            self.condition = columns[0].in_(bindparam(name, expanding=True))
        elif not self._arrays:
            keys = func.json_each(bindparam(name, type_=String())).table_valued("value")
            self.condition = tuple_(*columns).in_(
                select(*(func.json_extract(keys.c.value, f"$[{n}]") for n in range(len(columns)))))
        elif len(columns) == 1:
            self.condition = columns[0] == any_(bindparam(name, type_=ARRAY(_unbounded(columns[0].type))))
        else:
            arrays = [bindparam(f"{name}_{n}", type_=ARRAY(_unbounded(column.type)))
                      for n, column in enumerate(columns)]
            names = [f"k{n}" for n in range(len(columns))]
            unnested = func.unnest(*arrays).table_valued(*names).render_derived()
            self.condition = tuple_(*columns).in_(select(*(unnested.c[name] for name in names)))

    def given(self, keys: Collection[Any]) -> dict[str, Any]:
        """The statement's parameters for these keys."""
        if self._width == 1:
            return {self._name: list(keys)}
        if not self._arrays:
            return {self._name: json.dumps([list(key) for key in keys])}
        return {f"{self._name}_{n}": [key[n] for key in keys] for n in range(self._width)}


def _unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """A string column's type without its length: a cast to VARCHAR(n) would cut a longer key to a stored value's
    length and match it."""
    return String() if isinstance(type_, String) else type_
