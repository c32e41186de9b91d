"""Slack webhook benchmark: ack latency and events/s for signed Events API messages fired concurrently at
`/webhooks/slack` on loopback, with a share of them re-sent as Slack retries (same event, `X-Slack-Retry-Num`).

Run: .venv/bin/python bench/bench_slack.py [--events N] [--concurrency C] [--retry-share R] [--commit-ms M]
The intake is the in-memory stand-in from the channel tests (`--commit-ms` adds a per-commit delay to stand in for
the hub's group commit), so the figures measure the channel: signature, parsing, bolt routing, ack.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from channels.slack.config import SlackConfig  # noqa: E402
from channels.slack.channel import SlackChannel  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from testkit.fakes.intake import SlowIntake  # noqa: E402
from testkit.fakes.slack_api import TEAM_ID, FakeSlackApi, sign  # noqa: E402
from bench.latency import summarize_ms  # noqa: E402

TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"
MAX_EVENTS = 100_000
MAX_SECONDS = 120.0


def _event_body(n: int) -> bytes:
    ts = f"{int(time.time())}.{n:06d}"
    return json.dumps({
        "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "type": "event_callback",
        "event_id": f"EvBENCH{n:08d}", "event_time": int(time.time()),
        "event": {"type": "message", "user": f"U{n % 500:05d}", "channel": f"C{n % 50:04d}", "channel_type": "channel",
                  "text": f"打印机卡纸了，订单号 SO{n:010d}，电话 13800138000", "ts": ts, "team": TEAM_ID},
    }, ensure_ascii=False).encode()


async def _fire(http: aiohttp.ClientSession, url: str, body: bytes, retry: int | None) -> tuple[float, int]:
    headers = {"Content-Type": "application/json", **sign(SECRET, int(time.time()), body)}
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    started = time.perf_counter()
    async with http.post(url, data=body, headers=headers) as resp:
        await resp.read()
        return time.perf_counter() - started, resp.status


async def run(events: int, concurrency: int, retry_share: float, commit_ms: float) -> None:
    api = await FakeSlackApi(token=TOKEN).start()
    intake = SlowIntake(commit_ms / 1000)
    channel = SlackChannel(config=SlackConfig(bot_token=TOKEN, signing_secret=SECRET, api_base_url=api.url),
                           intake=intake, clock=SystemClock())
    await channel.start()
    app = web.Application()
    app.add_routes(channel.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhooks/slack"

    rng = random.Random(7)
    bodies = [_event_body(n) for n in range(events)]
    jobs: list[tuple[bytes, int | None]] = [(b, None) for b in bodies]
    jobs += [(rng.choice(bodies), rng.randint(1, 3)) for _ in range(int(events * retry_share))]
    rng.shuffle(jobs)
    queue: asyncio.Queue[tuple[bytes, int | None]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + MAX_SECONDS

    async def worker(http: aiohttp.ClientSession) -> None:
        while not queue.empty() and time.perf_counter() < deadline:
            body, retry = queue.get_nowait()
            latency, status = await _fire(http, url, body, retry)
            latencies.append(latency)
            statuses[status] = statuses.get(status, 0) + 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        await _fire(http, url, _event_body(events + 1), None)
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started

    await runner.cleanup()
    await channel.stop()
    await api.close()

    print(f"requests   {len(latencies)} ({events} events + {len(jobs) - events} retries), concurrency {concurrency}, "
          f"commit delay {commit_ms} ms")
    print(f"statuses   {dict(sorted(statuses.items()))}")
    print(f"committed  {len(intake.committed) - 1} new inbound (expected {events}), "
          f"{intake.offered - len(intake.committed)} duplicates reported by the intake")
    print(f"throughput {len(latencies) / elapsed:.0f} requests/s over {elapsed:.2f} s")
    print(f"ack        {summarize_ms(latencies)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--retry-share", type=float, default=0.1, help="extra retried deliveries, as a share")
    parser.add_argument("--commit-ms", type=float, default=0.0)
    args = parser.parse_args()
    if not 0 < args.events <= MAX_EVENTS or args.concurrency < 1 or not 0 <= args.retry_share <= 1:
        parser.error(f"--events 1..{MAX_EVENTS}, --concurrency ≥ 1, --retry-share 0..1")
    asyncio.run(run(args.events, args.concurrency, args.retry_share, args.commit_ms))


if __name__ == "__main__":
    main()
