"""A burst of new customers: many distinct web-chat customers each report a problem at the same moment.

The case of a product recall, a storm or a holiday sale: `--customers` sockets are opened first, then every customer
sends one repair report at once; each waits for its ticket reply. The same client then does the same against a bare
aiohttp websocket server (a process of its own, answering an `ack` and a `message` per frame, nothing stored), so the
hub's rate can be read against the transport's on the same machine in the same run. Printed for both: tickets (or
replies) per second until the last reply, reply p50/p99 and the ratio hub / bare; for the hub also the CPU time it
used from the release to the last reply, per ticket (a figure that holds better than rates on a shared machine).

The hub is one `aftersales serve` on SQLite with the demo staff (every `--complete`-th report carries a phone and an
address, so its job is dispatched at once; the others are asked for them) and WeCom, the staff's own channel, served
by the fake WeCom API of the tests on loopback in this process: job offers and staff alerts are sent as in
production instead of going dead for want of a channel. Afterwards every ticket named in a reply
is looked up in the database: a reply is sent from the outbox only after the transaction that opened its ticket
committed, and the check says whether any reply named a ticket that is not there.

    .venv/bin/python bench/bench_burst.py [--customers 1000] [--complete 4] [--runs 1]
        [--profile FILE (py-spy raw stacks of the hub during the burst)]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.bench_intake import FOLLOW_UPS, PROBLEMS  # noqa: E402
from bench.cpu import process_cpu  # noqa: E402
from bench.latency import percentile  # noqa: E402
from core.storage.db import create_engine  # noqa: E402
from core.storage.models import Ticket  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from testkit.fakes.weixin_api import FakeWeixinApi, new_aes_key  # noqa: E402
from testkit.hub_process import HubProcess, free_port  # noqa: E402

ECHO_START_TIMEOUT = 120.0
"""Seconds the bare server may take to start listening (importing aiohttp takes seconds on a loaded machine)."""
CORP_ID, CORP_SECRET, AGENT_ID = "wwbenchcorp", "benchcorpsecret", 1000002


def report_text(n: int, complete: int) -> str:
    """Customer `n`'s report; every `complete`-th one carries the phone and address a repair needs."""
    text = PROBLEMS[n % len(PROBLEMS)]
    if complete and n % complete == 0:
        text = f"{text}，{FOLLOW_UPS[0]}，{FOLLOW_UPS[1]}"
    return text


@dataclass
class Customer:
    ws: aiohttp.ClientWebSocketResponse
    reply_at: float = 0.0
    ticket: str = ""
    frames: list[str] = field(default_factory=list)

    async def report(self, text: str, gate: asyncio.Event) -> None:
        await gate.wait()
        await self.ws.send_str(json.dumps({"type": "message", "text": text, "id": "m0"}, ensure_ascii=False))
        async for message in self.ws:
            frame = json.loads(message.data)
            self.frames.append(frame["type"])
            if frame["type"] == "message":
                self.reply_at = time.perf_counter()
                self.ticket = (frame.get("ticket") or {}).get("id", "")
                return
            if frame["type"] == "error":
                return


