"""Browser sessions of the console and the dashboard, kept in the database so signing out ends a session for good
and every hub process sees the same ones. The cookie holds a random id; the table holds only its SHA-256 (a copy of
the table signs nobody in), the digest of the API token it was opened with (the token's role is looked up on each
request, so a token removed from `[api] tokens` ends its sessions), the anti-forgery token writes must send, and
when it expires."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.storage.models import WebSession

ID_BYTES = 32


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenedSession:
    id: str
    """The cookie's value: never stored, only its digest."""
    csrf: str
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionView:
    token_digest: str
    csrf: str
    expires_at: datetime


class WebSessionService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def open(self, *, token_digest: str, ttl: timedelta) -> OpenedSession:
        """A new session for the holder of a token; the expired ones of everybody are cleared on the way."""
        now = self._clock.now()
        await self._session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        opened = OpenedSession(id=secrets.token_urlsafe(ID_BYTES), csrf=secrets.token_urlsafe(ID_BYTES),
                               expires_at=now + ttl)
        self._session.add(WebSession(id_digest=_digest(opened.id), token_digest=token_digest, csrf=opened.csrf,
                                     created_at=now, expires_at=opened.expires_at))
        return opened

    async def find(self, session_id: str) -> SessionView | None:
        """The session the cookie names, unless it never existed, was closed or has expired."""
        row = await self._session.scalar(select(WebSession).where(WebSession.id_digest == _digest(session_id)))
        if row is None or row.expires_at <= self._clock.now():
            return None
        return SessionView(token_digest=row.token_digest, csrf=row.csrf, expires_at=row.expires_at)

    async def close(self, session_id: str) -> None:
        await self._session.execute(delete(WebSession).where(WebSession.id_digest == _digest(session_id)))


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()
