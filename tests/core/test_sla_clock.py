"""The SLA clock on SQLite and PostgreSQL with a fake clock: due times stored at opening, the warning, the breach and
each escalation sent once ever, a first response stopping its alerts, pauses and a resolution moving due times on by
the business time they lasted, an acknowledgement stopping the levels not yet sent, and a priority change retargeting
the ticket."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import default_timer_jobs
from bot.timers import TimerWorker
from core.clock import FakeClock
from core.domain.people import PersonKind
from core.domain.sla import SlaState
from core.domain.tickets import Priority, Status, TicketType, TicketView
from core.services.alerts import Room
from core.services.unit import Services, Wiring
from core.sla.config import parse_sla
from core.storage.db import session_factory
from core.storage.models import OutboxRow, Timer, TicketEvent

SLA = parse_sla({"calendar": "24x7", "warn_at": 0.5,
                 "policy": [{"priorities": ["P1"], "first_response": "10m", "resolution": "1h"},
                            {"first_response": "1h", "resolution": "4h"}],
                 "escalation": [{"after": "0s", "notify": "supervisor"}, {"after": "30m", "notify": "周经理"}]})
ROOMS = (Room("slack", "C0ALERTS"),)
MINUTE = 60


class Desk:
    """Services in their own transaction per step, and the timer worker with the hub's jobs."""

    def __init__(self, engine: AsyncEngine, clock: FakeClock) -> None:
        self.sessions = session_factory(engine)
        self.clock = clock
        self.worker = TimerWorker(sessions=self.sessions, clock=clock, jobs=default_timer_jobs(),
                                  wiring=Wiring(rooms=ROOMS, sla=SLA), after_commit=lambda: None)

    def services(self, session) -> Services:  # type: ignore[no-untyped-def]
        return Services.in_transaction(session, self.clock, wiring=Wiring(rooms=ROOMS, sla=SLA))

    async def staff(self) -> int:
        async with self.sessions() as session, session.begin():
            people = self.services(session).people
            await people.add_staff(name="陈主管", role=PersonKind.SUPERVISOR, skills=[], regions=[],
                                   identities={"wecom": "chen"})
            await people.add_staff(name="周经理", role=PersonKind.MANAGER, skills=[], regions=[],
                                   identities={"slack": "U0ZHOU"})
            wang = await people.add_staff(name="王师傅", role=PersonKind.TECHNICIAN, skills=["repair"], regions=[],
                                          identities={"wecom": "wang"})
            return wang.id

    async def open(self, priority: Priority = Priority.P3) -> TicketView:
        async with self.sessions() as session, session.begin():
            services = self.services(session)
            customer = await services.people.resolve(channel="webchat", sender="web:c1")
            return await services.tickets.open(
                customer_id=customer.id, type=TicketType.REPAIR, priority=priority, channel="webchat",
                conversation="web:c1", text="洗衣机不脱水", entities={}, sentiment="neutral", actor="customer:1",
                inbox_id=None)

    async def do(self, code: str, step) -> TicketView:  # type: ignore[no-untyped-def]
        async with self.sessions() as session, session.begin():
            services = self.services(session)
            ticket = await services.tickets.get(code)
            await step(services, ticket)
            return await services.tickets.get(code)

    async def move(self, code: str, status: Status) -> TicketView:
        return await self.do(code, lambda s, t: s.tickets.transition(t, status, actor="agent:1"))

    async def at(self, minutes: float) -> list[tuple[str, str]]:
        """Move the clock on and fire what is due; the (idempotency key, recipient) of the alerts it queued."""
        self.clock.advance(minutes * MINUTE)
        async with self.sessions() as session:
            before = set(await session.scalars(select(OutboxRow.id)))
        await self.worker.fire_due()
        async with self.sessions() as session:
            rows = await session.scalars(select(OutboxRow).where(OutboxRow.id.not_in(before)).order_by(OutboxRow.id))
            return [(row.idempotency_key, row.recipient) for row in rows]


def alerts(sent: list[tuple[str, str]]) -> set[str]:
    """The alerts among queued messages, by name (`sla:{code}:{target}:{level}`)."""
    return {key.removeprefix("timer:").partition(":alert:")[0] for key, _ in sent}


