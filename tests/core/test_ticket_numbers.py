"""Ticket numbers on PostgreSQL: reserved in blocks outside the numbering transaction, so a transaction that opened a
ticket and has not committed holds up nobody else's, in this process or another; unique per day whatever happens."""
from __future__ import annotations

import asyncio
from typing import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FakeClock
from core.domain.tickets import Priority, TicketType
from core.services.people import PeopleService
from core.services.unit import Services
from core.storage.db import create_engine, session_factory
from testkit.database import empty_tables

GUARD = 30.0
"""Seconds after which a ticket still waiting is taken as blocked (a hang, not a slow machine)."""


@pytest.fixture
async def engines(postgres_database: str) -> AsyncIterator[list[AsyncEngine]]:
    """Two engines on one database: two hub processes' worth of connections and number blocks."""
    pair = [create_engine(postgres_database) for _ in range(2)]
    await empty_tables(pair[0])
    yield pair
    for engine in pair:
        await engine.dispose()


async def _customer(engine: AsyncEngine, clock: FakeClock) -> int:
    async with session_factory(engine)() as session, session.begin():
        return (await PeopleService(session=session, clock=clock).resolve(channel="webchat", sender="web:a")).id


async def _open(services: Services, customer: int) -> str:
    ticket = await services.tickets.open(
        customer_id=customer, type=TicketType.REPAIR, priority=Priority.P3, channel="webchat", conversation="c",
        text="洗衣机不脱水", entities={}, sentiment="neutral", actor="customer:1", inbox_id=None)
    return ticket.code


async def _open_and_commit(engine: AsyncEngine, clock: FakeClock, customer: int) -> str:
    async with session_factory(engine)() as session, session.begin():
        return await _open(Services.in_transaction(session, clock), customer)


async def test_an_open_transaction_holds_up_no_other_ticket(engines: list[AsyncEngine], clock: FakeClock) -> None:
    customer = await _customer(engines[0], clock)
    async with session_factory(engines[0])() as session, session.begin():
        held = await _open(Services.in_transaction(session, clock), customer)
        same_process = await asyncio.wait_for(_open_and_commit(engines[0], clock, customer), GUARD)
        other_process = await asyncio.wait_for(_open_and_commit(engines[1], clock, customer), GUARD)
    assert len({held, same_process, other_process}) == 3
    assert all(code.startswith("SR-20261123-") for code in (held, same_process, other_process))


async def test_numbers_stay_unique_across_processes_and_rollbacks(engines: list[AsyncEngine],
                                                                  clock: FakeClock) -> None:
    customer = await _customer(engines[0], clock)
    with pytest.raises(RuntimeError):
        async with session_factory(engines[1])() as session, session.begin():
            rolled_back = await _open(Services.in_transaction(session, clock), customer)
            raise RuntimeError("the transaction fails after numbering")
    codes = await asyncio.gather(*(_open_and_commit(engines[n % 2], clock, customer) for n in range(60)))
    assert len(set(codes)) == 60 and rolled_back not in codes
    clock.advance(24 * 3600)
    assert await _open_and_commit(engines[0], clock, customer) == "SR-20261124-0001"
