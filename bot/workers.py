"""Background work of a running hub: inbox consumers per bus partition, the start-up/sweep re-publication, and the
outbox sender."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping, Sequence

from bot.files_out import FilesOut
from bot.loop import WakeableLoop
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from channels.base import Channel
from core.bus import Bus
from core.clock import Clock
from core.inbox import InboxRelay
from core.inbox.relay import STALE_AFTER, TOPIC
from core.outbox import Claimed, Failure, OutboxStore
from core.ports import SendError
from templates.render import Renderer
from core.storage.models import OutboxStatus
from handlers.undelivered import NOT_CONFIGURED, REFUSED

log = logging.getLogger(__name__)

GROUP = "pipeline"
BATCH = 256
SWEEP_EVERY = 30.0


class InboxWorkers:
    """One consumer per partition; re-publishes rows left pending by a crash (at start) or a failure (sweep).
    Without a pipeline (an intake-only process) it only publishes and sweeps; other processes consume."""

    def __init__(self, *, bus: Bus, relay: InboxRelay, pipeline: Pipeline | None) -> None:
        self._bus = bus
        self._relay = relay
        self._pipeline = pipeline
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[int] = set()

    async def start(self) -> None:
        await self._relay.republish(older_than=None)
        pipeline = self._pipeline
        if pipeline is not None:
            self._tasks = [asyncio.create_task(self._consume(pipeline, p), name=f"inbox-{p}")
                           for p in range(self._bus.partitions)]
        self._tasks.append(asyncio.create_task(self._sweep(), name="inbox-sweep"))

    async def stop(self, *, grace: float) -> None:
        """Let in-flight batches finish for up to `grace` seconds, then cancel: a cancelled transaction rolls back
        whole and its rows stay pending for the next start."""
        deadline = asyncio.get_running_loop().time() + grace
        while self._busy and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        if self._busy:
            log.warning("stopping: processing still busy after %.0f s; its rows stay pending for the next start",
                        grace)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _consume(self, pipeline: Pipeline, partition: int) -> None:
        async for batch in self._bus.consume(TOPIC, GROUP, partition, max_batch=BATCH):
            self._busy.add(partition)
            try:
                await pipeline.process([int(payload["inbox_id"]) for _, payload in batch])
                await self._bus.ack(TOPIC, GROUP, [message_id for message_id, _ in batch])
            finally:
                self._busy.discard(partition)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                await self._relay.republish(older_than=STALE_AFTER)
            except Exception:  # noqa: BLE001 - the next sweep tries again
                log.exception("inbox sweep failed")


class OutboxSender(WakeableLoop):
    """Sends due outbox rows through their channel; wakes as soon as the pipeline commits new ones."""

    name = "outbox-sender"

    def __init__(self, *, store: OutboxStore, channels: Mapping[str, Channel], renderer: Renderer, clock: Clock,
                 metrics: Metrics, dead: Callable[[Sequence[tuple[Claimed, str]]], Awaitable[None]] | None = None,
                 files: FilesOut | None = None, concurrency: int = 16, idle_poll: float = 1.0) -> None:
        """`dead` is told of the rows of a pass that went dead, each with why (`not_configured`, `refused`); `files`
        sends the messages that carry files (without it they go with links only)."""
        super().__init__()
        self._files = files
        self._dead = dead
        self._store = store
        self._channels = channels
        self._renderer = renderer
        self._clock = clock
        self._metrics = metrics
        self._concurrency = concurrency
        self._idle_poll = idle_poll
        self._in_hand: list[int] = []
        """Rows of the pass under way: a stop hands them back instead of leaving them leased."""

    async def stop(self) -> None:
        """Stop sending; rows claimed but not finished go back to the queue at once, so after a restart their
        conversations do not wait for the lease to run out."""
        await super().stop()
        if self._in_hand:
            try:
                await self._store.release(self._in_hand)
            except Exception:  # noqa: BLE001 - the lease brings them back later all the same
                log.warning("stopping: could not hand back %d outbox rows; they return when their lease ends",
                            len(self._in_hand), exc_info=True)
            self._in_hand = []

    async def recipient_back(self, channel: str, conversation: str) -> None:
        """A channel's `reachable`: the messages that waited for this recipient are due now, and this sender woken
        (another process's sender finds them at its next pass)."""
        if await self._store.recipient_back(channel, conversation):
            self.wake()

    async def _run(self) -> None:
        """Passes back to back while rows are due, each pass's outcomes recorded in the transaction that claims the
        next (`settle_and_claim`); a claim of its own only after an idle wait or a failed pass."""
        claimed: list[Claimed] = []
        while True:
            try:
                if not claimed:
                    claimed = await self._store.claim_due(sending=self._channels.keys())
                self._in_hand = [c.id for c in claimed]
                if claimed:
                    claimed = await self._settle(await self._send_all(claimed))
            except Exception:  # noqa: BLE001 - database trouble: wait and try again
                log.exception("outbox pass failed")
                claimed = []
            self._in_hand = [c.id for c in claimed]
            if not claimed:
                await self._sleep(self._idle_poll)

    async def _send_all(self, claimed: Sequence[Claimed]) -> list[tuple[int, str] | Undelivered]:
        """A pass's rows sent `concurrency` at a time, by as many workers taking the next row in turn: a task per
        row waiting for its turn cost more than a web-chat reply's push itself. A worker gives the event loop a turn
        after each row: a web-chat push never waits, so the first worker would otherwise send a whole pass in one
        step (5–14 ms for a pass of a busy hub), with every acknowledgement waiting behind it. Outcomes in no
        particular order (a pass holds one row per lane)."""
        rows = iter(claimed)
        outcomes: list[tuple[int, str] | Undelivered] = []

        async def worker() -> None:
            for row in rows:
                outcomes.append(await self._send(row))
                await asyncio.sleep(0)
        await asyncio.gather(*(worker() for _ in range(min(self._concurrency, len(claimed)))))
        return outcomes

    async def _send(self, claimed: Claimed) -> tuple[int, str] | Undelivered:
        """Send one row; returns `(row id, platform id)` when delivered, else why not (the pass records both)."""
        message = claimed.message
        channel = self._channels.get(message.channel)
        if channel is None:
            return Undelivered(Failure(claimed, f"channel {message.channel} is not configured", retryable=False),
                               NOT_CONFIGURED)
        try:
            if self._files is not None and message.data.get("files"):
                platform_id = await self._files.send(channel, message)
            else:
                platform_id = await channel.send(message, self._renderer.render(message.template, message.data,
                                                                                message.locale))
        except SendError as exc:
            return Undelivered(Failure(claimed, f"{exc.code or type(exc).__name__}: {exc}",
                                       retryable=exc.retryable, retry_after=exc.retry_after, away=exc.away),
                               REFUSED)
        except Exception as exc:  # noqa: BLE001 - unknown failure: retry with backoff, never lose the row
            log.exception("send through %s failed", message.channel)
            return Undelivered(Failure(claimed, f"{type(exc).__name__}: {exc}", retryable=True), REFUSED)
        self._metrics.counted(self._metrics.outbound, message.channel, OutboxStatus.SENT).inc()
        return claimed.id, platform_id

    async def _settle(self, outcomes: Sequence[tuple[int, str] | Undelivered]) -> list[Claimed]:
        """Record a pass's deliveries and failures and claim the next pass, in one transaction; the rows gone dead
        are told to `dead` together, so what they cause is one transaction too. Returns the next pass's rows, held
        whether or not `dead` fails."""
        undelivered = [o for o in outcomes if isinstance(o, Undelivered)]
        statuses, claimed = await self._store.settle_and_claim(
            [o for o in outcomes if not isinstance(o, Undelivered)], [u.failure for u in undelivered],
            sending=self._channels.keys())
        self._in_hand = [c.id for c in claimed]
        dead: list[tuple[Claimed, str]] = []
        for row, status in zip(undelivered, statuses):
            self._metrics.counted(self._metrics.outbound, row.failure.claimed.message.channel, status).inc()
            if status is OutboxStatus.DEAD:
                dead.append((row.failure.claimed, row.reason))
        if dead and self._dead is not None:
            try:
                await self._dead(dead)
            except Exception:  # noqa: BLE001 - the rows are dead-lettered, visible to staff; the next pass goes on
                log.exception("acting on %d dead outbox rows failed", len(dead))
        return claimed


@dataclass(frozen=True, slots=True)
class Undelivered:
    """A row a pass could not send, and why in the words `dead` is told (`not_configured`, `refused`)."""

    failure: Failure
    reason: str
