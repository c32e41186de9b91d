"""Dispatch figures: how long choosing a technician takes with 1,000 open jobs held by 200 technicians, and a grab-pool
race of 50 technicians accepting one pooled job at once (exactly one may win) — on SQLite (default) or PostgreSQL
(`--postgres URL`, emptied first).

    .venv/bin/python bench/bench_dispatch.py [--technicians 200] [--open 1000] [--decisions 200] [--racers 50]
                                             [--postgres postgresql+asyncpg://…/db]

The decision is `DispatchService.dispatch` on a new repair ticket (skills, regions by district then city, declines,
each candidate's load), each in its own transaction as the pipeline runs it. The race goes through the whole hub:
the 50 `接单 SR-…` messages are accepted together and handled by the hub's workers (several partitions on
PostgreSQL, so transactions really overlap); the winner is read from the database.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.bootstrap import build_hub, hub_wiring  # noqa: E402
from bot.config import Config, config_from_dict  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.domain.people import PersonKind  # noqa: E402
from core.domain.tickets import Priority, TicketType  # noqa: E402
from core.envelopes import Inbound  # noqa: E402
from core.services.unit import Services  # noqa: E402
from core.storage.db import create_engine, session_factory  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import Customer, InboxRow, OutboxRow, Staff, Ticket  # noqa: E402
from testkit.database import empty_tables  # noqa: E402
from testkit.fakes.weixin_api import new_aes_key  # noqa: E402
from testkit.understanding import keyword_understander  # noqa: E402

CITIES = ["上海市", "北京市", "苏州市", "杭州市", "南京市", "广州市", "深圳市", "成都市", "武汉市", "西安市"]
DISTRICTS = ["浦东新区", "徐汇区", "静安区", "朝阳区", "海淀区", "姑苏区", "西湖区", "鼓楼区", "天河区", "南山区"]
HELD = ["assigned", "accepted", "en_route", "on_site", "pending_parts"]
NOW = datetime.now(timezone.utc)


def _config(url: str) -> Config:
    """A hub with WeCom, where the technicians are, configured (never started): dispatch offers jobs only to
    technicians a configured channel reaches."""
    return config_from_dict({"database": {"url": url},
                             "wecom": {"corp_id": "ww-bench", "agent_id": "1", "secret": "s", "token": "t",
                                       "encoding_aes_key": new_aes_key()}})


async def _fill(url: str, technicians: int, open_jobs: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    if engine.dialect.name == "postgresql":
        await empty_tables(engine)
    rng = random.Random(20)
    async with session_factory(engine)() as session, session.begin():
        people = Services.in_transaction(session, SystemClock()).people
        for n in range(technicians):
            city = rng.choice(CITIES)
            regions = [city, rng.choice(DISTRICTS)] if rng.random() < 0.5 else [city]
            await people.add_staff(name=f"技师{n:03d}", role=PersonKind.TECHNICIAN,
                                   skills=["repair", "installation", "maintenance"], regions=regions,
                                   capacity=rng.randint(5, 10), identities={"wecom": f"tech{n:03d}"})
        await people.add_staff(name="主管", role=PersonKind.SUPERVISOR, skills=[], regions=[],
                               identities={"wecom": "supervisor"})
        await session.execute(insert(Customer), [{"id": 1, "name": "张先生", "phone": "13812345678", "locale": "zh",
                                                   "created_at": NOW}])
        ids = list(await session.scalars(select(Staff.id).where(Staff.role == "technician")))
        await session.execute(insert(Ticket), [
            {"code": f"SR-B-{n:06d}", "type": "repair", "priority": "P3", "status": rng.choice(HELD),
             "customer_id": 1, "assignee_id": rng.choice(ids), "channel": "phone", "conversation": f"c{n}",
             "summary": "洗衣机不脱水", "sentiment": "neutral", "entities": {}, "created_at": NOW, "updated_at": NOW}
            for n in range(open_jobs)])
    await engine.dispose()


async def _decisions(url: str, count: int) -> list[float]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(3)
    clock = SystemClock()
    wiring = hub_wiring(_config(url))
    timings = []
    for n in range(count):
        async with sessions() as session, session.begin():
            services = Services.in_transaction(session, clock, wiring=wiring)
            address = f"{rng.choice(CITIES)}{rng.choice(DISTRICTS)}幸福路{n}号"
            ticket = await services.tickets.open(
                customer_id=1, type=TicketType.REPAIR, priority=Priority.P3, channel="phone", conversation=f"d{n}",
                text="洗衣机不脱水", entities={"addresses": [address]}, sentiment="neutral", actor="bench",
                inbox_id=None)
            await services.tickets.row_id(ticket)  # the new ticket is written first: opening it is not the decision
            started = time.perf_counter()
            await services.dispatch.dispatch(ticket)
            timings.append(time.perf_counter() - started)
    await engine.dispose()
    return timings


async def _race(url: str, racers: int) -> tuple[int, int, float]:
    """(winners, told it was taken, seconds from the messages' arrival to the last one handled)."""
    hub = build_hub(_config(url), understander=keyword_understander())
    await hub.workers.start()
    async with hub.sessions() as session, session.begin():
        services = hub.services(session)
        ticket = await services.tickets.open(
            customer_id=1, type=TicketType.REPAIR, priority=Priority.P3, channel="phone", conversation="race",
            text="洗衣机不脱水", entities={"addresses": ["乌鲁木齐市天山区"]}, sentiment="neutral", actor="bench",
            inbox_id=None)
        result = await services.dispatch.dispatch(ticket)
        code = ticket.code
    told = {c.address for c in result.pool}
    senders = sorted(told)[:racers]
    if len(senders) < racers:
        raise SystemExit(f"only {len(senders)} technicians were offered the pooled job")
    inbounds = [Inbound(channel="wecom", account="bench", external_id=f"race-{n}", sender=sender,
                        conversation=sender, text=f"接单 {code}", sent_at=datetime.now(timezone.utc))
                for n, sender in enumerate(senders)]
    started = time.perf_counter()
    await hub.accept(inbounds)
    while True:
        async with hub.sessions() as session:
            pending = await session.scalar(select(func.count()).select_from(InboxRow).where(
                InboxRow.status == "pending"))
        if not pending:
            break
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    async with hub.sessions() as session:
        winners = await session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.code == code, Ticket.assignee_id.is_not(None), Ticket.status == "accepted"))
        refused = sum(1 for payload in await session.scalars(select(OutboxRow.payload))
                      if payload["template"] == "already_taken")
    await hub.stop()
    return int(winners or 0), int(refused or 0), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--technicians", type=int, default=200)
    parser.add_argument("--open", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--racers", type=int, default=50)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to fill (it is emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        store = "postgresql" if args.postgres else "sqlite"
        asyncio.run(_fill(url, args.technicians, args.open))
        timings = sorted(asyncio.run(_decisions(url, args.decisions)))
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{store}: dispatch decision, {args.open} open jobs × {args.technicians} technicians, "
              f"{args.decisions} new tickets: median {statistics.median(timings) * 1000:.1f} ms, "
              f"p95 {p95 * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms")
        winners, refused, elapsed = asyncio.run(_race(url, args.racers))
        print(f"{store}: grab-pool race, {args.racers} technicians accepting at once: {winners} winner(s), "
              f"{refused} told it was taken, all handled in {elapsed * 1000:.0f} ms")
        if winners != 1:
            raise SystemExit("the pool race must have exactly one winner")


if __name__ == "__main__":
    main()
