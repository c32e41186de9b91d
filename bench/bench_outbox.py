"""The outbox claim with per-conversation order: milliseconds per `claim_due` (one statement) on a table that has
sent a long history, with every conversation holding three replies (so each claim takes one per conversation); and
what a web-chat socket opened costs (`recipient_back`, making its conversation's waiting rows due) while those
replies wait.

    .venv/bin/python bench/bench_outbox.py [--history 200000] [--lanes 2000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert  # noqa: E402

from core.clock import FakeClock  # noqa: E402
from core.envelopes import Outbound  # noqa: E402
from core.outbox import Claimed, OutboxStore, enqueue  # noqa: E402
from core.storage.db import create_engine, session_factory  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import OutboxRow, OutboxStatus  # noqa: E402

ROUNDS = 10
"""Each round queues three replies in every conversation and claims until none is left."""
SOCKETS = 200
"""Sockets opened by customers with nothing waiting, while three replies wait in every other conversation."""


def message(lane: int, n: int) -> Outbound:
    return Outbound(channel="webchat", account="", recipient=f"web:c{lane}", conversation=f"web:c{lane}",
                    template="ticket_updated", data={"n": n}, idempotency_key=f"c{lane}:{n}")


async def run(url: str, history: int, lanes: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(delete(OutboxRow))
    clock = FakeClock()
    sessions = session_factory(engine)
    past = clock.now() - timedelta(days=1)
    async with sessions() as session, session.begin():
        for start in range(0, history, 10_000):
            await session.execute(insert(OutboxRow), [
                {"idempotency_key": f"old:{n}", "channel": "webchat", "conversation": f"web:c{n % lanes}",
                 "recipient": f"web:c{n % lanes}", "payload": message(n % lanes, n).to_dict(),
                 "status": OutboxStatus.SENT, "attempts": 1, "next_attempt_at": past, "last_error": "",
                 "platform_message_id": "", "created_at": past, "sent_at": past}
                for n in range(start, min(start + 10_000, history))])
    store = OutboxStore(sessions=sessions, clock=clock)
    timings: list[float] = []
    claimed = 0
    for round_ in range(ROUNDS):
        async with sessions() as session, session.begin():
            await enqueue(session, [message(lane, 3 * round_ + n) for n in range(3) for lane in range(lanes)],
                          clock.now())
        while batch := await timed(store, timings):
            claimed += len(batch)
            await store.settle([(c.id, "p") for c in batch], [])
    async with sessions() as session, session.begin():
        await enqueue(session, [message(lane, 3 * ROUNDS + n) for n in range(3) for lane in range(lanes)], clock.now())
    opened: list[float] = []
    for n in range(SOCKETS):
        began = time.perf_counter()
        await store.recipient_back("webchat", f"web:new{n}")
        opened.append(time.perf_counter() - began)
    await engine.dispose()
    timings.sort()
    print(f"{engine.dialect.name:10} history {history:>7,}  waiting {3 * lanes:>6,} in {lanes:>5,} conversations  "
          f"{claimed / len(timings):5.1f} rows/claim  ms/claim p50 {statistics.median(timings) * 1000:6.2f}  "
          f"p99 {timings[int(len(timings) * 0.99)] * 1000:6.2f}  ms/socket opened p50 "
          f"{statistics.median(opened) * 1000:5.2f}")


async def timed(store: OutboxStore, timings: list[float]) -> list[Claimed]:
    began = time.perf_counter()
    batch = await store.claim_due()
    timings.append(time.perf_counter() - began)
    return batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--lanes", type=int, default=2_000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL database to use as well (its outbox is emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.history, args.lanes))
    if args.postgres:
        asyncio.run(run(args.postgres, args.history, args.lanes))


if __name__ == "__main__":
    main()