async def test_warning_breach_and_each_escalation_go_out_once(engine: AsyncEngine, clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    await desk.staff()
    opened_at = clock.now()
    ticket = await desk.open()
    assert ticket.deadlines["first_response"].due_at == opened_at + timedelta(hours=1)
    assert ticket.deadlines["first_response"].warn_at == opened_at + timedelta(minutes=30)
    assert ticket.deadlines["resolution"].due_at == opened_at + timedelta(hours=4)
    code = ticket.code

    assert await desk.at(29) == []
    warning = await desk.at(1)
    assert sorted(warning) == [(f"timer:sla:{code}:first_response:0:alert:room:slack", "C0ALERTS"),
                               (f"timer:sla:{code}:first_response:0:alert:staff:1", "chen")]
    assert alerts(await desk.at(30)) == {f"sla:{code}:first_response:1"}
    assert (await desk.do(code, _nothing)).sla_state("first_response", clock.now()) is SlaState.BREACHED
    escalation = await desk.at(30)
    assert sorted(escalation) == [(f"timer:sla:{code}:first_response:2:alert:room:slack", "C0ALERTS"),
                                  (f"timer:sla:{code}:first_response:2:alert:staff:2", "U0ZHOU")]
    assert await desk.at(29) == [], "nothing is due until the resolution warning"
    assert alerts(await desk.at(1)) == {f"sla:{code}:resolution:0"}
    assert alerts(await desk.at(150)) == {f"sla:{code}:resolution:1", f"sla:{code}:resolution:2"}
    assert await desk.at(600) == []
    async with desk.sessions() as session:
        logged = list(await session.scalars(select(TicketEvent.after).where(TicketEvent.action == "sla_alert")))
    assert [(e["target"], e["level"], e["notify"]) for e in logged] == [
        ("first_response", 0, "supervisor"), ("first_response", 1, "supervisor"), ("first_response", 2, "周经理"),
        ("resolution", 0, "supervisor"), ("resolution", 1, "supervisor"), ("resolution", 2, "周经理")]


async def _nothing(services: Services, ticket: TicketView) -> None:
    return None


async def test_accepting_the_job_is_the_first_response(engine: AsyncEngine, clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    wang = await desk.staff()
    code = (await desk.open()).code
    await desk.at(10)
    ticket = await desk.do(code, lambda s, t: s.dispatch.accept(t, wang))
    assert ticket.first_response_at == clock.now()
    assert ticket.sla_state("first_response", clock.now() + timedelta(days=1)) is SlaState.OK
    assert alerts(await desk.at(24 * 60)) == {f"sla:{code}:resolution:{level}" for level in (0, 1, 2)}


async def test_a_pause_moves_every_due_time_on_by_its_length(engine: AsyncEngine, clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    await desk.staff()
    ticket = await desk.open()
    code, due = ticket.code, ticket.deadlines["first_response"].due_at
    await desk.at(20)
    paused = await desk.move(code, Status.PENDING_CUSTOMER)
    assert paused.clock_stopped_at == clock.now()
    assert await desk.at(120) == [], "no alert while the customer is asked"
    resumed = await desk.move(code, Status.NEW)
    assert resumed.clock_stopped_at is None
    assert resumed.deadlines["first_response"].due_at == due + timedelta(minutes=120)
    assert resumed.deadlines["resolution"].due_at == ticket.deadlines["resolution"].due_at + timedelta(minutes=120)
    assert await desk.at(9) == []
    assert alerts(await desk.at(1)) == {f"sla:{code}:first_response:0"}, "10 minutes of the 30 to the warning left"


async def test_acknowledging_a_breach_stops_the_levels_not_yet_sent(engine: AsyncEngine, clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    await desk.staff()
    code = (await desk.open()).code
    assert alerts(await desk.at(60)) == {f"sla:{code}:first_response:0", f"sla:{code}:first_response:1"}
    acked: list[list[str]] = []

    async def ack(services: Services, ticket: TicketView) -> None:
        acked.append(await services.tickets.acknowledge(ticket, actor="supervisor:1", note=""))

    await desk.do(code, ack)
    assert acked == [["first_response"]]
    await desk.move(code, Status.PENDING_CUSTOMER)
    await desk.at(5)
    await desk.move(code, Status.NEW)
    assert await desk.at(50) == [], "the stopped level stays stopped when the clock runs again"
    async with desk.sessions() as session:
        [event] = await session.scalars(select(TicketEvent).where(TicketEvent.action == "acknowledged"))
    assert (event.actor, event.after["targets"], event.at) == ("supervisor:1", ["first_response"], clock.now() -
                                                               timedelta(minutes=55))


async def test_a_resolution_stops_the_clock_and_reopening_runs_it_again(engine: AsyncEngine,
                                                                        clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    wang = await desk.staff()
    ticket = await desk.open()
    code = ticket.code
    await desk.do(code, lambda s, t: s.dispatch.accept(t, wang))
    await desk.at(60)
    await desk.move(code, Status.RESOLVED)
    assert await desk.at(24 * 60) == []
    reopened = await desk.move(code, Status.NEW)
    assert reopened.deadlines["resolution"].due_at == ticket.deadlines["resolution"].due_at + timedelta(hours=24)
    assert await desk.at(59) == []
    assert alerts(await desk.at(1)) == {f"sla:{code}:resolution:0"}
    await desk.move(code, Status.CANCELLED)
    async with desk.sessions() as session:
        left = (await session.execute(select(Timer.status, Timer.payload).where(
            Timer.key == f"sla:{code}:resolution"))).one()
    assert (left.status, left.payload["level"]) == ("cancelled", 1), "the breach and what follows never go out"


async def test_a_more_urgent_priority_brings_the_due_times_forward(engine: AsyncEngine, clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    await desk.staff()
    opened_at = clock.now()
    code = (await desk.open()).code
    await desk.at(2)
    ticket = await desk.do(code, lambda s, t: s.tickets.raise_priority(t, Priority.P1, actor="customer:1"))
    assert ticket.deadlines["first_response"].due_at == opened_at + timedelta(minutes=10)
    assert alerts(await desk.at(3)) == {f"sla:{code}:first_response:0"}
    assert alerts(await desk.at(5)) == {f"sla:{code}:first_response:1"}
