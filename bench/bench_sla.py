"""The SLA clock's cost and punctuality, on SQLite (default) or a throwaway PostgreSQL database (`--postgres URL`).

    .venv/bin/python bench/bench_sla.py [--tickets 100000] [--due 0.01] [--rate 1000] [--seconds 20]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--skip-tick | --skip-lateness]

* Clock tick: `--tickets` open tickets, each with its two SLA timers (one per target, at its warning, moving on to
  the breach and the escalation as it fires), `--due` of them with an alert due now. Timed: the indexed lookup of the next due time (what the clock
  sleeps on), the query that takes one batch of due timers, one whole tick that fires every due alert (each batch
  in one transaction with its audit events and outbox rows), and an idle tick once nothing is due.
* Alert lateness: a real `aftersales serve` process with second-long targets (first response 3 s, resolution 6 s,
  warned at half) under `--rate` messages/s of web-chat intake for `--seconds` (bench_intake's open-loop customers),
  while another customer opens a ticket every 0.25 s; once the outbox has drained, every alert that fell due
  during the load is timed from its due time to its timer firing and to the alert room's message being accepted by
  Slack (a fake on loopback).

Client, Slack fake and hub share this machine's cores, so the figures are a floor for a hub on a host of its own.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.bench_intake import connect, fixed_load, throwaway_database  # noqa: E402
from bench.latency import summarize_ms  # noqa: E402
from bot.bootstrap import default_timer_jobs  # noqa: E402
from bot.timers import BATCH, TimerWorker  # noqa: E402
from core.clock import FakeClock, SystemClock  # noqa: E402
from core.domain.people import PersonKind  # noqa: E402
from core.services.alerts import Room  # noqa: E402
from core.services.unit import Services, Wiring  # noqa: E402
from core.sla.config import parse_sla  # noqa: E402
from core.storage.db import create_engine, session_factory  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import Customer, OutboxRow, Ticket, Timer  # noqa: E402
from core.timers import TimerStore  # noqa: E402
from testkit.fakes.slack_api import FakeSlackApi  # noqa: E402
from testkit.hub_process import HubProcess  # noqa: E402

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
SLA = parse_sla({"calendar": "24x7", "policy": [{"first_response": "4h", "resolution": "3d"}],
                 "escalation": [{"after": "0s", "notify": "supervisor"}, {"after": "2h", "notify": "supervisor"}]})
WIRING = Wiring(rooms=(Room("slack", "C0ALERTS"),), sla=SLA)
ROWS = 5000
BOT_TOKEN = "xoxb-bench"
SIGNING_SECRET = "bench-signing-secret"
SERVED_SLA = ('[sla]\ncalendar = "24x7"\nwarn_at = 0.5\n[[sla.policy]]\nfirst_response = "3s"\nresolution = "6s"\n'
              '[[sla.escalation]]\nafter = "0s"\nnotify = "supervisor"\n')


def _ticket(n: int, due: bool, rng: random.Random) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An open ticket and its two pending SLA timers (one per target, at its warning); when `due`, its
    first-response warning is due now."""
    code = f"SR-B-{n:07d}"
    opened = NOW - timedelta(hours=3, minutes=13) if due else NOW - timedelta(minutes=rng.randrange(180))
    deadlines = {"first_response": (opened + timedelta(hours=3, minutes=12), opened + timedelta(hours=4)),
                 "resolution": (opened + timedelta(hours=57, minutes=36), opened + timedelta(hours=72))}
    ticket = {"code": code, "type": "repair", "priority": "P3", "status": "new", "customer_id": 1,
              "channel": "webchat", "conversation": f"c{n}", "summary": "洗衣机不脱水", "sentiment": "neutral",
              "created_at": opened, "updated_at": opened, "entities": {}, "assignee_id": None,
              **{f"{target}_{edge}_at": at for target, (warn, due_at) in deadlines.items()
                 for edge, at in (("warn", warn), ("due", due_at))}}
    timers = [{"kind": "sla", "key": f"sla:{code}:{target}", "due_at": warn,
               "payload": {"ticket": code, "target": target, "level": 0}, "status": "pending", "attempts": 0,
               "last_error": "", "created_at": opened}
              for target, (warn, _) in deadlines.items()]
    return ticket, timers


