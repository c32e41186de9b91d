"""Durable intake with group commit.

Channels call the intake with what arrived; concurrent calls share one transaction (a few ms), and each caller
returns only after that commit — so a platform is acknowledged only for messages that survive a crash. The rows are
published to the bus before the callers return: with several processes, a customer's next message (sent after the
acknowledgement, perhaps to another process) then always queues behind this one.
The unique (channel, external_id) key turns platform retries into no-ops. Every message is cleaned first (`clean`),
so no later step can fail on text the database cannot store.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import Awaitable, Callable, Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.envelopes import Inbound
from core.inbox.clean import clean_inbound
from core.storage.db import closed_in_place, each_statement_alone
from core.storage.models import InboxRow, InboxStatus
from core.storage.reconnect import once_more_if_dropped
from core.storage.write_turns import URGENT
from core.storage.upsert import ignoring_conflicts

log = logging.getLogger(__name__)


class IntakeUnavailable(RuntimeError):
    """The message could not be stored (database locked or gone); the platform must not be acknowledged."""


@dataclass(frozen=True, slots=True)
class Committed:
    inbox_id: int
    conversation: str


class GroupCommitIntake:
    """An `IntakeSink` (core.ports) that batches concurrent submissions into one INSERT and one COMMIT."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 on_committed: Callable[[list[Committed]], Awaitable[None]], max_batch: int = 1000) -> None:
        self._sessions = sessions
        self._clock = clock
        self._on_committed = on_committed
        self._max_batch = max_batch
        self._pending: list[tuple[Inbound, asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, inbounds: Sequence[Inbound]) -> list[bool]:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="inbox-writer")
        loop = asyncio.get_running_loop()
        futures = []
        for inbound in inbounds:
            future: asyncio.Future[bool] = loop.create_future()
            self._pending.append((clean_inbound(inbound), future))
            futures.append(future)
        self._wake.set()
        return [await future for future in futures]

    async def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._task is not None:
            while self._pending:
                await asyncio.sleep(0.001)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                await self._write()

    def _take(self) -> list[tuple[Inbound, asyncio.Future[bool]]]:
        """The next batch of what waits, up to `max_batch`."""
        batch, self._pending = self._pending[:self._max_batch], self._pending[self._max_batch:]
        return batch

    async def _write(self) -> None:
        """One group commit. Its batch is taken once the transaction holds SQLite's writer (`_insert`): what
        arrived while it waited for processing to give way goes in this commit instead of waiting for the next."""
        batch: list[tuple[Inbound, asyncio.Future[bool]]] = []
        try:
            committed, resent = await once_more_if_dropped(partial(self._insert, batch))
        except Exception as exc:  # noqa: BLE001 - every caller must hear about it, whatever the driver raised
            batch = batch or self._take()
            log.warning("inbox commit failed for %d messages: %s", len(batch), exc)
            for _, future in batch:
                if not future.done():
                    future.set_exception(IntakeUnavailable(str(exc)))
            return
        published = [*committed.values(), *resent]
        try:
            await self._on_committed(published)
        except Exception:  # noqa: BLE001 - rows are durable; the start-up/sweep re-publisher picks them up
            log.exception("publishing %d committed inbox rows failed", len(published))
        fresh = dict(committed)
        for inbound, future in batch:
            if not future.done():
                future.set_result(fresh.pop(inbound.key, None) is not None)

    async def _insert(self, batch: list[tuple[Inbound, asyncio.Future[bool]]]
                      ) -> tuple[dict[tuple[str, str], Committed], list[Committed]]:
        """The new rows by key, and the still-pending rows of repeats. `batch` is filled with what waits once the
        transaction has begun, unless a first attempt filled it already. A repeat may be the resend of a message
        whose process died after committing it and before publishing it; publishing it again (harmless if it is
        queued already: processing skips done rows) keeps it ahead of the customer's next message."""
        async with closed_in_place(self._sessions, info={URGENT: True}) as session, session.begin():
            if not batch:
                batch.extend(self._take())
            now = self._clock.now()
            rows: dict[tuple[str, str], dict] = {}
            for inbound, _ in batch:
                rows.setdefault(inbound.key, {
                    "channel": inbound.channel, "external_id": inbound.external_id,
                    "conversation": inbound.conversation, "payload": inbound.to_dict(),
                    "status": InboxStatus.PENDING, "attempts": 0, "last_error": "", "received_at": now,
                })
            await each_statement_alone(session)
            statement = ignoring_conflicts(session, InboxRow,
                                           returning=("id", "channel", "external_id", "conversation"))
            result = await session.execute(statement, list(rows.values()))
            new = {(r.channel, r.external_id): Committed(r.id, r.conversation) for r in result}
            repeats = [key for key in rows if key not in new]
            if not repeats:
                return new, []
            pending = await session.execute(
                select(InboxRow.id, InboxRow.conversation).where(
                    tuple_(InboxRow.channel, InboxRow.external_id).in_(repeats),
                    InboxRow.status == InboxStatus.PENDING))
            return new, [Committed(r.id, r.conversation) for r in pending]
