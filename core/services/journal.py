"""What was said on a ticket and its audit log: rows that are only ever appended, written in bulk at commit.

SQLite cannot hand back the ids of a batched ORM insert, so the unit of work would insert these one statement per
row. They need no id in memory, so they are collected for the whole transaction and written with one executemany
per table just before it commits (or earlier, when a query must see them).
"""
from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Iterable

from sqlalchemy import Select, Table, bindparam, event, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.storage.among import Among, dialect_of
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

    def queued(self, model: type[Base], ticket: Ticket) -> list[dict[str, Any]]:
        """The values of the rows of `model` for `ticket` not written yet, oldest first: what a query that does not
        write the journal first must add to what it reads."""
        table = model.__table__
        return [values for queued_table, queued_for, values in self._rows
                if queued_table is table and queued_for is ticket]

    def queued_of(self, model: type[Base], tickets: Iterable[Ticket]) -> list[dict[str, Any]]:
        """`queued` for several tickets in one pass, oldest first, each row's values with its `ticket`."""
        wanted = {id(ticket) for ticket in tickets}
        table = model.__table__
        return [{**values, "ticket": queued_for} for queued_table, queued_for, values in self._rows
                if queued_table is table and id(queued_for) in wanted]

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
        if links:
            _link_media(session, links)
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


def _link_media(session: Session, links: list[tuple[Ticket, int | None, datetime]]) -> None:
    """Give each ticket the attachments no ticket has of its message or, sent since its `since`, of its customer in
    its thread; an attachment two tickets could take goes to the one linked first. One query finds the candidates
    of all the tickets (usually none), one statement links them."""
    statement, messages, threads = _unlinked(dialect_of(session))
    found = session.execute(statement, {
        **messages.given({inbox_id for _, inbox_id, _ in links if inbox_id}),
        **threads.given({(ticket.channel, ticket.conversation) for ticket, _, _ in links})}).all()
    linked: dict[int, int] = {}
    for ticket, inbox_id, since in links:
        for row in found:
            if row.id not in linked and ((inbox_id and row.inbox_id == inbox_id) or (
                    (row.channel, row.conversation, row.customer_id) == (ticket.channel, ticket.conversation,
                                                                         ticket.customer_id)
                    and row.created_at >= since)):
                linked[row.id] = ticket.id
    if linked:
        table = MediaAttachment.__table__
        session.execute(update(table).where(table.c.id == bindparam("row"), table.c.ticket_id.is_(None))
                        .values(ticket_id=bindparam("ticket")),
                        [{"row": row, "ticket": ticket} for row, ticket in linked.items()])


@cache
def _unlinked(dialect: str) -> tuple[Select[Any], Among, Among]:
    """The attachments no ticket has of the messages, or in the threads, given: built once per dialect, with the
    keys as parameters of their own (`Among`), as a commit that opened tickets asks it — a statement built at each
    commit, with a placeholder per message and two per thread, cost more than SQLite's answer."""
    media = MediaAttachment
    messages = Among(dialect, [media.inbox_id], name="messages")
    threads = Among(dialect, [media.channel, media.conversation], name="threads")
    return (select(media.id, media.inbox_id, media.channel, media.conversation, media.customer_id, media.created_at)
            .where(media.ticket_id.is_(None), or_(messages.condition, threads.condition))
            .order_by(media.id)), messages, threads