async def _fill(url: str, count: int, share: float) -> int:
    engine = create_engine(url)
    await upgrade(engine)
    rng = random.Random(7)
    due = set(rng.sample(range(count), int(count * share)))
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await session.execute(insert(Customer), [{"id": 1, "name": "张先生", "phone": "13812345678",
                                                   "locale": "zh", "created_at": NOW}])
        await Services.in_transaction(session, FakeClock(start=NOW)).people.add_staff(
            name="陈主管", role=PersonKind.SUPERVISOR, skills=[], regions=[], identities={"slack": "U0SUP"})
        for start in range(0, count, ROWS):
            made = [_ticket(n, n in due, rng) for n in range(start, min(start + ROWS, count))]
            await session.execute(insert(Ticket), [ticket for ticket, _ in made])
            await session.execute(insert(Timer), [timer for _, timers in made for timer in timers])
    await engine.dispose()
    return len(due)


async def _best(step: Callable[[], Awaitable[Any]], times: int = 5) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        await step()
        best = min(best, time.perf_counter() - started)
    return best


async def tick(url: str, count: int, share: float) -> None:
    started = time.perf_counter()
    due = await _fill(url, count, share)
    print(f"  {count} open tickets ({2 * count} SLA timers) written in {time.perf_counter() - started:.1f} s; "
          f"{due} with an alert due")
    engine = create_engine(url)
    sessions = session_factory(engine)
    clock = FakeClock(start=NOW)
    store = TimerStore(sessions=sessions, clock=clock)

    async def take_batch() -> None:
        async with sessions() as session:
            await store.take_due(session, NOW, BATCH)
            await session.rollback()

    print(f"  next due time (what the clock sleeps on)   {await _best(store.next_due) * 1000:8.2f} ms")
    print(f"  one batch of due timers taken (up to {BATCH})  {await _best(take_batch) * 1000:8.2f} ms")
    worker = TimerWorker(sessions=sessions, clock=clock, jobs=default_timer_jobs(), wiring=WIRING,
                         after_commit=lambda: None)
    started = time.perf_counter()
    fired = await worker.fire_due()
    elapsed = time.perf_counter() - started
    async with sessions() as session:
        queued = len(list(await session.scalars(select(OutboxRow.id))))
    print(f"  tick firing {fired} due alerts ({queued} messages queued) {elapsed * 1000:8.0f} ms "
          f"({elapsed / max(fired, 1) * 1000:.2f} ms per alert)")

    async def idle() -> None:
        await worker.fire_due()
        await store.next_due()

    print(f"  idle tick (nothing due: one query, then the next due time) {await _best(idle) * 1000:6.2f} ms")
    await engine.dispose()


