"""Live updates for open consoles: server-sent events naming the tickets that changed.

One poll per hub process, and only while a console is open: every `interval` seconds it asks the database where
the audit log and the conversations stand (two index lookups) and, when they moved, which tickets changed — so a
change made by any process (a customer writing, a technician accepting, another console) reaches every console.
Each stream re-checks its sign-in now and then and ends when the session does."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.services.changes import ChangeService, Mark

log = logging.getLogger(__name__)

INTERVAL = 1.0
"""Seconds between two looks at the database while a console is open."""
RECHECK = 15
"""Polls between two checks of a stream's sign-in (and a keep-alive comment)."""
MOST = 200
"""More tickets changed at once than this: the consoles are told to reload everything."""
BACKLOG = 50

Check = Callable[[], Awaitable[bool]]


class TicketFeed:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], interval: float = INTERVAL) -> None:
        self._sessions = sessions
        self._interval = interval
        self._streams: set[asyncio.Queue[list[str] | None]] = set()
        self._poller: asyncio.Task[None] | None = None
        self._closed = False

    async def stream(self, request: web.Request, still_signed_in: Check) -> web.StreamResponse:
        """An `text/event-stream` of `{"tickets": [codes]}` (`null`: reload everything) until the browser leaves,
        the session ends or the hub stops."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        queue: asyncio.Queue[list[str] | None] = asyncio.Queue(BACKLOG)
        self._streams.add(queue)
        self._start()
        try:
            await response.write(b"retry: 3000\n: connected\n\n")
            while not self._closed:
                try:
                    codes = await asyncio.wait_for(queue.get(), self._interval * RECHECK)
                except asyncio.TimeoutError:
                    if not await still_signed_in():
                        break
                    await response.write(b": keep-alive\n\n")
                    continue
                if self._closed:
                    break
                await response.write(f"data: {json.dumps({'tickets': codes})}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams.discard(queue)
        return response

    async def close(self, _app: web.Application | None = None) -> None:
        """End every stream (the hub is stopping) and the poll."""
        self._closed = True
        for queue in list(self._streams):
            _offer(queue, None)
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)

    def _start(self) -> None:
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="console feed")

    async def _poll(self) -> None:
        mark: Mark | None = None
        while self._streams and not self._closed:
            try:
                async with self._sessions() as session:
                    changes = ChangeService(session=session)
                    now = await changes.mark()
                    if mark is not None and now != mark:
                        codes = await changes.changed(mark, now, limit=MOST)
                        for queue in list(self._streams):
                            _offer(queue, codes)
                mark = now
            except Exception:  # noqa: BLE001 - the database is away: consoles wait, the next poll tries again
                log.warning("console feed: could not read changes", exc_info=True)
            await asyncio.sleep(self._interval)


def _offer(queue: asyncio.Queue[list[str] | None], item: list[str] | None) -> None:
    """Hand a stream its next message; a stream too far behind is told to reload everything instead."""
    try:
        queue.put_nowait(item)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)
