"""Email intake benchmark: mails/s imported from a real dovecot, and APPEND → intake latency with IDLE.

Run: .venv/bin/python bench/bench_email.py [--mails N] [--latency-samples K]
The inbox is the in-memory stand-in from the channel tests, so the figures measure the channel (IMAP fetch,
parse, attachment store, flag, cursor), not the hub's database.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402

from channels.email.config import EmailConfig  # noqa: E402
from channels.email.channel import EmailChannel  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from testkit.email_peers import (DOVECOT, PASSWORD, USER, MemoryCursors, MemoryQuarantine, MemorySink,  # noqa: E402
                         start_dovecot, wait_until)
from testkit.email_samples import mail  # noqa: E402

MAX_MAILS = 5000


def _client(port: int) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=30)
    client.login(USER, PASSWORD)
    return client


def _channel(port: int, folder: str, sink: MemorySink, attachments: Path) -> EmailChannel:
    config = EmailConfig(imap_host="127.0.0.1", imap_port=port, imap_user=USER, imap_password=PASSWORD,
                         imap_ssl=False, imap_folder=folder, smtp_host="127.0.0.1", smtp_starttls=False,
                         from_address="service@aftersales.test", poll_interval=timedelta(seconds=30),
                         attachment_dir=str(attachments))
    return EmailChannel(config=config, intake=sink, cursors=MemoryCursors(), quarantine=MemoryQuarantine(),
                        clock=SystemClock())


async def throughput(port: int, count: int, attachments: Path) -> float:
    folder = "bench" + uuid.uuid4().hex[:8]
    with _client(port) as client:
        client.create_folder(folder)
        for i in range(count):
            client.append(folder, mail(subject=f"报修 {i}", body=f"第 {i} 台打印机卡纸，型号 HP-1020。\n\n-- \n张三"))
    sink = MemorySink()
    channel = _channel(port, folder, sink, attachments)
    started = time.perf_counter()
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == count, timeout=600)
    elapsed = time.perf_counter() - started
    await channel.stop()
    return count / elapsed


async def idle_latency(port: int, samples: int, attachments: Path) -> list[float]:
    folder = "idle" + uuid.uuid4().hex[:8]
    with _client(port) as client:
        client.create_folder(folder)
    sink = MemorySink()
    channel = _channel(port, folder, sink, attachments)
    await channel.start()
    await asyncio.sleep(0.5)
    latencies = []
    with _client(port) as client:
        for i in range(samples):
            raw = mail(subject=f"延迟 {i}", body="空调不制冷。")
            sent = time.perf_counter()
            await asyncio.to_thread(client.append, folder, raw)
            await wait_until(lambda: len(sink.inbox) == i + 1)
            latencies.append(sink.arrivals[-1][0] - sent)
            await asyncio.sleep(0.1)
    await channel.stop()
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000, help=f"mails to import (at most {MAX_MAILS})")
    parser.add_argument("--latency-samples", type=int, default=20)
    args = parser.parse_args()
    if not DOVECOT.exists():
        sys.exit(f"dovecot is not installed at {DOVECOT} (apt-get install dovecot-imapd)")
    count = max(1, min(args.mails, MAX_MAILS))
    server = start_dovecot()
    try:
        with tempfile.TemporaryDirectory() as attachments:
            rate = await throughput(server.port, count, Path(attachments))
            latencies = await idle_latency(server.port, args.latency_samples, Path(attachments))
    finally:
        server.stop()
    ordered = sorted(latencies)
    print(f"import: {count} mails, {rate:.0f} mails/s (IMAP fetch + parse + commit + flag + cursor)")
    print(f"APPEND → intake with IDLE over {len(ordered)} mails: median {statistics.median(ordered) * 1000:.0f} ms, "
          f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
