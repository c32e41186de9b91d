"""What a processing transaction answers from what it holds instead of asking the database: the tickets of a customer
it created, the timers of a ticket it opened — on SQLite and PostgreSQL, with the answers a query would give."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FakeClock
from core.domain.tickets import Priority, Status, TicketType, TicketView
from core.envelopes import Inbound
from core.services.timers import TimerService
from core.services.unit import Services
from core.storage.db import let_urgent_writes_in, session_factory
from core.storage.models import Timer


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    seen: list[str] = []

    def keep(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)


def _inbound(sender: str) -> Inbound:
    return Inbound(channel="webchat", account="", external_id=f"{sender}-1", sender=sender, conversation=sender,
                   text="洗衣机不脱水", sent_at=datetime.now(timezone.utc))


async def _customer(services: Services, sender: str) -> int:
    """The customer writing as `sender` on web chat, preloaded as a batch preloads its senders."""
    await services.preload([_inbound(sender)])
    return (await services.people.resolve(channel="webchat", sender=sender)).id


async def _open(services: Services, customer_id: int) -> TicketView:
    return await services.tickets.open(customer_id=customer_id, type=TicketType.REPAIR, priority=Priority.P3,
                                       channel="webchat", conversation=f"c{customer_id}", text="洗衣机不脱水",
                                       entities={}, sentiment="neutral", actor="customer", inbox_id=None)


async def test_a_new_customers_tickets_come_from_the_transaction(engine: AsyncEngine, clock: FakeClock) -> None:
    """A customer created by the batch has no stored tickets: their open tickets (the duplicate-report check) are
    the ones the transaction opened, flushed or not, without a query — until a merge moves others to them."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        old = await _customer(services, "web:old")
        stored = await _open(services, old)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        await services.preload([_inbound("web:new"), _inbound("web:old")])
        new = (await services.people.resolve(channel="webchat", sender="web:new")).id
        with statements(engine) as asked:
            assert await services.tickets.for_customer(new, open_only=True) == []
            first = await _open(services, new)
            await session.flush()
            second = await _open(services, new)
            found = await services.tickets.for_customer(new, open_only=True)
        assert [t.code for t in found] == [second.code, first.code]
        assert not [s for s in asked if "FROM tickets" in s]
        assert [t.code for t in await services.tickets.for_customer(old, open_only=True)] == [stored.code]
        await services.merges.merge(source_id=old, target_id=new, actor="staff:test", reason="same person")
        found = await services.tickets.for_customer(new, open_only=True)
    assert [t.code for t in found] == [second.code, first.code, stored.code]



