"""Conversation state per (channel, thread, person): what the bot waits for, written with the effect it belongs to."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.conversations import IDLE, Conversation
from core.storage.models import ConversationState

DEFAULT_TTL = timedelta(hours=24)
"""A conversation waiting for an answer this long starts over as idle."""


class ConversationService:
    """States within one transaction; those named to `preload` (and every one loaded or created) stay in hand, so
    later messages of the same thread in the batch see the state the earlier ones left."""

    def __init__(self, *, session: AsyncSession, clock: Clock, ttl: timedelta = DEFAULT_TTL) -> None:
        self._session = session
        self._clock = clock
        self._ttl = ttl
        self._known: dict[tuple[str, str, str], ConversationState | None] = {}

    async def preload(self, keys: Iterable[tuple[str, str, str]]) -> None:
        """Load the states of these (channel, thread, sender) keys in one query."""
        wanted = set(keys) - self._known.keys()
        if not wanted:
            return
        self._known.update(dict.fromkeys(wanted))
        for state in await self._session.scalars(select(ConversationState).where(
                tuple_(ConversationState.channel, ConversationState.conversation, ConversationState.sender)
                .in_(wanted))):
            self._known[(state.channel, state.conversation, state.sender)] = state

    async def load(self, *, channel: str, thread: str, sender: str) -> Conversation:
        """The current state; an expired one starts over as idle."""
        now = self._clock.now()
        key = (channel, thread, sender)
        await self.preload([key])
        row = self._known[key]
        if row is None:
            row = ConversationState(channel=channel, conversation=thread, sender=sender, state=IDLE, data={},
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

    def reset(self, conversation: Conversation) -> Conversation:
        row = self._row(conversation)
        self._write(row, IDLE, {}, None)
        return _view(row)

    def _row(self, conversation: Conversation) -> ConversationState:
        row = self._known.get(conversation.key)
        if row is None:
            raise LookupError(f"conversation {conversation.key} was not loaded in this transaction")
        return row

    def _write(self, row: ConversationState, name: str, data: dict[str, Any], expires: datetime | None) -> None:
        """A thread seen for the first time is stored once it is written to, with what it was set to: one that
        stays idle with nothing to keep (a scanned device's serial is kept while idle) needs no row (no row reads
        as idle)."""
        if name != IDLE or data or row in self._session:
            self._session.add(row)
        row.state = name
        row.data = data
        row.expires_at = expires
        row.updated_at = self._clock.now()


def _view(row: ConversationState) -> Conversation:
    return Conversation(channel=row.channel, thread=row.conversation, sender=row.sender, state=row.state,
                        data=dict(row.data))
