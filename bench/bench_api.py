"""Figures for `GET /api/v1/tickets` over 100,000 tickets: p50/p99 of a page (50 tickets) for each filter the
console uses (all indexed columns), a deep page reached by cursor, a text search, and one ticket whole — against a
real `aftersales serve` on loopback, one request at a time.

Run `.venv/bin/python bench/bench_api.py [--tickets 100000] [--requests 300] [--postgres URL]` (a PostgreSQL URL
of an empty database to measure there instead of SQLite)."""
from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import summarize_ms  # noqa: E402
from core.domain.tickets import Priority, Status, TicketType  # noqa: E402
from core.storage.db import create_engine  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import Customer, Staff, Ticket  # noqa: E402
from testkit.hub_process import HubProcess  # noqa: E402

TOKEN = "bench-token"
CUSTOMERS = 5_000
TECHNICIANS = 40
BATCH = 5_000
CHANNELS = ("webchat", "wechat", "wecom", "slack", "email", "phone")


async def fill(url: str, tickets: int) -> dict[str, int]:
    """Customers, technicians and `tickets` tickets spread over a year, written in bulk; returns ids to filter by."""
    engine = create_engine(url)
    await upgrade(engine)
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    types = [t.value for t in TicketType if t is not TicketType.OTHER]
    statuses = [s.value for s in Status]
    async with engine.begin() as connection:
        await connection.execute(insert(Customer), [
            {"name": f"客户{n}", "phone": f"139{n:08d}", "locale": "zh", "created_at": start}
            for n in range(CUSTOMERS)])
        await connection.execute(insert(Staff), [
            {"name": f"师傅{n}", "role": "technician", "skills": ["repair"], "regions": [], "capacity": 5,
             "on_duty": True, "locale": "zh", "created_at": start} for n in range(TECHNICIANS)])
        customer_ids = list(await connection.scalars(select(Customer.id)))
        staff_ids = list(await connection.scalars(select(Staff.id)))
        for first in range(0, tickets, BATCH):
            rows = []
            for n in range(first, min(tickets, first + BATCH)):
                at = start + timedelta(seconds=n * 300)
                status = rng.choice(statuses)
                rows.append({"code": f"SR-{at:%Y%m%d}-{n:06d}", "type": rng.choice(types),
                             "priority": rng.choice([p.value for p in Priority]), "status": status,
                             "customer_id": rng.choice(customer_ids),
                             "assignee_id": None if status == "new" else rng.choice(staff_ids),
                             "channel": rng.choice(CHANNELS), "conversation": f"c{n}",
                             "summary": f"洗衣机不脱水 第{n}号", "sentiment": "neutral", "entities": {},
                             "created_at": at, "updated_at": at})
            await connection.execute(insert(Ticket), rows)
    await engine.dispose()
    return {"customer": customer_ids[len(customer_ids) // 2], "assignee": staff_ids[3]}


async def measure(hub: HubProcess, queries: dict[str, str], requests: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for name, query in queries.items():
            took: list[float] = []
            for _ in range(requests):
                started = time.perf_counter()
                async with http.get(f"{hub.url}/api/v1{query}") as response:
                    assert response.status == 200, (query, response.status, await response.text())
                    await response.read()
                took.append(time.perf_counter() - started)
            print(f"{name:<34} {summarize_ms(took)}")


async def deep_cursor(hub: HubProcess, pages: int) -> str:
    """The cursor `pages` pages deep, reached the way the console pages."""
    cursor = ""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for _ in range(pages):
            async with http.get(f"{hub.url}/api/v1/tickets?limit=200{cursor}") as response:
                cursor = f"&cursor={(await response.json())['next']}"
    return cursor


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres", default="", help="an empty PostgreSQL database (asyncpg URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(Path(tmp), extra_config=f'[api]\ntokens = ["{TOKEN}"]\n',
                         database_url=args.postgres or None)
        started = time.perf_counter()
        ids = await fill(hub.database_url, args.tickets)
        print(f"{args.tickets} tickets written in {time.perf_counter() - started:.1f} s "
              f"({'PostgreSQL' if args.postgres else 'SQLite'})")
        await hub.start(migrate=False)
        try:
            deep = await deep_cursor(hub, 100)
            code = f"SR-20260315-{(73 * 288):06d}"
            await measure(hub, {
                "first page": "/tickets",
                "status=new": "/tickets?status=new",
                "type=repair&priority=P1": "/tickets?type=repair&priority=P1",
                "assignee (one technician)": f"/tickets?assignee={ids['assignee']}",
                "assignee=none": "/tickets?assignee=none",
                "customer (one customer)": f"/tickets?customer={ids['customer']}",
                "channel=email": "/tickets?channel=email",
                "page 101 by cursor": f"/tickets?limit=50{deep}",
                "q=第99999号 (text search)": "/tickets?q=%E7%AC%AC99999%E5%8F%B7",
                "one ticket whole": f"/tickets/{code}",
            }, args.requests)
        finally:
            hub.signal(signal.SIGTERM)


if __name__ == "__main__":
    asyncio.run(main())
