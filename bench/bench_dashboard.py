"""The dashboard's figures and the console's queue counts over 100,000 tickets: how long each query of
`StatsService` / `TicketQueries` takes on SQLite (default) or PostgreSQL (`--postgres URL`).

    .venv/bin/python bench/bench_dashboard.py [--tickets 100000] [--postgres postgresql+asyncpg://…/db]

Tickets are written in bulk (a year of them: types, channels, statuses, SLA due times, products, models, serial
numbers), with surveys for the closed ones; each figure is then asked for the last 30 days and the whole year,
three times, and the best time printed.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from core.clock import FakeClock  # noqa: E402
from core.services.unit import Services  # noqa: E402
from core.storage.db import create_engine, session_factory  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import Customer, Survey, Ticket  # noqa: E402
from testkit.database import empty_tables  # noqa: E402

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
ZONE = ZoneInfo("Asia/Shanghai")
TYPES = ["repair"] * 5 + ["installation", "maintenance", "return", "logistics", "complaint", "invoice", "inquiry"]
CHANNELS = ["webchat", "wechat", "wecom", "email", "phone"]
STATUSES = ["closed"] * 6 + ["resolved", "new", "assigned", "accepted", "pending_parts", "cancelled"]
PRODUCTS = ["洗衣机", "空调", "冰箱", "热水器", "燃气灶", "电视"]
BATCH = 5000


def _ticket(n: int, rng: random.Random) -> dict[str, Any]:
    opened = NOW - timedelta(seconds=rng.randrange(365 * 86400))
    status = rng.choice(STATUSES)
    done = status in ("closed", "resolved")
    answered = opened + timedelta(minutes=rng.randrange(240)) if status != "new" else None
    return {"code": f"SR-B-{n:07d}", "type": rng.choice(TYPES), "priority": rng.choice(["P1", "P2", "P3", "P4"]),
            "status": status, "customer_id": 1, "channel": rng.choice(CHANNELS), "conversation": f"c{n}",
            "summary": "洗衣机不脱水", "sentiment": "neutral", "created_at": opened, "updated_at": opened,
            "entities": {"products": [rng.choice(PRODUCTS)], "models": [f"M{rng.randrange(40)}"],
                         "serial_numbers": [f"SN{rng.randrange(60000)}"]},
            "first_response_at": answered, "resolved_at": opened + timedelta(hours=rng.randrange(72)) if done else None,
            "first_response_warn_at": opened + timedelta(minutes=96), "first_response_due_at": opened + timedelta(hours=2),
            "resolution_warn_at": opened + timedelta(hours=38), "resolution_due_at": opened + timedelta(hours=48),
            "clock_stopped_at": opened + timedelta(hours=30) if done else None, "assignee_id": None}


async def _fill(url: str, count: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    if engine.dialect.name == "postgresql":
        await empty_tables(engine)
    rng = random.Random(7)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(insert(Customer), [{"id": 1, "name": "张先生", "phone": "13812345678",
                                                   "locale": "zh", "created_at": NOW}])
        for start in range(0, count, BATCH):
            rows = [_ticket(n, rng) for n in range(start, min(start + BATCH, count))]
            await session.execute(insert(Ticket), rows)
        closed = (await session.execute(text("SELECT id, created_at FROM tickets WHERE status = 'closed'"))).all()
        surveys = [{"ticket_id": i, "customer_id": 1, "channel": "webchat", "conversation": "c", "recipient": "c",
                    "locale": "zh", "status": "answered", "step": "comment", "csat": rng.randint(1, 5),
                    "nps": rng.randint(0, 10), "comment": "", "created_at": NOW,
                    "asked_at": NOW - timedelta(seconds=rng.randrange(365 * 86400))} for i, _ in closed]
        for start in range(0, len(surveys), BATCH):
            await session.execute(insert(Survey), surveys[start:start + BATCH])
    await engine.dispose()


async def _measure(url: str) -> list[tuple[str, float]]:
    engine = create_engine(url)
    clock = FakeClock(start=NOW)
    results = []
    async with session_factory(engine)() as session:
        services = Services.in_transaction(session, clock)
        stats, queries = services.stats, services.queries
        for label, days in (("30 days", 30), ("365 days", 365)):
            since = NOW - timedelta(days=days)
            bucket = "day" if days <= 92 else "month"
            figures: dict[str, Callable[[], Awaitable[Any]]] = {
                "volume": lambda: stats.volume(since=since, until=NOW),
                "over_time type": lambda: stats.over_time("type", since=since, until=NOW, zone=ZONE, bucket=bucket),
                "over_time channel": lambda: stats.over_time("channel", since=since, until=NOW, zone=ZONE,
                                                             bucket=bucket),
                "attainment": lambda: stats.attainment(since=since, until=NOW, now=NOW),
                "satisfaction": lambda: stats.satisfaction(since=since, until=NOW),
                "satisfaction_over_time": lambda: stats.satisfaction_over_time(since=since, until=NOW, zone=ZONE,
                                                                               bucket=bucket),
                "top products": lambda: stats.top_entities("products", since=since, until=NOW),
                "top models": lambda: stats.top_entities("models", since=since, until=NOW),
                "repeat repairs": lambda: stats.repeat_repairs(since=since, until=NOW),
                "knowledge": lambda: stats.knowledge(since=since, until=NOW),
                "open_by_status": stats.open_by_status,
                "technician_load": stats.technician_load,
                "queue counts": queries.counts,
            }
            for name, figure in figures.items():
                best = min([await _timed(figure) for _ in range(3)])
                results.append((f"{name} ({label})", best))
    await engine.dispose()
    return results


async def _timed(figure: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await figure()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to fill (it is emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        started = time.perf_counter()
        asyncio.run(_fill(url, args.tickets))
        print(f"{'postgresql' if args.postgres else 'sqlite'}: {args.tickets} tickets written in "
              f"{time.perf_counter() - started:.1f} s")
        total = 0.0
        for name, seconds in asyncio.run(_measure(url)):
            total += seconds
            print(f"  {name:<40} {seconds * 1000:8.1f} ms")
        print(f"  {'all of them':<40} {total * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
