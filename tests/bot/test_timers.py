"""Timers on SQLite and PostgreSQL: a timer fires when due and once ever (scheduling its key again moves it only
while pending or held), a timer that comes again fires each step once, holding and cancelling work by prefix, a failing job is retried and then given up, and two
workers racing over the same due timers fire each once; a sleeping worker is woken by a commit only for a timer due
before it would look again."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.timers import TimerWorker
from core.clock import FakeClock, SystemClock
from core.envelopes import Outbound
from core.services.unit import Services, Wiring
from core.storage.db import session_factory
from core.storage.models import OutboxRow, Timer
from handlers.base import TimerContext


class Remind:
    kind = "remind"

    def __init__(self) -> None:
        self.fired: list[str] = []

    async def fire(self, due: TimerContext) -> list[Outbound]:
        self.fired.append(due.timer_key)
        return [Outbound(channel="webchat", account="", recipient="web:x", conversation="web:x", template="greeting",
                         data={}, idempotency_key=due.key("reminder"))]


class Broken:
    kind = "broken"

    async def fire(self, due: TimerContext) -> list[Outbound]:
        raise RuntimeError("the job is broken")


class Steps:
    """Three steps a minute apart in one timer: each fires, then the timer comes again for the next."""

    kind = "steps"

    def __init__(self) -> None:
        self.fired: list[int] = []

    async def fire(self, due: TimerContext) -> list[Outbound]:
        step = int(due.payload["n"])
        self.fired.append(step)
        if step < 3:
            due.come_again(due.now + timedelta(minutes=1), {"n": step + 1})
        return []


async def _schedule(engine: AsyncEngine, clock: FakeClock, kind: str, key: str, seconds: float) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock)
        await services.timers.schedule(kind, key, clock.now() + timedelta(seconds=seconds), {"n": 1})


def _worker(engine: AsyncEngine, clock: FakeClock, *jobs: object) -> TimerWorker:
    return TimerWorker(sessions=session_factory(engine), clock=clock, jobs=jobs,  # type: ignore[arg-type]
                       wiring=Wiring(), after_commit=lambda: None)


async def test_a_timer_fires_when_due_and_once_ever(engine: AsyncEngine, clock: FakeClock) -> None:
    job = Remind()
    worker = _worker(engine, clock, job)
    await _schedule(engine, clock, "remind", "ticket:1", 60)
    assert await worker.fire_due() == 0
    await _schedule(engine, clock, "remind", "ticket:1", 120)
    clock.advance(90)
    assert await worker.fire_due() == 0, "scheduling the key again moved the pending timer"
    clock.advance(60)
    assert await worker.fire_due() == 1 and job.fired == ["ticket:1"]
    await _schedule(engine, clock, "remind", "ticket:1", 0)
    clock.advance(1)
    assert await worker.fire_due() == 0 and job.fired == ["ticket:1"], "a fired key never fires again"
    async with session_factory(engine)() as session:
        keys = list(await session.scalars(select(OutboxRow.idempotency_key)))
    assert keys == ["timer:ticket:1:reminder"]


async def test_a_timer_that_comes_again_fires_each_step_once_then_is_done(engine: AsyncEngine,
                                                                           clock: FakeClock) -> None:
    job = Steps()
    worker = _worker(engine, clock, job)
    await _schedule(engine, clock, "steps", "chain:1", 0)
    assert await worker.fire_due() == 1 and job.fired == [1]
    assert await worker.fire_due() == 0, "the next step is not due yet"
    await _schedule(engine, clock, "steps", "chain:1", 0)
    assert await worker.fire_due() == 1 and job.fired == [1, 1], "scheduling the key again moved the waiting step"
    for _ in range(3):
        clock.advance(60)
        await worker.fire_due()
    assert job.fired == [1, 1, 2, 3]
    async with session_factory(engine)() as session:
        assert (await session.scalar(select(Timer.status).where(Timer.key == "chain:1"))) == "fired"


async def test_cancel_by_key_and_by_prefix(engine: AsyncEngine, clock: FakeClock) -> None:
    job = Remind()
    worker = _worker(engine, clock, job)
    for key in ("sla:SR-1:first", "sla:SR-1:resolution", "sla:SR-10:first", "survey:SR-1"):
        await _schedule(engine, clock, "remind", key, 10)
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock)
        await services.timers.cancel_prefix("sla:SR-1:")
        await services.timers.cancel("survey:SR-1")
    clock.advance(20)
    await worker.fire_due()
    assert job.fired == ["sla:SR-10:first"]


async def test_a_held_timer_waits_until_scheduled_again_and_a_cancelled_one_for_good(engine: AsyncEngine,
                                                                                     clock: FakeClock) -> None:
    job = Remind()
    worker = _worker(engine, clock, job)
    for key in ("sla:SR-1:a", "sla:SR-1:b"):
        await _schedule(engine, clock, "remind", key, 10)
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock)
        await services.timers.hold_prefix("sla:SR-1:")
        await services.timers.cancel("sla:SR-1:b")
    clock.advance(60)
    assert await worker.fire_due() == 0
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock)
        await services.timers.schedule_many("remind", [(key, clock.now() + timedelta(seconds=5), {})
                                                       for key in ("sla:SR-1:a", "sla:SR-1:b")])
    clock.advance(5)
    assert await worker.fire_due() == 1 and job.fired == ["sla:SR-1:a"]


async def test_a_failing_job_is_retried_then_given_up_and_others_still_fire(engine: AsyncEngine,
                                                                            clock: FakeClock) -> None:
    job = Remind()
    worker = _worker(engine, clock, job, Broken())
    await _schedule(engine, clock, "broken", "bad", 0)
    await _schedule(engine, clock, "remind", "good", 0)
    for _ in range(6):
        clock.advance(3600)
        await worker.fire_due()
    assert job.fired == ["good"]
    async with session_factory(engine)() as session:
        bad = await session.scalar(select(Timer).where(Timer.key == "bad"))
    assert (bad.status, bad.attempts) == ("failed", 5) and "the job is broken" in bad.last_error


async def test_two_workers_fire_each_due_timer_once(engine: AsyncEngine, clock: FakeClock) -> None:
    job = Remind()
    for n in range(30):
        await _schedule(engine, clock, "remind", f"t{n}", 0)
    clock.advance(1)
    await asyncio.gather(_worker(engine, clock, job).fire_due(), _worker(engine, clock, job).fire_due())
    assert sorted(job.fired) == sorted(f"t{n}" for n in range(30))


async def test_a_sleeping_worker_is_woken_only_for_an_earlier_timer(engine: AsyncEngine) -> None:
    """A burst of new tickets schedules SLA timers hours ahead in every commit: none of them is a reason for a pass."""
    clock = SystemClock()
    job = Remind()
    sessions = session_factory(engine)
    worker = TimerWorker(sessions=sessions, clock=clock, jobs=[job], wiring=Wiring(), after_commit=lambda: None,
                         idle_poll=60)
    looked: list[str] = []

    def timers_read(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "timers" in statement:
            looked.append(statement)

    async def schedule(key: str, seconds: float, *, waking: bool = True) -> None:
        async with sessions() as session, session.begin():
            services = Services.in_transaction(session, clock, wake_timers=worker.scheduled if waking else None)
            await services.timers.schedule("remind", key, clock.now() + timedelta(seconds=seconds))

    await schedule("next", 30, waking=False)
    await worker.start()
    event.listen(engine.sync_engine, "before_cursor_execute", timers_read)
    try:
        async with asyncio.timeout(10):
            while worker.asleep_until is None:
                await asyncio.sleep(0.01)
        asleep_until = worker.asleep_until
        looked.clear()
        await schedule("later", 45)
        for _ in range(20):
            await asyncio.sleep(0)
        assert looked == [] and worker.asleep_until == asleep_until
        await schedule("soon", 0.2)
        async with asyncio.timeout(10):
            while not job.fired:
                await asyncio.sleep(0.02)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", timers_read)
        await worker.stop()
    assert job.fired == ["soon"] and looked
