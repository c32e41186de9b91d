"""Conversation state per (channel, thread, person): what the bot waits for, written with the effect it belongs to."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Iterable

from sqlalchemy import Select, event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.clock import Clock
from core.domain.conversations import IDLE, Conversation
from core.storage.among import Among, dialect_of
from core.storage.models import ConversationState

DEFAULT_TTL = timedelta(hours=24)
"""A conversation waiting for an answer this long starts over as idle."""


@dataclass(slots=True)
class _Unwritten:
    """The state of a thread without a row, held as a plain record: a mapped object that is never added to the
    session would still send each of its attribute changes through the ORM's instrumentation, several per message
    in a burst of first contacts."""

    channel: str
    conversation: str
    sender: str
    state: str
    data: dict[str, Any]
    expires_at: datetime | None
    updated_at: datetime


_State = ConversationState | _Unwritten


class ConversationService:
    """States within one transaction; those named to `preload` (and every one loaded or created) stay in hand, so
    later messages of the same thread in the batch see the state the earlier ones left. The states of threads new
    to the database are inserted together just before commit (nothing reads them back from the database in the
    transaction): one statement for a burst of first contacts, where the unit of work would insert them one by one
    (SQLite cannot hand back a batch's ids to it)."""

    def __init__(self, *, session: AsyncSession, clock: Clock, ttl: timedelta = DEFAULT_TTL) -> None:
        self._session = session
        self._clock = clock
        self._ttl = ttl
        self._known: dict[tuple[str, str, str], _State | None] = {}
        self._new: dict[tuple[str, str, str], _Unwritten] = {}
        """States of threads without a row, written to: inserted at commit, with what they hold then."""
        event.listen(session.sync_session, "before_commit", self._insert_new)

    async def preload(self, keys: Iterable[tuple[str, str, str]]) -> None:
        """Load the states of these (channel, thread, sender) keys in one query."""
        wanted = set(keys) - self._known.keys()
        if not wanted:
            return
        self._known.update(dict.fromkeys(wanted))
        statement, threads = _states(dialect_of(self._session))
        for state in await self._session.scalars(statement, threads.given(wanted)):
            self._known[(state.channel, state.conversation, state.sender)] = state

    async def load(self, *, channel: str, thread: str, sender: str) -> Conversation:
        """The current state; an expired one starts over as idle."""
        now = self._clock.now()
        key = (channel, thread, sender)
        await self.preload([key])
        row = self._known[key]
        if row is None:
            row = _Unwritten(channel=channel, conversation=thread, sender=sender, state=IDLE, data={},
                            expires_at=None, updated_at=now)
            self._known[key] = row
        elif row.expires_at is not None and row.expires_at <= now:
            self._write(row, IDLE, {}, None)
        return _view(row)

    def set(self, conversation: Conversation, name: str, *, ttl: timedelta | None = None,
            **data: Any) -> Conversation:
        """Wait in state `name` (keeping earlier data, adding `data`) for at most `ttl`."""
        row = self._row(conversation)
        self._write(row, name, {**row.data, **data}, self._clock.now() + (ttl or self._ttl))
        return _view(row)

    def note(self, conversation: Conversation, *, ttl: timedelta | None = None, **data: Any) -> Conversation:
        """Keep `data` on the thread without changing what it waits for; an idle thread keeps it for at most `ttl`
        (then starts over), one that waits keeps its own deadline."""
        row = self._row(conversation)
        expires = row.expires_at if row.state != IDLE else self._clock.now() + (ttl or self._ttl)
        self._write(row, row.state, {**row.data, **data}, expires)
        return _view(row)

    def forget(self, conversation: Conversation, key: str) -> Conversation:
        """Drop `key` from the thread's data, leaving what it waits for as it is."""
        row = self._row(conversation)
        data = {name: value for name, value in row.data.items() if name != key}
        self._write(row, row.state, data, row.expires_at if row.state != IDLE or data else None)
        return _view(row)

    def reset(self, conversation: Conversation) -> Conversation:
        row = self._row(conversation)
        self._write(row, IDLE, {}, None)
        return _view(row)

    def _row(self, conversation: Conversation) -> _State:
        row = self._known.get(conversation.key)
        if row is None:
            raise LookupError(f"conversation {conversation.key} was not loaded in this transaction")
        return row

    def _write(self, row: _State, name: str, data: dict[str, Any], expires: datetime | None) -> None:
        """A thread seen for the first time is stored once it is written to, with what it was set to: one that
        stays idle with nothing to keep (a scanned device's serial is kept while idle) needs no row (no row reads
        as idle). A write that changes nothing leaves the row as it is: an idle thread is reset after about every
        other message, and moving only its `updated_at` cost an update at each commit."""
        if row.state == name and row.data == data and row.expires_at == expires:
            return
        key = (row.channel, row.conversation, row.sender)
        if isinstance(row, _Unwritten) and (name != IDLE or data or key in self._new):
            self._new[key] = row
        row.state = name
        row.data = data
        row.expires_at = expires
        row.updated_at = self._clock.now()

    def _insert_new(self, session: Session) -> None:
        """Insert the new threads' states; they are read again when next loaded, so a transaction that goes on
        after this commit (`core.storage.db.let_urgent_writes_in`) updates the rows instead of inserting them twice."""
        if self._new:
            rows, self._new = list(self._new.values()), {}
            session.execute(insert(ConversationState.__table__), [
                {"channel": r.channel, "conversation": r.conversation, "sender": r.sender, "state": r.state,
                 "data": r.data, "expires_at": r.expires_at, "updated_at": r.updated_at} for r in rows])
            for r in rows:
                self._known.pop((r.channel, r.conversation, r.sender), None)


@cache
def _states(dialect: str) -> tuple[Select[tuple[ConversationState]], Among]:
    """The states of the (channel, thread, sender) keys given: built once per dialect."""
    threads = Among(dialect, [ConversationState.channel, ConversationState.conversation, ConversationState.sender])
    return select(ConversationState).where(threads.condition), threads


def _view(row: _State) -> Conversation:
    return Conversation(channel=row.channel, thread=row.conversation, sender=row.sender, state=row.state,
                        data=dict(row.data))
