"""Access-token cache shared by all concurrent senders of one app.

Tokens last 7200 s and each fetch counts against a daily quota, and a new token invalidates the old one after a grace
period, so refreshes must be single-flight: the first sender that finds the token missing or near expiry fetches it
under a lock, everyone else waits for that result instead of fetching their own.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

from core.clock import Clock

TokenFetcher = Callable[[], Awaitable[tuple[str, float]]]
"""Fetches a fresh token; returns `(access_token, expires_in_seconds)`."""

REFRESH_MARGIN_SECONDS = 300.0


class AccessTokenCache:
    def __init__(self, *, fetch: TokenFetcher, clock: Clock, margin: float = REFRESH_MARGIN_SECONDS) -> None:
        self._fetch = fetch
        self._clock = clock
        self._margin = timedelta(seconds=margin)
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at = datetime.min.replace(tzinfo=timezone.utc)

    def _valid(self) -> str | None:
        if self._token and self._clock.now() + self._margin < self._expires_at:
            return self._token
        return None

    async def get(self) -> str:
        token = self._valid()
        if token:
            return token
        async with self._lock:
            token = self._valid()
            if token:
                return token
            token, expires_in = await self._fetch()
            self._token = token
            self._expires_at = self._clock.now() + timedelta(seconds=expires_in)
            return token

    def invalidate(self, token: str) -> None:
        """Forget `token` after the platform rejected it; a no-op if another sender already replaced it."""
        if self._token == token:
            self._token = None
