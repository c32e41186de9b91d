"""Durable intake → ticket, end to end, through the web chat of real `aftersales serve` processes.

By default one hub process on SQLite (WAL mode, in-process bus, real NLP); with `--postgres` on a throwaway
PostgreSQL database, and with `--processes N` several hubs sharing a Redis bus (`--split`: one of them only takes
messages in, the others handle them; `--intake-only`: nobody handles them, acknowledgements alone). This script is
the customers: many web-chat conversations over real websockets, each opening a problem and following up with
details, a status query and thanks. Two phases:

* fixed load — open loop at `--rate` messages/s for `--seconds`: ack latency (message committed to the inbox) and
  reply latency (processed into its ticket, the reply pushed back over the socket), p50/p90/p99/max;
* saturation — every conversation keeps `--window` messages in flight: acks/s, and end to end messages/s until the
  last message has been processed and answered.

Client and hub share this machine's cores, so the figures are a floor for a hub on a host of its own. Each phase
also prints its CPU time per message — each hub, PostgreSQL's sessions, Redis, this client — which holds better than
the rates on a machine others share, each hub's own view of it (how late its event loop ran, which every
acknowledgement waits behind, and its intake's call-to-commit time, from /metrics), and with `--pg-activity` what
PostgreSQL's sessions were doing (waiting for a lock, for the hub, working).

    .venv/bin/python bench/bench_intake.py [--conversations 200] [--rate 1000] [--seconds 5] [--messages 5000]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test [--pg-activity]] [--processes 2 [--split]]
        [--intake-only]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict, deque
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import AsyncIterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import redis.asyncio as redis  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.cpu import process_cpu  # noqa: E402
from bench.hub_histograms import INTAKE_COMMIT, LOOP_LAG, buckets, summary  # noqa: E402
from bench.latency import collector_paused, summarize_ms  # noqa: E402
from bench.pg_activity import watching  # noqa: E402
from bot.bootstrap import default_partitions  # noqa: E402
from core.inbox.relay import TOPIC  # noqa: E402
from core.storage.db import create_engine  # noqa: E402
from testkit.hub_process import HubProcess  # noqa: E402

PROBLEMS = ["洗衣机不脱水了，滚筒一直响，麻烦派个师傅", "空调不制冷，开了一小时屋里还是30度", "热水器漏水了，地上一滩水",
            "冰箱冷藏室不冷了，菜都放坏了", "油烟机吸力很小，炒菜满屋子烟", "燃气灶打不着火，点了好几次都不行",
            "新买的洗碗机想约个师傅上门安装", "净水器滤芯到期了，想预约保养", "电视机屏幕有一条竖线", "扫地机器人充不进电"]
FOLLOW_UPS = ["电话13812345678", "地址是上海市浦东新区张杨路500号12楼", "明天下午三点以后家里有人",
              "机身码 SN: GH2024A0012345", "我的工单到哪了", "谢谢"]


def script(conversation: int, index: int) -> str:
    """What customer `conversation` says as its `index`-th message: a problem first, then details and questions."""
    if index == 0:
        return PROBLEMS[conversation % len(PROBLEMS)]
    return FOLLOW_UPS[(index - 1) % len(FOLLOW_UPS)]


class Conversation:
    """One customer's websocket; sends in order and records send, ack and reply times per message."""

    def __init__(self, n: int, ws: aiohttp.ClientWebSocketResponse, session: str) -> None:
        self.n = n
        self.ws = ws
        self.session = session
        self.sent = 0
        self.sent_at: dict[str, float] = {}
        self.unanswered: deque[float] = deque()
        self.acks: list[float] = []
        self.replies: list[float] = []
        self.errors: dict[str, int] = defaultdict(int)
        self.acked = asyncio.Event()

    async def send(self, scheduled: float) -> None:
        client_id = f"m{self.sent}"
        self.sent_at[client_id] = scheduled
        self.unanswered.append(scheduled)
        text = script(self.n, self.sent)
        self.sent += 1
        await self.ws.send_str(json.dumps({"type": "message", "text": text, "id": client_id}, ensure_ascii=False))

    async def read(self) -> None:
        async for message in self.ws:
            frame = json.loads(message.data)
            now = time.perf_counter()
            if frame["type"] == "ack":
                self.acks.append(now - self.sent_at.pop(frame["id"]))
                self.acked.set()
            elif frame["type"] == "message" and self.unanswered:
                self.replies.append(now - self.unanswered.popleft())
            elif frame["type"] == "error":
                self.errors[frame["code"]] += 1


async def connect(http: aiohttp.ClientSession, urls: list[str], count: int, offset: int) -> list[Conversation]:
    """`count` customers, spread over the hubs at `urls`."""
    async def one(n: int) -> Conversation:
        url = urls[n % len(urls)]
        ws = await http.ws_connect(f"{url}/chat/ws?session=bench{offset + n:06d}session", max_msg_size=0)
        hello = json.loads((await ws.receive()).data)
        return Conversation(offset + n, ws, hello["session"])
    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def drain(conversations: list[Conversation], total: int, timeout: float) -> float:
    """Wait until every message got its ack (up to 30 s), then its reply (up to `timeout`); returns when the last
    reply arrived."""
    deadline = time.perf_counter() + 30
    while sum(len(c.acks) for c in conversations) < total and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    deadline = time.perf_counter() + timeout
    while sum(len(c.replies) for c in conversations) < total and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    return time.perf_counter()


