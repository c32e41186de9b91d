"""Database-backed implementations of the pull-channel ports (core.ports.CursorStore / QuarantineStore)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.storage.models import Cursor, QuarantinedInput
from core.storage.upsert import ignoring_conflicts


class DbCursorStore:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def get(self, name: str) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(select(Cursor.value).where(Cursor.name == name))

    async def put(self, name: str, value: str) -> None:
        async with self._sessions() as session, session.begin():
            cursor = await session.get(Cursor, name)
            if cursor is None:
                session.add(Cursor(name=name, value=value, updated_at=self._clock.now()))
            else:
                cursor.value, cursor.updated_at = value, self._clock.now()


class DbQuarantineStore:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def quarantine(self, *, channel: str, external_id: str, payload: bytes, reason: str) -> None:
        """Keep the input; the same input quarantined twice (a re-fetch after a crash) is stored once."""
        async with self._sessions() as session, session.begin():
            await session.execute(ignoring_conflicts(session, QuarantinedInput), [{
                "channel": channel, "external_id": external_id, "payload": payload, "reason": reason,
                "status": "open", "created_at": self._clock.now()}])
