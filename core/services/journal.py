"""What was said on a ticket and its audit log: rows that are only ever appended, written in bulk at commit.

SQLite cannot hand back the ids of a batched ORM insert, so the unit of work would insert these one statement per
row. They need no id in memory, so they are collected for the whole transaction and written with one executemany
per table just before it commits (or earlier, when a query must see them).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, event, insert, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.storage.models import Base, MediaAttachment, Ticket

_KEY = "ticket_journal"


class TicketJournal:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: list[tuple[Table, Ticket, dict[str, Any]]] = []
        self._links: list[tuple[Ticket, int | None, datetime]] = []
        event.listen(session.sync_session, "before_commit", self._write)

    def add(self, model: type[Base], ticket: Ticket, **values: Any) -> None:
        """Queue a row of `model` for `ticket`, which may not have an id yet."""
        self._rows.append((model.__table__, ticket, values))  # type: ignore[arg-type]

    def link_media(self, ticket: Ticket, *, inbox_id: int | None, since: datetime) -> None:
        """Link to `ticket` the attachments of message `inbox_id` and those its customer sent in its thread since
        `since` that no ticket has yet (a photo sent before any words), once the ticket has an id."""
        self._links.append((ticket, inbox_id, since))

    async def write(self) -> None:
        """Write what is queued now, for a query that must see it."""
        if self._rows or self._links:
            await self._session.run_sync(self._write)

    def _write(self, session: Session) -> None:
        if not self._rows and not self._links:
            return
        rows, self._rows = self._rows, []
        links, self._links = self._links, []
        session.flush()
        for ticket, inbox_id, since in links:
            media = MediaAttachment
            thread = and_(media.channel == ticket.channel, media.conversation == ticket.conversation,
                          media.customer_id == ticket.customer_id, media.created_at >= since)
            session.execute(update(media).where(media.ticket_id.is_(None),
                                                or_(media.inbox_id == inbox_id, thread) if inbox_id else thread)
                            .values(ticket_id=ticket.id).execution_options(synchronize_session=False))
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