def report(name: str, conversations: list[Conversation], sent: int, elapsed: float, finished: float) -> None:
    acks = [x for c in conversations for x in c.acks]
    replies = [x for c in conversations for x in c.replies]
    errors: dict[str, int] = defaultdict(int)
    for c in conversations:
        for code, count in c.errors.items():
            errors[code] += count
    print(f"{name}: {sent} messages from {len(conversations)} conversations in {elapsed:.2f} s "
          f"→ {len(acks) / elapsed:.0f} acks/s; all processed and answered after {finished:.2f} s "
          f"→ {len(replies) / finished:.0f} msg/s end to end")
    print(f"  ack    {summarize_ms(acks)}")
    print(f"  reply  {summarize_ms(replies)}")
    if errors or len(replies) != sent:
        print(f"  errors {dict(errors)}; replies {len(replies)} of {sent}")


async def fixed_load(conversations: list[Conversation], rate: float, seconds: float, reply_timeout: float) -> None:
    """Open loop: message k is due at start + k/rate whatever the hub's pace, so queueing shows up as latency."""
    readers = [asyncio.create_task(c.read()) for c in conversations]
    total = int(rate * seconds)
    started = time.perf_counter()
    for k in range(total):
        due = started + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await conversations[k % len(conversations)].send(due)
    elapsed = time.perf_counter() - started
    finished = await drain(conversations, total, timeout=reply_timeout) - started
    report(f"fixed load {rate:.0f} msg/s", conversations, total, elapsed, finished)
    for task in readers:
        task.cancel()


async def saturation(conversations: list[Conversation], messages: int, window: int, reply_timeout: float) -> None:
    """Closed loop: each conversation keeps `window` messages in flight until `messages` have been sent in all."""
    readers = [asyncio.create_task(c.read()) for c in conversations]
    per_conversation = messages // len(conversations)

    async def customer(c: Conversation) -> None:
        while c.sent < per_conversation:
            while c.sent - len(c.acks) >= window:
                c.acked.clear()
                await c.acked.wait()
            await c.send(time.perf_counter())
        while len(c.acks) < c.sent:
            c.acked.clear()
            await c.acked.wait()

    started = time.perf_counter()
    await asyncio.gather(*(customer(c) for c in conversations))
    elapsed = time.perf_counter() - started
    total = per_conversation * len(conversations)
    finished = await drain(conversations, total, timeout=reply_timeout) - started
    report(f"saturation (window {window})", conversations, total, elapsed, finished)
    for task in readers:
        task.cancel()


