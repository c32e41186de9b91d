"""Webhook ack latency and throughput of the WeChat and WeCom channels.

Serves each channel's `/webhooks/*` on loopback, fires signed + AES-encrypted pushes (built beforehand, the way the
platforms build them) from `--concurrency` concurrent senders, and prints ack p50/p99/max and messages/s. The intake
stands in for the hub's inbox with an in-memory dedupe plus `--commit-ms` of simulated group-commit latency.

    .venv/bin/python bench/bench_weixin.py [--messages 5000] [--concurrency 64] [--commit-ms 2]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from channels.wechat.config import WeChatConfig  # noqa: E402
from channels.wecom.config import WeComConfig  # noqa: E402
from channels.wechat.channel import WeChatChannel  # noqa: E402
from channels.wecom.channel import WeComChannel  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from testkit.fakes.weixin_api import message_xml, new_aes_key, wechat_push, wecom_push  # noqa: E402
from bench.latency import summarize_ms  # noqa: E402
from testkit.fakes.intake import SlowIntake  # noqa: E402

AGENT_ID = 1000002


def wechat_pushes(config: WeChatConfig, count: int) -> list[tuple[dict[str, str], bytes]]:
    now = int(time.time())
    return [wechat_push(token=config.token, aes_key=config.encoding_aes_key, app_id=config.app_id, timestamp=now,
                        xml=message_xml({"ToUserName": "gh_bench", "FromUserName": f"o-{n % 500}", "CreateTime": now,
                                         "MsgType": "text", "Content": f"空调不制冷，订单号 {n}", "MsgId": n}))
            for n in range(count)]


def wecom_pushes(config: WeComConfig, count: int) -> list[tuple[dict[str, str], bytes]]:
    now = int(time.time())
    return [wecom_push(token=config.token, aes_key=config.encoding_aes_key, corp_id=config.corp_id,
                       agent_id=AGENT_ID, timestamp=now,
                       xml=message_xml({"ToUserName": config.corp_id, "FromUserName": f"tech-{n % 50}",
                                        "CreateTime": now, "MsgType": "text", "Content": f"接单 SR-20261123-{n:04d}",
                                        "MsgId": n, "AgentID": AGENT_ID}))
            for n in range(count)]


async def run(name: str, channel, pushes, path: str, concurrency: int) -> None:
    app = web.Application()
    app.add_routes(channel.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}{path}"
    latencies: list[float] = []
    failures = 0
    queue = iter(pushes)

    async def sender(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        for query, body in queue:
            started = time.perf_counter()
            async with session.post(url, params=query, data=body) as response:
                await response.read()
                failures += response.status != 200
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(sender(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    await runner.cleanup()
    print(f"{name}: {len(latencies)} msgs, concurrency {concurrency}: ack {summarize_ms(latencies)}, "
          f"{len(latencies) / elapsed:.0f} msgs/s, non-200: {failures}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--commit-ms", type=float, default=2.0)
    args = parser.parse_args()
    clock = SystemClock()
    wechat = WeChatConfig(app_id="wxbench", app_secret="s", token="bench", encoding_aes_key=new_aes_key())
    wecom = WeComConfig(corp_id="wwbench", agent_id=str(AGENT_ID), secret="s", token="bench",
                        encoding_aes_key=new_aes_key())
    await run("wechat (aes)", WeChatChannel(config=wechat, intake=SlowIntake(args.commit_ms / 1000), clock=clock),
              wechat_pushes(wechat, args.messages), "/webhooks/wechat", args.concurrency)
    await run("wecom (aes)", WeComChannel(config=wecom, intake=SlowIntake(args.commit_ms / 1000), clock=clock),
              wecom_pushes(wecom, args.messages), "/webhooks/wecom", args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
