"""Storage behaviour on SQLite and PostgreSQL: ids unique under concurrency, audit log, group-commit inbox."""
from __future__ import annotations

import asyncio
import gc
import weakref
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from core.clock import FakeClock
from core.domain.tickets import IllegalTransition, Priority, Status, TicketType
from core.envelopes import Inbound
from core.inbox import Committed, GroupCommitIntake, InboxStore
from core.services.people import PeopleService
from core.services.unit import Services
from core.storage.db import session_factory
from core.storage.models import Customer, InboxRow, Ticket, TicketEvent

import pytest


async def _open_one(sessions, clock, customer_id: int) -> str:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        ticket = await Services.in_transaction(session, clock).tickets.open(
            customer_id=customer_id, type=TicketType.REPAIR, priority=Priority.P3, channel="webchat",
            conversation="c", text="洗衣机不脱水", entities={"phones": ["13800138000"]}, sentiment="neutral",
            actor="customer:1", inbox_id=None)
        return ticket.code


async def _customer(sessions, clock) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return (await PeopleService(session=session, clock=clock).resolve(channel="webchat", sender="web:a")).id


async def test_ticket_codes_unique_under_concurrency(engine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    customer = await _customer(sessions, clock)
    codes = await asyncio.gather(*(_open_one(sessions, clock, customer) for _ in range(40)))
    assert len(set(codes)) == 40
    assert sorted(codes)[0] == "SR-20261123-0001" and sorted(codes)[-1] == "SR-20261123-0040"


async def test_transitions_are_audited_and_illegal_ones_refused(engine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    customer = await _customer(sessions, clock)
    code = await _open_one(sessions, clock, customer)
    async with sessions() as session, session.begin():
        service = Services.in_transaction(session, clock).tickets
        ticket = await service.get(code)
        await service.transition(ticket, Status.ASSIGNED, actor="supervisor:1")
        with pytest.raises(IllegalTransition):
            await service.transition(ticket, Status.RESOLVED, actor="supervisor:1")
    async with sessions() as session:
        events = list(await session.scalars(select(TicketEvent).order_by(TicketEvent.id)))
        assert [e.action for e in events] == ["opened", "status"]
        assert events[1].before == {"status": "new"} and events[1].after["status"] == "assigned"
        assert events[1].actor == "supervisor:1" and events[1].at == clock.now()
        assert (await session.scalar(select(Ticket.status))) == "assigned"


def _inbound(n: int, conversation: str = "web:x") -> Inbound:
    return Inbound(channel="webchat", account="web", external_id=f"m{n}", sender=conversation,
                   conversation=conversation, text=f"消息{n}", sent_at=datetime(2026, 11, 23, tzinfo=timezone.utc))


async def test_group_commit_dedupes_and_reports_new(engine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    committed: list[Committed] = []

    async def on_committed(items: list[Committed]) -> None:
        committed.extend(items)

    intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=on_committed)
    results = await asyncio.gather(*(intake([_inbound(n % 50)]) for n in range(100)))
    assert sum(r[0] for r in results) == 50
    assert await intake([_inbound(3), _inbound(3), _inbound(77)]) == [False, False, True]
    await intake.close()
    assert len({c.inbox_id for c in committed}) == 51
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxRow)) == 51
        m3 = await session.scalar(select(InboxRow.id).where(InboxRow.external_id == "m3"))
        assert [c.inbox_id for c in committed].count(m3) >= 2, "a resent, still pending message is published again"
        row = await session.scalar(select(InboxRow).where(InboxRow.external_id == "m77"))
        assert Inbound.from_dict(row.payload) == _inbound(77)


async def test_times_are_stored_in_utc_and_read_back_aware(engine) -> None:
    """A time given in any zone is kept as the same instant in UTC, read back aware; on SQLite as the text
    SQLAlchemy's DATETIME writes (what earlier rows hold and the raw queries compare); a naive time is refused."""
    sessions = session_factory(engine)
    shanghai = datetime(2026, 11, 23, 12, 5, 6, 7, tzinfo=timezone(timedelta(hours=8)))
    async with sessions() as session, session.begin():
        session.add_all([Customer(name="a", created_at=shanghai),
                         Customer(name="b", created_at=datetime(999, 1, 2, tzinfo=timezone.utc))])
    async with sessions() as session:
        read = {c.name: c.created_at for c in await session.scalars(select(Customer))}
        assert read == {"a": shanghai, "b": datetime(999, 1, 2, tzinfo=timezone.utc)}
        assert all(t.tzinfo is timezone.utc for t in read.values())
        assert await session.scalar(select(Customer.name).where(Customer.created_at < shanghai)) == "b"
        if engine.dialect.name == "sqlite":
            stored = (await session.execute(text("select created_at from customers order by name"))).scalars().all()
            assert stored == ["2026-11-23 04:05:06.000007", "0999-01-02 00:00:00.000000"]
            await session.execute(text("update customers set created_at = '2026-11-23 20:05:06+08:00' "
                                       "where name = 'a'"))
            assert await session.scalar(select(Customer.created_at).where(Customer.name == "a")) == datetime(
                2026, 11, 23, 12, 5, 6, tzinfo=timezone.utc)
    with pytest.raises(StatementError, match="naive datetime"):
        async with sessions() as session, session.begin():
            session.add(Customer(name="c", created_at=datetime(2026, 11, 23)))


async def test_taking_rows_already_peeked_gives_the_same_pending_rows(engine, clock: FakeClock) -> None:
    """The transaction that takes rows whose messages were read ahead gets the same rows, those messages among them,
    as one that reads them all again: only those still pending, a row done meanwhile left out."""
    sessions = session_factory(engine)
    committed: list[Committed] = []

    async def on_committed(items: list[Committed]) -> None:
        committed.extend(items)

    intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=on_committed)
    await intake([_inbound(n) for n in range(3)])
    await intake.close()
    ids = sorted(c.inbox_id for c in committed)
    async with sessions() as session:
        peeked = await InboxStore.peek_pending(session, ids)
    assert sorted(peeked) == ids
    async with sessions() as session, session.begin():
        await InboxStore.mark_done(session, [(ids[0], clock.now(), "")])
    async with sessions() as session, session.begin():
        again = await InboxStore.take_pending(session, ids)
        taken = await InboxStore.take_pending(session, ids, peeked)
        partly = await InboxStore.take_pending(session, ids, {ids[1]: peeked[ids[1]]})
    assert sorted(taken) == ids[1:] and taken == again == partly
    assert [taken[i].inbound for i in ids[1:]] == [_inbound(1), _inbound(2)]


async def test_a_closed_session_goes_with_its_services_without_the_garbage_collector(engine, clock: FakeClock) -> None:
    """A transaction's services listen to its session's commit and hold the session: once it is closed, the session,
    the services and the rows they keep go as soon as nothing else holds them, not at the collector's next pass."""
    sessions = session_factory(engine)
    gc.collect()
    gc.disable()
    try:
        for _ in range(2):  # the thread's state is created, then read back as a row
            async with sessions() as session, session.begin():
                services = Services.in_transaction(session, clock)
                await services.people.resolve(channel="webchat", sender="wc-gone", display_name="A")
                state = await services.conversations.load(channel="webchat", thread="wc:gone", sender="wc-gone")
                services.conversations.note(state, kept=True)
            held = [weakref.ref(session), weakref.ref(services.conversations), weakref.ref(services.people)]
            del session, services
            assert [ref() for ref in held] == [None, None, None]
    finally:
        gc.enable()