async def lanes_spread(url: str, lanes: int, handlers: int, timeout: float = 60.0) -> None:
    """Wait until all `lanes` are held and each handling process holds its share: the first process to start
    takes them all and hands the others' shares back within a few seconds, which would otherwise fall in the
    first phase."""
    client = redis.from_url(url, decode_responses=True)
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            keys = await client.keys(f"aftersales:{TOPIC}:*:lease:*")
            owners = [owner for owner in await client.mget(keys) if owner] if keys else []
            if len(owners) == lanes and len(set(owners)) == handlers and \
                    max(map(owners.count, set(owners))) <= -(-lanes // handlers):
                return
            await asyncio.sleep(0.2)
    finally:
        await client.aclose()
    print(f"  (the lanes were not spread over {handlers} processes within {timeout:.0f} s)")


async def redis_cpu(url: str | None) -> float:
    """CPU seconds the Redis server has used (all its clients), 0 without a Redis bus."""
    if url is None:
        return 0.0
    client = redis.from_url(url)
    try:
        info = await client.info("cpu")
    finally:
        await client.aclose()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


@asynccontextmanager
async def costs(hubs: list[HubProcess], messages: int, *, redis_url: str | None, postgres_url: str | None,
                sample_every: float) -> AsyncIterator[None]:
    """Print what the phase cost per message in CPU time — each hub, PostgreSQL's sessions, Redis, this client —
    with the load average, and with `sample_every` < 1 s what PostgreSQL's sessions were doing (`bench/pg_activity.py`)."""
    pids = [hub.process.pid for hub in hubs if hub.process is not None]
    histograms = [await buckets(hub.url) for hub in hubs]
    before = [process_cpu(pid) or 0.0 for pid in pids]
    client_before = time.process_time()
    redis_before = await redis_cpu(redis_url)
    async with watching(postgres_url, every=sample_every) as activity:
        yield
    hub_ms = [((process_cpu(pid) or start) - start) * 1000 / messages for pid, start in zip(pids, before)]
    redis_ms = (await redis_cpu(redis_url) - redis_before) * 1000 / messages
    client_ms = (time.process_time() - client_before) * 1000 / messages
    print(f"  CPU per message: hubs {sum(hub_ms):.2f} ms ({' + '.join(f'{ms:.2f}' for ms in hub_ms)}), "
          f"postgres {activity.backend_cpu * 1000 / messages:.2f} ms, redis {redis_ms:.2f} ms, "
          f"this client {client_ms:.2f} ms; load average {os.getloadavg()[0]:.2f}")
    for n, (hub, earlier) in enumerate(zip(hubs, histograms)):
        later = await buckets(hub.url)
        print(f"  hub {n}: event-loop lag {summary(LOOP_LAG, earlier, later)}; "
              f"intake call to commit {summary(INTAKE_COMMIT, earlier, later)}")
    if postgres_url is not None:
        print(activity.summary(messages))


async def count_effects(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as con:
            inbox = dict((await con.execute(text("select status, count(*) from inbox group by status"))).all())
            tickets = (await con.execute(text("select count(*) from tickets"))).scalar()
            outbox = dict((await con.execute(text("select status, count(*) from outbox group by status"))).all())
    finally:
        await engine.dispose()
    return f"inbox {inbox}, tickets {tickets}, outbox {outbox}"


@asynccontextmanager
async def throwaway_database(server_url: str | None, tmp: Path) -> AsyncIterator[str]:
    """A SQLite file in `tmp`, or a fresh database on the given PostgreSQL server, dropped afterwards."""
    if server_url is None:
        yield f"sqlite+aiosqlite:///{tmp / 'hub.db'}"
        return
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"aftersales_bench_{uuid.uuid4().hex[:8]}"
    async with admin.connect() as con:
        await con.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as con:
            await con.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1000.0, help="offered load of the fixed-load phase, msg/s")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--messages", type=int, default=5000, help="messages of the saturation phase")
    parser.add_argument("--window", type=int, default=4, help="messages in flight per conversation at saturation")
    parser.add_argument("--postgres", metavar="URL", help="run on a throwaway database of this PostgreSQL server "
                        "(postgresql+asyncpg://…) instead of SQLite")
    parser.add_argument("--processes", type=int, default=1, help="hub processes sharing a Redis bus "
                        "(and the database); conversations are spread over them")
    parser.add_argument("--split", action="store_true", help="with --processes N: the first process only takes "
                        "messages in (bus.process = false) and holds every socket; the other N-1 handle them")
    parser.add_argument("--intake-only", action="store_true", help="no process handles the messages (bus.process "
                        "= false everywhere): acknowledgements alone, the floor under the other figures")
    parser.add_argument("--redis", metavar="URL", default="redis://127.0.0.1:6379/14",
                        help="Redis database for the bus with --processes > 1 or --intake-only; it is emptied first")
    parser.add_argument("--pg-activity", action="store_true", help="with --postgres: sample what the database's "
                        "sessions are doing every 20 ms (states, lock waits) and print it per phase")
    parser.add_argument("--keep-log", type=int, default=0, help="print the last N characters of each hub's log")
    args = parser.parse_args()
    if args.split and args.processes < 2:
        parser.error("--split needs --processes 2 or more")
    with tempfile.TemporaryDirectory() as tmp:
        async with throwaway_database(args.postgres, Path(tmp)) as database_url:
            bus = ""
            if args.processes > 1 or args.intake_only:
                client = redis.from_url(args.redis)
                await client.flushdb()
                await client.aclose()
                bus = f'[bus]\nbackend = "redis"\nredis_url = "{args.redis}"\n'
            hubs = [HubProcess(Path(tmp) / f"hub{n}", database_url=database_url,
                               extra_config=bus + ("process = false\n" if args.intake_only or args.split and n == 0
                                                   else ""))
                    for n in range(args.processes)]
            print(f"hub logs: {', '.join(str(hub.log) for hub in hubs)}")
            try:
                for hub in hubs:
                    await hub.start()
                if bus and not args.intake_only:
                    await lanes_spread(args.redis, default_partitions(database_url),
                                       args.processes - 1 if args.split else args.processes)
                urls = [hub.url for hub in hubs[:1 if args.split else None]]
                phase_costs = partial(costs, hubs, redis_url=args.redis if bus else None,
                                      postgres_url=database_url if args.postgres else None,
                                      sample_every=0.02 if args.pg_activity else 1.0)
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    conversations = await connect(http, urls, args.conversations, 0)
                    with collector_paused():
                        async with phase_costs(int(args.rate * args.seconds)):
                            await fixed_load(conversations, args.rate, args.seconds,
                                             reply_timeout=0 if args.intake_only else 120)
                    conversations = await connect(http, urls, args.conversations, args.conversations)
                    with collector_paused():
                        async with phase_costs(args.messages // args.conversations * args.conversations):
                            await saturation(conversations, args.messages, args.window,
                                             reply_timeout=0 if args.intake_only else 300)
                print(await count_effects(database_url))
            finally:
                for hub in hubs:
                    hub.kill()
                    if args.keep_log:
                        print((hub.log.read_text("utf-8", "replace"))[-args.keep_log:])


if __name__ == "__main__":
    asyncio.run(main())
