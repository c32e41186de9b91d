"""The aiohttp client session a channel uses: the injected one (shared by the hub, closed by it) or its own."""
from __future__ import annotations

import aiohttp


class SessionOwner:
    def __init__(self, injected: aiohttp.ClientSession | None) -> None:
        self._injected = injected
        self._own: aiohttp.ClientSession | None = None

    async def open(self) -> aiohttp.ClientSession:
        if self._injected is not None:
            return self._injected
        if self._own is None or self._own.closed:
            self._own = aiohttp.ClientSession()
        return self._own

    async def close(self) -> None:
        if self._own is not None:
            await self._own.close()
            self._own = None
