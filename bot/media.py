"""The media fetcher: downloads what messages carried from their platforms, after the message was acknowledged and
handled, so a slow or failing media API never delays an acknowledgement or loses a message. Claimed rows are
fetched a few at a time; a failure waits for its backoff (core.media.queue), an expired media id is recorded as gone
and the customer asked to send it again. Once a minute it also drops uploads staged and never finished, and staged files it no longer needs."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Callable, Mapping

from bot.loop import WakeableLoop
from core.clock import Clock
from core.media import MediaKeeper, MediaRejected
from core.media.queue import DueFetch, MediaQueue
from core.ports import MediaGone, PermanentSendError, RetryableSendError
from core.storage.models import MediaStatus

log = logging.getLogger(__name__)

PARALLEL = 4
IDLE_POLL = 5.0
SWEEP_EVERY = timedelta(minutes=1)


class MediaFetcher(WakeableLoop):
    name = "media"

    def __init__(self, *, queue: MediaQueue, keeper: MediaKeeper, channels: Mapping[str, object], clock: Clock,
                 after_notice: Callable[[], None], idle_poll: float = IDLE_POLL) -> None:
        """`channels`: the hub's channels by name (those with `fetch_media` can be fetched from);
        `after_notice` wakes the outbox sender when a customer was told their file was not kept."""
        super().__init__()
        self._queue = queue
        self._keeper = keeper
        self._channels = channels
        self._clock = clock
        self._after_notice = after_notice
        self._idle_poll = idle_poll

    async def fetch_due(self) -> int:
        """Fetch everything due now; returns how many rows were tried."""
        tried = 0
        while True:
            due = await self._queue.claim(PARALLEL)
            if not due:
                return tried
            await asyncio.gather(*(self._fetch(d) for d in due))
            tried += len(due)

    async def sweep_uploads(self) -> int:
        """Drop the uploads channels staged and nobody finished in time (a chunked web-chat upload abandoned
        mid-way, a file whose download is over); returns how many. The staging area is shared by every process that
        fetches from it, so what any process still has to fetch is read from the shared queue."""
        removed = 0
        for name, channel in self._channels.items():
            sweep = getattr(channel, "sweep_uploads", None)
            if sweep is not None:
                removed += await sweep(await self._queue.pending_sources(name))
        return removed

    async def _run(self) -> None:
        next_sweep = self._clock.now()
        while True:
            try:
                await self.fetch_due()
                if self._clock.now() >= next_sweep:
                    await self.sweep_uploads()
                    next_sweep = self._clock.now() + SWEEP_EVERY
                next_due = await self._queue.next_due()
            except Exception:  # noqa: BLE001 - database trouble: wait and try again
                log.exception("media pass failed")
                next_due = None
            wait = self._idle_poll
            if next_due is not None:
                wait = min(wait, max(0.0, (next_due - self._clock.now()).total_seconds()))
            await self._sleep(wait)

    async def _fetch(self, due: DueFetch) -> None:
        try:
            await self._fetch_and_keep(due)
        except Exception as exc:  # noqa: BLE001 - recorded on the row, retried with backoff
            log.warning("attachment %s (%s) not fetched, will retry: %s", due.id, due.channel, exc)
            given_up = await self._queue.retry(due, f"{type(exc).__name__}: {exc}",
                                               after=getattr(exc, "retry_after", None))
            if given_up:
                self._after_notice()

    async def _fetch_and_keep(self, due: DueFetch) -> None:
        channel = self._channels.get(due.channel)
        fetch = getattr(channel, "fetch_media", None)
        if fetch is None:
            raise RetryableSendError(f"channel {due.channel} is not running here")
        try:
            fetched = await fetch(due.source, max_bytes=self._keeper.max_bytes)
            kept = await self._keeper.keep(fetched.data, kind=due.kind,
                                           declared_type=fetched.content_type or due.declared_type)
        except (MediaGone, PermanentSendError) as exc:
            await self._queue.give_up(due, MediaStatus.GONE, f"gone: {exc}")
            self._after_notice()
            return
        except MediaRejected as exc:
            await self._queue.give_up(due, MediaStatus.REJECTED, str(exc))
            self._after_notice()
            return
        await self._queue.stored(due, kept)
