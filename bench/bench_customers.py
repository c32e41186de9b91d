"""Figures for customers and devices: `aftersales devices import` of 100,000 rows (rows/s for the whole command, for
reading and checking the file, and for writing it — first as new devices, then again as updates), and the lookup of
a customer by phone (`GET /api/v1/customers?phone=`) and of one customer whole (`GET /api/v1/customers/{id}`) with
1,000,000 identities, against a real `aftersales serve` on loopback, one request at a time.

Run `.venv/bin/python bench/bench_customers.py [--rows 100000] [--identities 1000000] [--requests 500]
[--postgres URL]` (a PostgreSQL URL of an empty database to measure there instead of SQLite)."""
from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
from sqlalchemy import delete, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import summarize_ms  # noqa: E402
from bot.devices_cli import import_devices  # noqa: E402
from bot.devices_file import read_devices_file  # noqa: E402
from core.storage.db import create_engine  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from core.storage.models import Customer, Device, Identity  # noqa: E402
from testkit.hub_process import HubProcess  # noqa: E402

TOKEN = "bench-token"
BATCH = 10_000
CHANNELS = ("webchat", "wechat", "slack", "email")
HEADER = "serial,model,product,customer_name,customer_phone,address,purchase_date,warranty_months\n"


def archive(path: Path, rows: int) -> None:
    """A spreadsheet export: 100,000 units, about 1.4 per owner, dates in the three usual formats, some owners."""
    rng = random.Random(11)
    lines = [HEADER]
    for n in range(rows):
        year, month, day = 2020 + n % 6, 1 + n % 12, 1 + n % 28
        written = (f"{year}-{month:02d}-{day:02d}", f"{year}/{month}/{day}", f"{year}年{month}月{day}日")[n % 3]
        owner = rng.randrange(rows * 5 // 7)
        lines.append(f"SN{n:09d},XQG{n % 90:02d},滚筒洗衣机,客户{owner},138{owner:08d},"
                     f"上海市浦东新区张江路{n % 999}号,{written},{(12, 24, 36)[n % 3]}\n")
    path.write_text("".join(lines), "utf-8")


async def time_import(hub: HubProcess, path: Path) -> None:
    rows = sum(1 for _ in path.open("rb")) - 1
    started = time.perf_counter()
    assert hub.cli("devices", "import", str(path)).wait(600) == 0, hub.log.read_text()[-2000:]
    whole = time.perf_counter() - started
    print(f"`aftersales devices import` of {rows} new rows: {whole:.2f} s, {rows / whole:,.0f} rows/s "
          "(process start and migration included)")
    started = time.perf_counter()
    specs = read_devices_file(path)
    read = time.perf_counter() - started
    print(f"  reading and checking the file: {read:.2f} s, {rows / read:,.0f} rows/s")
    started = time.perf_counter()
    done = await import_devices(hub.database_url, specs)
    wrote = time.perf_counter() - started
    print(f"  writing it again ({done.updated} updated, one transaction): {wrote:.2f} s, {rows / wrote:,.0f} rows/s")
    engine = create_engine(hub.database_url)
    async with engine.begin() as connection:
        await connection.execute(delete(Device))
    await engine.dispose()
    started = time.perf_counter()
    done = await import_devices(hub.database_url, specs)
    wrote = time.perf_counter() - started
    print(f"  writing it as new devices ({done.added} added): {wrote:.2f} s, {rows / wrote:,.0f} rows/s")


async def fill_identities(url: str, identities: int) -> list[tuple[int, str]]:
    """Customers with a phone each and two channel identities apiece; returns (id, phone) of a sample."""
    engine = create_engine(url)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    customers = identities // 2
    async with engine.begin() as connection:
        first = int(await connection.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0) + 1
        for start in range(0, customers, BATCH):
            span = range(start, min(customers, start + BATCH))
            await connection.execute(insert(Customer), [
                {"id": first + n, "name": f"客户{n}", "phone": f"137{n:08d}", "phone_source": "chat", "locale": "zh",
                 "created_at": at} for n in span])
            await connection.execute(insert(Identity), [
                {"channel": CHANNELS[(n + k) % len(CHANNELS)], "external_id": f"user-{n}-{k}", "display_name": "",
                 "customer_id": first + n, "created_at": at} for n in span for k in range(2)])
    await engine.dispose()
    rng = random.Random(5)
    return [(first + n, f"137{n:08d}") for n in (rng.randrange(customers) for _ in range(1000))]


async def measure(hub: HubProcess, name: str, paths: list[str]) -> None:
    took: list[float] = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for path in paths:
            started = time.perf_counter()
            async with http.get(f"{hub.url}/api/v1{path}") as response:
                assert response.status == 200, (path, response.status, await response.text())
                await response.read()
            took.append(time.perf_counter() - started)
    print(f"{name:<44} {summarize_ms(took)}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--identities", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", default="", help="an empty PostgreSQL database (asyncpg URL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(Path(tmp), extra_config=f'[api]\ntokens = ["{TOKEN}"]\n',
                         database_url=args.postgres or None)
        path = Path(tmp) / "archive.csv"
        archive(path, args.rows)
        print(f"on {'PostgreSQL' if args.postgres else 'SQLite'}")
        await time_import(hub, path)
        engine = create_engine(hub.database_url)
        await upgrade(engine)
        await engine.dispose()
        started = time.perf_counter()
        sample = await fill_identities(hub.database_url, args.identities)
        print(f"{args.identities:,} identities of {args.identities // 2:,} more customers written in "
              f"{time.perf_counter() - started:.1f} s")
        await hub.start(migrate=False)
        try:
            picks = [sample[n % len(sample)] for n in range(args.requests)]
            await measure(hub, "GET /customers?phone= (one customer)", [f"/customers?phone={p}" for _, p in picks])
            await measure(hub, "GET /customers?phone= (nobody has it)",
                          [f"/customers?phone=1500000{n:04d}" for n in range(args.requests)])
            await measure(hub, "GET /customers/{id} (identities, devices ...)", [f"/customers/{c}" for c, _ in picks])
            await measure(hub, "GET /devices/{serial}",
                          [f"/devices/SN{n * 7919 % args.rows:09d}" for n in range(args.requests)])
        finally:
            hub.signal(signal.SIGTERM)


if __name__ == "__main__":
    asyncio.run(main())
