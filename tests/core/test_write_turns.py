"""SQLite's writers take turns, and the intake's commit goes first."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from core.storage.db import create_engine, let_urgent_writes_in, session_factory, urgent_write_waiting
from core.storage.write_turns import URGENT, WriteTurns


async def test_urgent_waiters_go_before_earlier_normal_ones() -> None:
    turns = WriteTurns()
    order: list[str] = []
    await turns.acquire(urgent=False)

    async def writer(name: str, urgent: bool) -> None:
        await turns.acquire(urgent=urgent)
        order.append(name)
        turns.release()

    waiting = [asyncio.create_task(writer("batch-1", False)), asyncio.create_task(writer("batch-2", False))]
    await asyncio.sleep(0)
    waiting.append(asyncio.create_task(writer("intake", True)))
    await asyncio.sleep(0)
    turns.release()
    await asyncio.gather(*waiting)
    assert order == ["intake", "batch-1", "batch-2"]


async def test_a_transaction_letting_urgent_ones_in_goes_on_first(tmp_path: Path) -> None:
    """A long transaction that sees the intake waiting commits, lets every urgent transaction through, then goes
    on ahead of the ordinary ones that queued before the intake: what it committed stays, and nothing but the urgent
    writes came in between."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    sessions = session_factory(engine)
    order: list[str] = []
    try:
        async with sessions() as session, session.begin():
            await session.execute(text("create table t (name text)"))

        async def write(name: str, urgent: bool) -> None:
            async with sessions(info={URGENT: True} if urgent else {}) as session, session.begin():
                await session.execute(text("insert into t values (:name)"), {"name": name})
                order.append(name)

        async with sessions() as session, session.begin():
            await session.execute(text("insert into t values ('long, first part')"))
            others = [asyncio.create_task(write("ordinary", False))]
            await asyncio.sleep(0)
            others += [asyncio.create_task(write(f"intake {n}", True)) for n in (1, 2)]
            await asyncio.sleep(0)
            assert urgent_write_waiting(session)
            await let_urgent_writes_in(session)
            order.append("long goes on")
            assert not urgent_write_waiting(session)
            await session.execute(text("insert into t values ('long, second part')"))
        await asyncio.gather(*others)
        async with sessions() as session:
            stored = set(await session.scalars(text("select name from t")))
    finally:
        await engine.dispose()
    assert order == ["intake 1", "intake 2", "long goes on", "ordinary"]
    assert stored == {"long, first part", "long, second part", "intake 1", "intake 2", "ordinary"}


async def test_a_cancelled_waiter_neither_holds_nor_blocks_the_turn() -> None:
    turns = WriteTurns()
    await turns.acquire(urgent=False)
    gone = asyncio.create_task(turns.acquire(urgent=True))
    await asyncio.sleep(0)
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    turns.release()
    await asyncio.wait_for(turns.acquire(urgent=False), timeout=1)
    turns.release()


async def test_sqlite_transactions_of_one_engine_never_overlap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    sessions = session_factory(engine)
    inside = 0
    most = 0
    try:
        async with sessions() as session, session.begin():
            await session.execute(text("create table t (n integer)"))

        async def write(n: int) -> None:
            nonlocal inside, most
            async with sessions() as session, session.begin():
                inside += 1
                most = max(most, inside)
                await session.execute(text("select count(*) from t"))
                await asyncio.sleep(0.001)
                await session.execute(text("insert into t values (:n)"), {"n": n})
                inside -= 1

        await asyncio.gather(*(write(n) for n in range(20)))
        async with sessions() as session:
            assert await session.scalar(text("select count(*) from t")) == 20
    finally:
        await engine.dispose()
    assert most == 1


async def test_two_engines_on_one_file_take_turns_without_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two engines stand for two processes (an intake-only one and a worker): each has its own turns, so their
    transactions meet at SQLite's lock, and every one of them still commits."""
    url = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    engines = [create_engine(url), create_engine(url)]
    try:
        async with session_factory(engines[0])() as session, session.begin():
            await session.execute(text("create table t (n integer)"))

        async def write(engine, n: int) -> None:  # type: ignore[no-untyped-def]
            async with session_factory(engine)() as session, session.begin():
                await session.execute(text("insert into t values (:n)"), {"n": n})
                await asyncio.sleep(0.002)
                await session.execute(text("update t set n = n + 1000 where n = :n"), {"n": n})

        await asyncio.gather(*(write(engines[n % 2], n) for n in range(40)))
        async with session_factory(engines[1])() as session:
            assert list(await session.scalars(text("select n from t order by n"))) == list(range(1000, 1040))
    finally:
        for engine in engines:
            await engine.dispose()
