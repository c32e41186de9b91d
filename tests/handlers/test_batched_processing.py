"""Many messages handled in one transaction behave as if handled one by one: later messages of a thread see the
ticket, details, dispatch and cancellation that earlier ones in the same batch caused — on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import default_router
from bot.demo import load_demo
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from core.clock import FakeClock
from core.envelopes import Inbound
from core.inbox import Committed, GroupCommitIntake, InboxStore
from core.services.unit import Wiring
from core.storage.db import create_engine, session_factory
from core.storage.models import (ConversationState, InboxRow, InboxStatus, OutboxRow, Ticket, TicketEvent,
                                 TicketMessage)
from tests.handlers.conftest import DemoDatabase
from testkit.database import copy_sqlite
from testkit.understanding import keyword_understander

ALICE, BOB = "web:alice", "web:bob"
SCRIPT = [
    ("webchat", ALICE, "洗衣机不脱水了，滚筒一直响"),
    ("webchat", ALICE, "电话13812345678"),
    ("webchat", ALICE, "地址是上海市浦东新区张江路100号3栋"),
    ("webchat", ALICE, "我的工单到哪了"),
    ("webchat", BOB, "空调不制冷，开了一小时还是30度"),
    ("webchat", BOB, "不用修了，取消工单"),
    ("webchat", BOB, "我的工单到哪了"),
    ("wecom", "wangshifu", "我的工单"),
]


async def _accept(engine: AsyncEngine, clock: FakeClock, script: list[tuple[str, str, str]] = SCRIPT) -> list[int]:
    committed: list[Committed] = []

    async def keep(rows: list[Committed]) -> None:
        committed.extend(rows)

    intake = GroupCommitIntake(sessions=session_factory(engine), clock=clock, on_committed=keep)
    inbounds = [Inbound(channel=channel, account="test", external_id=f"m{n}", sender=sender, conversation=sender,
                        text=text, sent_at=datetime.now(timezone.utc)) for n, (channel, sender, text) in enumerate(script)]
    await intake(inbounds)
    await intake.close()
    return sorted(c.inbox_id for c in committed)


async def _replies(engine: AsyncEngine, inbox_id: int) -> list[dict[str, Any]]:
    async with session_factory(engine)() as session:
        rows = await session.scalars(select(OutboxRow).where(
            OutboxRow.idempotency_key.like(f"inbox:{inbox_id}:%")).order_by(OutboxRow.id))
        return [row.payload for row in rows]


async def _process_in_one_go(engine: AsyncEngine, clock: FakeClock, ids: list[int]) -> int:
    """Process the inbox rows with a transaction budget none of them exceeds; the number of commits it took."""
    pipeline = Pipeline(sessions=session_factory(engine),
                        inbox=InboxStore(sessions=session_factory(engine), clock=clock),
                        understander=keyword_understander(), wiring=Wiring(channels=frozenset({"wecom", "webchat"})),
                        router=default_router(), clock=clock, metrics=Metrics(), after_commit=lambda: None,
                        transaction_budget=60.0)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(engine.sync_engine, "commit", count)
    await pipeline.process(ids)
    event.remove(engine.sync_engine, "commit", count)
    return len(commits)


async def test_one_transaction_sees_its_own_earlier_effects(engine: AsyncEngine, database_url: str,
                                                            clock: FakeClock) -> None:
    await load_demo(database_url, only_if_empty=False)
    ids = await _accept(engine, clock)
    assert await _process_in_one_go(engine, clock, ids) == 1

    out = [await _replies(engine, inbox_id) for inbox_id in ids]
    assert [[o["template"] for o in replies] for replies in out] == [
        ["ticket_opened"], ["ticket_updated"], ["ticket_updated", "dispatch_notice"], ["status_report"],
        ["ticket_opened"], ["ticket_cancelled"], ["status_report"], ["my_jobs"]]
    first, second = out[0][0]["data"]["ticket"]["id"], out[4][0]["data"]["ticket"]["id"]
    assert first != second
    assert out[2][1]["recipient"] == "wangshifu" and out[2][1]["data"]["job"]["phone"] == "13812345678"
    assert [(t["id"], t["status"]) for t in out[3][0]["data"]["tickets"]] == [(first, "assigned")]
    assert [(t["id"], t["status"]) for t in out[6][0]["data"]["tickets"]] == [(second, "cancelled")]
    assert [j["ticket"]["id"] for j in out[7][0]["data"]["jobs"]] == [first]

    async with session_factory(engine)() as session:
        assert set(await session.scalars(select(InboxRow.status))) == {"done"}
        tickets = {t.code: t for t in await session.scalars(select(Ticket))}
        assert set(tickets) == {first, second}
        assert tickets[first].entities["phones"] == ["13812345678"] and tickets[first].status == "assigned"
        actions = list(await session.scalars(select(TicketEvent.action).where(
            TicketEvent.ticket_id == tickets[first].id).order_by(TicketEvent.id)))
    assert actions == ["opened", "details_added", "details_added", "assignee", "status"]


async def test_a_long_processing_transaction_lets_the_intake_commit_first(tmp_path: Path, clock: FakeClock,
                                                                          demo_database: DemoDatabase) -> None:
    """On SQLite the intake and processing share one writer. A message arriving while a backlog is processed in
    large transactions is committed — and so acknowledged — at the latest after the message in hand, not after the
    transaction (before the transaction even begins when it arrives while the next batch is understood ahead)."""
    engine = create_engine(copy_sqlite(demo_database.path, tmp_path / "hub.db"))
    sessions = session_factory(engine)
    committed: list[Committed] = []

    async def keep(rows: list[Committed]) -> None:
        committed.extend(rows)

    intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=keep)
    backlog = 400
    await intake([Inbound(channel="webchat", account="", external_id=f"m{n}", sender=f"web:c{n % 40}",
                          conversation=f"web:c{n % 40}", text=SCRIPT[n % 4][2], sent_at=datetime.now(timezone.utc))
                  for n in range(backlog)])
    pipeline = Pipeline(sessions=sessions, inbox=InboxStore(sessions=sessions, clock=clock),
                        understander=keyword_understander(), router=default_router(),
                        clock=clock, metrics=Metrics(), after_commit=lambda: None, transaction_budget=60.0)

    async def done() -> int:
        async with sessions() as session:
            return await session.scalar(select(func.count()).where(InboxRow.status == "done")) or 0

    processing = asyncio.create_task(pipeline.process(sorted(c.inbox_id for c in committed)))
    while await done() == 0:
        await asyncio.sleep(0)
    first_transaction = await done()
    assert await intake([Inbound(channel="webchat", account="", external_id="late", sender="web:late",
                                 conversation="web:late", text="热水器漏水了", sent_at=datetime.now(timezone.utc))]) == [True]
    done_when_acknowledged = await done()
    await processing
    all_done = await done()
    await intake.close()
    await engine.dispose()
    assert first_transaction <= done_when_acknowledged < first_transaction + 10
    assert all_done == backlog


async def test_a_row_delivered_twice_in_one_batch_has_one_effect(engine: AsyncEngine, database_url: str,
                                                                 clock: FakeClock) -> None:
    """A resend re-publishes a row that is still pending, so one consumer batch can carry it twice."""
    await load_demo(database_url, only_if_empty=False)
    ids = await _accept(engine, clock)
    pipeline = Pipeline(sessions=session_factory(engine),
                        inbox=InboxStore(sessions=session_factory(engine), clock=clock),
                        understander=keyword_understander(),
                        router=default_router(), clock=clock, metrics=Metrics(), after_commit=lambda: None)
    await pipeline.process([ids[0], ids[1], ids[0], ids[1], ids[2]])
    async with session_factory(engine)() as session:
        effects = list(await session.scalars(select(TicketMessage.inbox_id).order_by(TicketMessage.inbox_id)))
    assert effects == ids[:3]


async def test_going_on_or_off_duty_counts_for_the_very_next_job_in_the_batch(engine: AsyncEngine, database_url: str,
                                                                            clock: FakeClock) -> None:
    """王师傅 and 李师傅 both repair in 上海市 and would get jobs by load, ties by id: whoever just said 下班 in the
    same transaction gets no job, whoever just said 上班 does — each change counts for the very next decision."""
    await load_demo(database_url, only_if_empty=False)
    report = "洗衣机不脱水了，电话1381234567{n}，地址上海市浦东新区张江路10{n}号"
    ids = await _accept(engine, clock, [
        ("wecom", "wangshifu", "下班"),
        ("webchat", "web:c1", report.format(n=1)),
        ("wecom", "wangshifu", "上班"),
        ("webchat", "web:c2", report.format(n=2)),
        ("wecom", "wangshifu", "下班"),
        ("webchat", "web:c3", report.format(n=3)),
    ])
    assert await _process_in_one_go(engine, clock, ids) == 1
    offers = [[r["recipient"] for r in await _replies(engine, ids[n]) if r["template"] == "dispatch_notice"]
              for n in (1, 3, 5)]
    assert offers == [["lishifu"], ["wangshifu"], ["lishifu"]]



@pytest.mark.parametrize("own_work_only", [True, False])
async def test_a_budget_of_own_work_is_not_spent_by_other_tasks(tmp_path: Path, clock: FakeClock,
                                                                 demo_database: DemoDatabase,
                                                                 own_work_only: bool) -> None:
    """Between its messages a transaction lets the event loop's other tasks run (sockets, the sender, the other
    partitions). Counted in its own work (on a SQLite file of one process, whose statements run on the event
    loop), what they do meanwhile leaves its budget alone and the batch is one transaction; counted across (wall
    time, where others wait for its locks), the same busy neighbour ends each transaction after one message."""
    engine = create_engine(copy_sqlite(demo_database.path, tmp_path / "hub.db"))
    ids = await _accept(engine, clock)
    elapsed = [0.0]

    async def neighbour() -> None:
        while True:
            elapsed[0] += 10.0
            await asyncio.sleep(0)

    pipeline = Pipeline(sessions=session_factory(engine), inbox=InboxStore(sessions=session_factory(engine), clock=clock),
                        understander=keyword_understander(), router=default_router(), clock=clock, metrics=Metrics(),
                        after_commit=lambda: None, transaction_budget=1.0, budget_clock=lambda: elapsed[0],
                        own_work_only=own_work_only)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(engine.sync_engine, "commit", count)
    busy = asyncio.create_task(neighbour())
    try:
        await pipeline.process(ids)
    finally:
        busy.cancel()
        event.remove(engine.sync_engine, "commit", count)
        await engine.dispose()
    assert len(commits) == (1 if own_work_only else len(SCRIPT))


@pytest.mark.parametrize("sole_writer", [True, False])
async def test_a_batch_the_intake_interrupts_is_handled_once_and_in_order(tmp_path: Path, clock: FakeClock,
                                                                          demo_database: DemoDatabase,
                                                                          caplog: pytest.LogCaptureFixture,
                                                                          sole_writer: bool) -> None:
    """Customers keep writing while a batch is handled, so the intake wants SQLite's writer at every message. The
    batch commits what it has done and lets the intake's commit in; where this process alone writes the file it then
    goes on with what it had read, elsewhere it starts a new transaction. Either way each message is handled once,
    in order, no transaction fails (a new thread's state is stored once, though its transaction went on after
    storing it), and the intake commits between the batch's messages instead of after the batch."""
    engine = create_engine(copy_sqlite(demo_database.path, tmp_path / "hub.db"))
    ids = await _accept(engine, clock)
    sessions = session_factory(engine)
    order: list[str] = []

    async def keep(rows: list[Committed]) -> None:
        order.append("intake")

    intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=keep)

    async def customer(k: int) -> None:
        for n in itertools.count():
            await intake([Inbound(channel="webchat", account="test", external_id=f"late{k}-{n}",
                                  sender=f"web:late{k}", conversation=f"web:late{k}", text="你好",
                                  sent_at=datetime.now(timezone.utc))])

    async def customers() -> None:
        await asyncio.gather(*(customer(k) for k in range(4)))

    pipeline = Pipeline(sessions=sessions, inbox=InboxStore(sessions=sessions, clock=clock),
                        understander=keyword_understander(), router=default_router(), clock=clock, metrics=Metrics(),
                        after_commit=lambda: order.append("batch"), transaction_budget=60.0, sole_writer=sole_writer)
    writing = asyncio.create_task(customers())
    try:
        await pipeline.process(ids)
    finally:
        writing.cancel()
        await asyncio.gather(writing, return_exceptions=True)
        await intake.close()
    async with sessions() as session:
        handled = list(await session.scalars(select(TicketMessage.inbox_id).order_by(TicketMessage.id)))
        rows = (await session.execute(select(InboxRow.status, InboxRow.attempts).where(InboxRow.id.in_(ids)))).all()
        states = (await session.execute(select(ConversationState.conversation, func.count())
                                        .group_by(ConversationState.channel, ConversationState.conversation,
                                                  ConversationState.sender))).all()
    await engine.dispose()
    assert handled == sorted(set(handled)) and handled
    assert set(rows) == {(InboxStatus.DONE, 0)} and len(rows) == len(ids)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert states and all(count == 1 for _, count in states)
    assert "intake" in order[:len(order) - 1 - order[::-1].index("batch")]
