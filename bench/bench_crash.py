"""kill -9 under load, again and again: every acknowledged message still has exactly one effect.

One real `aftersales serve` process (SQLite, or a throwaway PostgreSQL database with `--postgres`) takes
`--conversations` web-chat customers, each sending `--messages` messages in order: a problem, then details. A
customer whose message is not acknowledged (the hub is gone, or answers `unavailable`) reconnects and sends it again
with the same client id, as the chat page does. Every `--every` acknowledgements the hub is killed with SIGKILL and
started again, `--kills` times. Then the hub works off its inbox and the script counts from the database: messages
acknowledged, inbox rows, ticket messages per inbox row (none: lost; more than one: duplicated), replies per inbox
row and tickets per conversation.

    .venv/bin/python bench/bench_crash.py [--conversations 100] [--messages 30] [--kills 3] [--every 600]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker  # noqa: E402

from bench.bench_intake import throwaway_database  # noqa: E402
from core.storage.db import create_engine, session_factory  # noqa: E402
from core.storage.models import InboxRow, OutboxRow, Ticket, TicketMessage  # noqa: E402
from testkit.hub_process import HubProcess, wait_until_processed  # noqa: E402


def text_of(conversation: int, index: int) -> str:
    if index == 0:
        return "洗衣机不脱水了，滚筒一直响，麻烦派个师傅"
    return f"补充一下情况，第{index}次，电话1381234{conversation:04d}"


async def customer(http: aiohttp.ClientSession, url: str, n: int, messages: int, acked: set[str]) -> None:
    """Send this customer's messages in order; a message counts once its ack arrives, and is sent again (same
    client id) on any failure until it does."""
    session = f"crashbench{n:06d}session"
    index = 0
    while index < messages:
        try:
            async with http.ws_connect(f"{url}/chat/ws?session={session}") as ws:
                while index < messages:
                    await ws.send_str(json.dumps({"type": "message", "text": text_of(n, index), "id": f"m{index}"},
                                                 ensure_ascii=False))
                    while (frame := json.loads((await ws.receive(timeout=10)).data))["type"] not in ("ack", "error"):
                        pass
                    if frame["type"] == "error":
                        raise ConnectionError(frame["code"])
                    acked.add(f"{session}:m{index}")
                    index += 1
        except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, TypeError, json.JSONDecodeError):
            await asyncio.sleep(0.2)


async def count(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        rows = {row.id: row for row in await session.scalars(select(InboxRow))}
        effects = Counter(await session.scalars(select(TicketMessage.inbox_id)))
        replies = Counter(int(key.split(":")[1]) for key in await session.scalars(
            select(OutboxRow.idempotency_key).where(OutboxRow.idempotency_key.like("inbox:%"))))
        tickets = Counter(await session.scalars(select(Ticket.conversation)))
    return {
        "inbox rows": len(rows),
        "rows not done": sum(row.status != "done" for row in rows.values()),
        "lost (no ticket message)": sum(1 for inbox_id in rows if effects[inbox_id] == 0),
        "duplicated (more than one)": sum(1 for n in effects.values() if n > 1),
        "rows without a reply": sum(1 for inbox_id in rows if replies[inbox_id] == 0),
        "conversations": len(tickets),
        "conversations with more than one ticket": sum(1 for n in tickets.values() if n > 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--messages", type=int, default=30, help="messages per conversation")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--every", type=int, default=600, help="acknowledgements between kills")
    parser.add_argument("--postgres", metavar="URL", help="run on a throwaway database of this PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        async with throwaway_database(args.postgres, Path(tmp)) as database_url:
            hub = HubProcess(Path(tmp) / "hub", database_url=database_url)
            print(f"hub log: {hub.log}")
            acked: set[str] = set()
            started = time.perf_counter()
            try:
                await hub.start()
                async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                    load = asyncio.gather(*(customer(http, hub.url, n, args.messages, acked)
                                            for n in range(args.conversations)))
                    for kill in range(1, args.kills + 1):
                        while len(acked) < kill * args.every and not load.done():
                            await asyncio.sleep(0.005)
                        hub.signal(signal.SIGKILL)
                        print(f"kill -9 number {kill} after {len(acked)} acknowledgements")
                        await hub.start()
                    await load
                engine = create_engine(database_url)
                try:
                    sessions = session_factory(engine)
                    pending = await wait_until_processed(sessions, timeout=600)
                    elapsed = time.perf_counter() - started
                    hub.signal(signal.SIGTERM)
                    counts = await count(sessions)
                finally:
                    await engine.dispose()
            finally:
                hub.kill()
            print(f"{len(acked)} messages acknowledged from {args.conversations} conversations in {elapsed:.1f} s, "
                  f"{args.kills} kills; {pending} still pending")
            for name, value in counts.items():
                print(f"  {name:42s} {value}")


if __name__ == "__main__":
    asyncio.run(main())
