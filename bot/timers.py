"""The timer worker: fires due timers through their jobs, each batch in one transaction with the job's effects and
outbox rows, so a timer fires once even across a crash or with several processes. It sleeps until the next due
time, and is woken early when a transaction of this process schedules an earlier one (only then: a burst of new
tickets schedules SLA timers hours ahead in every commit, and a pass for each found nothing due); timers scheduled by
other processes are seen within `idle_poll` seconds."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.loop import WakeableLoop
from core.clock import Clock
from core.envelopes import Outbound
from core.outbox import enqueue
from core.services.unit import Services, Wiring
from core.timers import DueTimer, TimerStore
from handlers.base import TimerContext, TimerJob

log = logging.getLogger(__name__)

BATCH = 100
IDLE_POLL = 5.0


class TimerWorker(WakeableLoop):
    name = "timers"

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock, jobs: Sequence[TimerJob],
                 wiring: Wiring, after_commit: Callable[[], None], idle_poll: float = IDLE_POLL) -> None:
        super().__init__()
        self._sessions = sessions
        self._clock = clock
        self._store = TimerStore(sessions=sessions, clock=clock)
        self._jobs = {job.kind: job for job in jobs}
        self._wiring = wiring
        self._after_commit = after_commit
        self._idle_poll = idle_poll
        self._asleep_until: datetime | None = None
        """When the sleeping worker looks at the table again by itself; None while a pass is under way."""

    @property
    def asleep_until(self) -> datetime | None:
        """When the sleeping worker looks at the table again by itself; None while a pass is under way."""
        return self._asleep_until

    def scheduled(self, due_at: datetime) -> None:
        """A transaction of this process committed a timer due at `due_at`: the worker is woken if that is before it
        would look again anyway. During a pass it always is, since the pass may have read the next due time before
        that commit."""
        if self._asleep_until is None or due_at < self._asleep_until:
            self.wake()

    async def fire_due(self) -> int:
        """Fire everything due now; returns how many timers fired."""
        fired = 0
        while True:
            try:
                count = await self._fire_batch(single=None)
            except Exception:  # noqa: BLE001 - find the failing timer below; the others fire on their own
                count = await self._fire_one_by_one()
            fired += count
            if count < BATCH:
                return fired

    async def _run(self) -> None:
        while True:
            try:
                await self.fire_due()
                next_due = await self._store.next_due()
            except Exception:  # noqa: BLE001 - database trouble: wait and try again
                log.exception("timer pass failed")
                next_due = None
            now = self._clock.now()
            wait = self._idle_poll
            if next_due is not None:
                wait = min(wait, max(0.0, (next_due - now).total_seconds()))
            self._asleep_until = now + timedelta(seconds=wait)
            try:
                await self._sleep(wait)
            finally:
                self._asleep_until = None

    async def _fire_batch(self, *, single: int | None) -> int:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            due = await self._store.take_due(session, now, BATCH, only=single)
            if not due:
                return 0
            services = Services.in_transaction(session, self._clock, wiring=self._wiring,
                                               wake_timers=self.scheduled)
            messages: list[Outbound] = []
            again: list[tuple[int, datetime, dict[str, Any]]] = []
            for timer in due:
                context = self._context(timer, services)
                messages += await self._fire(context)
                if context.again is not None:
                    again.append((timer.id, *context.again))
            rearmed = {timer_id for timer_id, _, _ in again}
            await self._store.mark_fired(session, [t.id for t in due if t.id not in rearmed], now)
            await self._store.rearm(session, again, now)
            await enqueue(session, messages, now)
        self._after_commit()
        return len(due)

    async def _fire_one_by_one(self) -> int:
        """After a failed batch: each due timer in its own transaction, a failing one recorded and retried later."""
        fired = 0
        async with self._sessions() as session:
            due = await self._store.take_due(session, self._clock.now(), BATCH)
        for timer in due:
            try:
                fired += await self._fire_batch(single=timer.id)
            except Exception as exc:  # noqa: BLE001 - recorded on the timer; retried with backoff, then given up
                given_up = await self._store.record_failure(timer.id, f"{type(exc).__name__}: {exc}")
                if given_up:
                    log.exception("timer %s (%s) failed for good", timer.key, timer.kind)
                else:
                    log.warning("timer %s (%s) failed, will retry: %s", timer.key, timer.kind, exc)
        return fired

    def _context(self, timer: DueTimer, services: Services) -> TimerContext:
        return TimerContext(kind=timer.kind, timer_key=timer.key, payload=timer.payload, due_at=timer.due_at,
                            services=services, now=self._clock.now())

    async def _fire(self, due: TimerContext) -> list[Outbound]:
        job = self._jobs.get(due.kind)
        if job is None:
            raise LookupError(f"no job for timer kind {due.kind!r}")
        return await job.fire(due)