async def burst(url: str, customers: int, complete: int, timeout: float,
                server_pid: int | None = None) -> tuple[list[Customer], float, float]:
    """Open every socket, then release all reports at once; returns the customers, the release time and the CPU
    seconds process `server_pid` used from the release until the last reply (0 without one)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async def connect(n: int) -> Customer:
            ws = await http.ws_connect(f"{url}/chat/ws?session=burst{n:06d}session", max_msg_size=0)
            await ws.receive()
            return Customer(ws)

        opened: list[Customer] = []
        for start in range(0, customers, 100):
            opened.extend(await asyncio.gather(*(connect(n) for n in range(start, min(customers, start + 100)))))
        gate = asyncio.Event()
        tasks = [asyncio.create_task(c.report(report_text(n, complete), gate)) for n, c in enumerate(opened)]
        await asyncio.sleep(0.2)
        cpu = (process_cpu(server_pid) or 0.0) if server_pid else 0.0
        released = time.perf_counter()
        gate.set()
        await asyncio.wait(tasks, timeout=timeout)
        cpu = (process_cpu(server_pid) or 0.0) - cpu if server_pid else 0.0
        for task in tasks:
            task.cancel()
        await asyncio.gather(*(c.ws.close() for c in opened), return_exceptions=True)
    return opened, released, cpu


def summary(name: str, customers: list[Customer], released: float) -> float:
    """Print one line; returns replies per second until the last reply."""
    answered = sorted(c.reply_at - released for c in customers if c.reply_at)
    if not answered:
        print(f"{name}: no replies")
        return 0.0
    rate = len(answered) / answered[-1]
    print(f"{name}: {len(answered)} of {len(customers)} answered in {answered[-1]:.2f} s → {rate:.0f}/s; "
          f"reply p50 {percentile(answered, 0.5) * 1000:.0f} ms, p99 {percentile(answered, 0.99) * 1000:.0f} ms")
    return rate


async def echo_server(port: int) -> None:
    """The bare transport: `hello` on connect, then an `ack` and a `message` for every frame, nothing stored."""
    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "session": request.query.get("session", "")}))
        async for message in ws:
            frame = json.loads(message.data)
            await ws.send_str(json.dumps({"type": "ack", "id": frame.get("id")}))
            await ws.send_str(json.dumps({"type": "message", "id": frame.get("id"), "text": frame.get("text"),
                                          "ticket": None}, ensure_ascii=False))
        return ws

    app = web.Application()
    app.router.add_get("/chat/ws", socket)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


async def bare(customers: int, complete: int) -> float:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--echo-server", str(port)])
    try:
        deadline = time.monotonic() + ECHO_START_TIMEOUT
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/") as response:
                        if response.status == 404:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
        opened, released, _ = await burst(f"http://127.0.0.1:{port}", customers, complete, timeout=60)
        return summary("bare aiohttp websocket", opened, released)
    finally:
        server.kill()
        server.wait()


def wecom_config(api: FakeWeixinApi) -> str:
    """The hub's `[wecom]` section for the fake API."""
    return (f'[wecom]\ncorp_id = "{CORP_ID}"\nagent_id = "{AGENT_ID}"\nsecret = "{CORP_SECRET}"\n'
            f'token = "benchtoken"\nencoding_aes_key = "{new_aes_key()}"\napi_base_url = "{api.url}"\n')


async def hub_burst(customers: int, complete: int, profile: Path | None) -> float:
    wecom = await FakeWeixinApi(clock=SystemClock(), app_id="wxbench", app_secret="benchsecret", corp_id=CORP_ID,
                                corp_secret=CORP_SECRET, agent_id=AGENT_ID).start()
    try:
        return await _hub_burst(customers, complete, profile, wecom)
    finally:
        await wecom.close()


async def _hub_burst(customers: int, complete: int, profile: Path | None, wecom: FakeWeixinApi) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubProcess(Path(tmp) / "hub", extra_config=wecom_config(wecom))
        if hub.cli("db", "upgrade").wait(300) != 0 or hub.cli("demo").wait(300) != 0:
            raise RuntimeError(f"setting up the hub failed; see {hub.log}")
        await hub.start(migrate=False)
        assert hub.process is not None
        spy = None
        try:
            if profile is not None:
                spy = subprocess.Popen([shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy")),
                                        "record", "-p", str(hub.process.pid), "--format", "raw", "-r", "200",
                                        "-o", str(profile), "-d", "600"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                await asyncio.sleep(1.0)
            opened, released, cpu = await burst(hub.url, customers, complete, timeout=300, server_pid=hub.process.pid)
        finally:
            if spy is not None:
                spy.send_signal(2)
                spy.wait(30)
            hub.kill()
        rate = summary("hub (SQLite, one process)", opened, released)
        named = {c.ticket for c in opened if c.ticket}
        engine = create_engine(hub.database_url)
        try:
            async with engine.connect() as con:
                stored = set((await con.scalars(select(Ticket.code))).all())
        finally:
            await engine.dispose()
        print(f"  hub CPU {cpu:.2f} s, {cpu / max(len(named), 1) * 1000:.1f} ms per ticket; {len(stored)} tickets "
              f"stored; replies naming a ticket not stored: {len(named - stored)}; "
              f"customers without a ticket reply: {sum(1 for c in opened if not c.ticket)}; "
              f"WeCom messages to staff: {len(wecom.sent('/cgi-bin/message/send'))}")
        return rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--complete", type=int, default=4, help="every N-th report is complete (0: none)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="write py-spy raw stacks of the hub during its burst here")
    parser.add_argument("--echo-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_server:
        await echo_server(args.echo_server)
        return
    for run in range(args.runs):
        hub = await hub_burst(args.customers, args.complete, args.profile if run == 0 else None)
        transport = await bare(args.customers, args.complete)
        print(f"ratio hub / bare: {hub / transport:.3f}" if transport else "ratio: no bare figure", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