async def test_a_customers_tickets_in_hand_are_not_read_again(engine: AsyncEngine, clock: FakeClock) -> None:
    """A status query finds the customer's newest tickets by id: those the transaction holds (its thread's open
    tickets, preloaded) are not read again, the others are, and the answer is the one a transaction holding none
    gives."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        customer = await _customer(services, "web:a")
        done = await _open(services, customer)
        await services.tickets.transition(done, Status.CANCELLED, actor="customer")
        held = await _open(services, customer)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        expected = await services.tickets.for_customer(customer)
    assert [t.code for t in expected] == [held.code, done.code]
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        await services.tickets.preload_open([("webchat", f"c{customer}")])
        with statements(engine) as asked:
            assert await services.tickets.for_customer(customer, open_only=True) == expected[:1]
            opened_only = [s for s in asked if "FROM tickets" in s and "tickets.code" in s]
            found = await services.tickets.for_customer(customer)
    assert found == expected
    assert opened_only == [], "the open ticket is held: nothing is read whole"
    read_whole = [s for s in asked if "FROM tickets" in s and "tickets.code" in s]
    assert len(read_whole) == 1, "only the cancelled ticket, not held, is read whole"


async def test_cancelling_the_timers_of_a_new_ticket(engine: AsyncEngine, clock: FakeClock) -> None:
    """Timers only this transaction can have made: those still queued are written cancelled without a statement;
    once one is written, the cancel is a statement as for any other."""
    due = clock.now() + timedelta(minutes=30)
    async with session_factory(engine)() as session, session.begin():
        timers = TimerService(session=session, clock=clock)
        await timers.schedule("offer_timeout", "offer:SR-1:1:1", due)
        with statements(engine) as asked:
            await timers.cancel_prefix("offer:SR-1:", new=True)
        assert asked == []
        await timers.schedule("offer_timeout", "offer:SR-1:2:2", due)
        await timers.schedule("offer_timeout", "offer:SR-2:1:1", due)
        await timers.cancel("unrelated")
        await timers.cancel_prefix("offer:SR-2:", new=True)
        await timers.schedule("offer_timeout", "offer:SR-2:2:2", due)
    async with session_factory(engine)() as session:
        found = dict((await session.execute(select(Timer.key, Timer.status))).all())
    assert found == {"offer:SR-1:1:1": "cancelled", "offer:SR-1:2:2": "pending",
                     "offer:SR-2:1:1": "cancelled", "offer:SR-2:2:2": "pending"}


def _asking(sender: str, conversation: str) -> Inbound:
    return Inbound(channel="webchat", account="", external_id=f"{sender}-ask", sender=sender,
                   conversation=conversation, text="我的工单到哪了", sent_at=datetime.now(timezone.utc))


async def test_a_batch_preload_of_the_newest_tickets_answers_as_each_query_would(engine: AsyncEngine,
                                                                               clock: FakeClock) -> None:
    """The newest tickets of a batch's askers (status queries, reports) are read once for the batch; what the
    transaction does after — tickets opened (written or not, committed to let the intake in), a status changed, tickets
    moved by a merge — shows in the answers as in a query's."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        asker = await _customer(services, "web:asker")
        other = await _customer(services, "web:other")
        stored = [await _open(services, asker) for _ in range(7)]
        await services.tickets.transition(stored[2], Status.CANCELLED, actor="customer")
        elsewhere = await _open(services, other)
    codes = [t.code for t in stored]
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        batch = [_asking("web:asker", "web:asker"), _asking("web:other", "web:other")]
        await services.preload(batch, asking_tickets=batch)
        tickets = services.tickets

        async def newest(limit: int, open_only: bool = False) -> list[str]:
            return [t.code for t in await tickets.for_customer(asker, limit=limit, open_only=open_only)]

        with statements(engine) as asked:
            assert await newest(3) == codes[:3:-1]
            assert await newest(5, open_only=True) == [codes[6], codes[5], codes[4], codes[3], codes[1]]
        assert not [s for s in asked if "customer_id =" in s], "answered from the preload"
        first = await _open(services, asker)
        assert await newest(3) == [first.code, codes[6], codes[5]]
        if engine.dialect.name == "sqlite":
            await let_urgent_writes_in(session)
        else:
            await session.flush()
        second = await _open(services, asker)
        assert await newest(3) == [second.code, first.code, codes[6]]
        await services.merges.merge(source_id=other, target_id=asker, actor="staff:test", reason="same person")
        assert await newest(3) == [second.code, first.code, elsewhere.code]
        await services.preload(batch, asking_tickets=batch)
        for ticket in (first, second, elsewhere, stored[6]):
            await tickets.transition(ticket, Status.CANCELLED, actor="customer")
        assert await newest(5, open_only=True) == [codes[5], codes[4], codes[3], codes[1], codes[0]]


async def test_a_batch_preload_of_who_declined_or_was_offered_a_job(engine: AsyncEngine, clock: FakeClock) -> None:
    """Who declined a job a detail may dispatch (new, unassigned, missing one) and who was offered it are read once
    for the batch's threads: the stored events, those of the transaction still unwritten, and those recorded after
    are all in the answer, which is the one a query gives; events of other kinds are still read."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        job = await _open(services, await _customer(services, "web:job"))
        await services.tickets.record(job, "staff:1", "declined", {}, {"staff_id": 1})
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock)
        tickets = services.tickets
        await services.preload([_inbound("web:job")])
        await tickets.record(job, "system:dispatch", "pooled", {}, {"notified": [2, 3]})
        await services.preload([Inbound(channel="webchat", account="", external_id="web:job-2", sender="web:job",
                                        conversation=f"c{job.customer_id}", text="地址是上海市",
                                        sent_at=datetime.now(timezone.utc))])
        await tickets.record(job, "staff:2", "declined", {}, {"staff_id": 2})
        await tickets.record(job, "staff:1", "note", {}, {"text": "写在日志上"})
        with statements(engine) as asked:
            assert await services.dispatch.declined(job) == {1, 2}
            answers = await tickets.events_of(job, ("declined", "pooled"))
        assert not [s for s in asked if "ticket_events" in s], "answered from the preload"
        assert answers == {"declined": [{"staff_id": 1}, {"staff_id": 2}], "pooled": [{"notified": [2, 3]}]}
        assert await tickets.events(job, "note") == [{"text": "写在日志上"}]
    async with sessions() as session, session.begin():
        assert await Services.in_transaction(session, clock).tickets.events_of(job, ("declined", "pooled")) == answers
