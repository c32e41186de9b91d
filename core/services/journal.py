"""What was said on a ticket and its audit log: rows that are only ever appended, written in bulk at commit.

SQLite cannot hand back the ids of a batched ORM insert, so the unit of work would insert these one statement per
row. They need no id in memory, so they are collected for the whole transaction and written with one executemany
per table just before it commits (or earlier, when a query must see them).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.storage.models import Base, Ticket

_KEY = "ticket_journal"


class TicketJournal:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: list[tuple[Table, Ticket, dict[str, Any]]] = []
        event.listen(session.sync_session, "before_commit", self._write)

    def add(self, model: type[Base], ticket: Ticket, **values: Any) -> None:
        """Queue a row of `model` for `ticket`, which may not have an id yet."""
        self._rows.append((model.__table__, ticket, values))  # type: ignore[arg-type]

    async def write(self) -> None:
        """Write what is queued now, for a query that must see it."""
        if self._rows:
            await self._session.run_sync(self._write)

    def _write(self, session: Session) -> None:
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        session.flush()
        by_table: dict[Table, list[dict[str, Any]]] = {}
        for table, ticket, values in rows:
            by_table.setdefault(table, []).append({**values, "ticket_id": ticket.id})
        for table, params in by_table.items():
            session.execute(insert(table), params)


def journal_of(session: AsyncSession) -> TicketJournal:
    """The session's one journal, so every service working in it shares the queue."""
    journal = session.info.get(_KEY)
    if journal is None:
        journal = session.info[_KEY] = TicketJournal(session)
    return journal