async def _staff(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            await Services.in_transaction(session, SystemClock()).people.add_staff(
                name="陈主管", role=PersonKind.SUPERVISOR, skills=[], regions=[], identities={"slack": "U0SUP"})
    finally:
        await engine.dispose()


async def _probe(url: str, stop: asyncio.Event) -> int:
    """A customer opening a new ticket every 0.25 s until `stop`; returns how many."""
    opened = 0
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            async with http.ws_connect(f"{url}/chat/ws?session=slaprobe{opened:08d}") as ws:
                await ws.receive()
                await ws.send_str(json.dumps({"type": "message", "text": "空调不制冷，开了一小时还是30度", "id": "p"},
                                             ensure_ascii=False))
                while json.loads((await ws.receive(timeout=60)).data)["type"] != "ack":
                    pass
            opened += 1
            await asyncio.sleep(0.25)
    return opened


async def _drained(url: str, *, timeout: float) -> None:
    """Wait (up to `timeout` s) until the outbox has nothing left to send: the backlog of replies and alerts."""
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            async with session_factory(engine)() as session:
                waiting = await session.scalar(select(func.count()).select_from(OutboxRow).where(
                    OutboxRow.status.in_(("pending", "sending"))))
            if not waiting:
                return
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def _lateness(url: str, since: datetime, until: datetime) -> tuple[list[float], list[float], int]:
    """For alerts due in [since, until): (fired − due), (room message sent − due), and how many are still unsent.
    An alert fired when its room message was queued (in the transaction of the firing); it was due at its ticket's
    warning time (level 0) or due time (level 1, the breach: `SERVED_SLA` escalates once, at once)."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            rooms = list(await session.execute(select(OutboxRow.idempotency_key, OutboxRow.created_at,
                                                      OutboxRow.sent_at).where(
                OutboxRow.idempotency_key.like("timer:sla:%:alert:room:slack"))))
            alerts = [(key.removeprefix("timer:sla:").removesuffix(":alert:room:slack").split(":"), fired, sent)
                      for key, fired, sent in rooms]
            tickets = {ticket.code: ticket for ticket in await session.scalars(
                select(Ticket).where(Ticket.code.in_({code for (code, _, _), _, _ in alerts})))}
    finally:
        await engine.dispose()
    timed = [(getattr(tickets[code], f"{target}_{'warn' if level == '0' else 'due'}_at"), fired, sent)
             for (code, target, level), fired, sent in alerts]
    timed = [(due, fired, sent) for due, fired, sent in timed if since <= due < until]
    return ([(fired - due).total_seconds() for due, fired, _ in timed],
            [(sent - due).total_seconds() for due, _, sent in timed if sent is not None],
            sum(1 for _, _, sent in timed if sent is None))


async def lateness(url: str, tmp: Path, rate: float, seconds: float) -> None:
    slack = await FakeSlackApi(token=BOT_TOKEN).start()
    await _staff(url)
    config = (f'[slack]\nbot_token = "{BOT_TOKEN}"\nsigning_secret = "{SIGNING_SECRET}"\n'
              f'api_base_url = "{slack.url}"\nalerts_channel = "C0ALERTS"\n' + SERVED_SLA)
    hub = HubProcess(tmp / "hub", database_url=url, extra_config=config)
    try:
        await hub.start(migrate=False)
        stop = asyncio.Event()
        since = datetime.now(timezone.utc)
        probe = asyncio.create_task(_probe(hub.url, stop))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await fixed_load(await connect(http, [hub.url], 200, 0), rate, seconds, reply_timeout=120)
        until = datetime.now(timezone.utc)
        stop.set()
        probes = await probe
        await asyncio.sleep(7)  # the last probe's alerts fall due
        await _drained(url, timeout=300)
        fired, delivered, unsent = await _lateness(url, since, until)
        print(f"  {probes} probe tickets; {len(fired)} SLA alerts fell due during the load")
        print(f"  timer fired − due      {summarize_ms(fired)}")
        print(f"  room message − due     {summarize_ms(delivered)}" + (f"  ({unsent} not sent)" if unsent else ""))
    finally:
        hub.kill()
        await slack.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=float, default=0.01, help="share of the open tickets with an alert due")
    parser.add_argument("--rate", type=float, default=1000.0, help="web-chat intake while alerts fall due, msg/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long that load lasts")
    parser.add_argument("--postgres", metavar="URL", help="run on throwaway databases of this PostgreSQL server "
                        "(postgresql+asyncpg://…) instead of SQLite")
    parser.add_argument("--skip-tick", action="store_true")
    parser.add_argument("--skip-lateness", action="store_true")
    args = parser.parse_args()
    store = "postgresql" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_tick:
            print(f"clock tick, {store}:")
            async with throwaway_database(args.postgres, Path(tmp)) as url:
                await tick(url, args.tickets, args.due)
        if not args.skip_lateness:
            print(f"alert lateness under {args.rate:.0f} msg/s of intake for {args.seconds:.0f} s, {store}:")
            served = Path(tmp) / "served"
            served.mkdir()
            async with throwaway_database(args.postgres, served) as url:
                await lateness(url, Path(tmp), args.rate, args.seconds)


if __name__ == "__main__":
    asyncio.run(main())
