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
from core.storage.db import session_factory
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
