"""Conversation state per (channel, thread, person): what the bot waits for, written with the effect it belongs to."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.storage.models import ConversationState

IDLE = "idle"
DEFAULT_TTL = timedelta(hours=24)


class ConversationService:
    """States within one transaction; those named to `preload` (and every one loaded or created) stay in hand, so
    later messages of the same thread in the batch see the state the earlier ones left."""

    def __init__(self, *, session: AsyncSession, clock: Clock, ttl: timedelta = DEFAULT_TTL) -> None:
        self._session = session
        self._clock = clock
        self._ttl = ttl
        self._known: dict[tuple[str, str, str], ConversationState | None] = {}

    async def preload(self, keys: Iterable[tuple[str, str, str]]) -> None:
        """Load the states of these (channel, conversation, sender) keys in one query."""
        wanted = set(keys) - self._known.keys()
        if not wanted:
            return
        self._known.update(dict.fromkeys(wanted))
        for state in await self._session.scalars(select(ConversationState).where(
                tuple_(ConversationState.channel, ConversationState.conversation, ConversationState.sender)
                .in_(wanted))):
            self._known[(state.channel, state.conversation, state.sender)] = state

    async def load(self, *, channel: str, conversation: str, sender: str) -> ConversationState:
        """The current state; an expired one starts over as idle."""
        now = self._clock.now()
        key = (channel, conversation, sender)
        await self.preload([key])
        state = self._known[key]
        if state is None:
            state = ConversationState(channel=channel, conversation=conversation, sender=sender, state=IDLE,
                                      data={}, expires_at=None, updated_at=now)
            self._session.add(state)
        elif state.expires_at is not None and state.expires_at <= now:
            self.reset(state)
        self._known[key] = state
        return state

    def set(self, state: ConversationState, name: str, *, ttl: timedelta | None = None, **data: Any) -> None:
        now = self._clock.now()
        state.state = name
        state.data = {**state.data, **data}
        state.expires_at = now + (ttl or self._ttl)
        state.updated_at = now

    def reset(self, state: ConversationState) -> None:
        state.state = IDLE
        state.data = {}
        state.expires_at = None
        state.updated_at = self._clock.now()
