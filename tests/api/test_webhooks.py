"""Outgoing webhooks against a real receiver on loopback that checks the signature: ticket events arrive signed
with a delivery id, a receiver that was down gets them once it is back (the outbox retries with backoff), and a
receiver that refuses for good leaves a dead letter the API lists and can send again."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.config import config_from_dict
from tests.api.conftest import Api, hub_config, wecom_section
from testkit.database import copy_sqlite
from testkit.fakes.weixin_api import FakeWeixinApi
from testkit.hub_process import free_port
from testkit.understanding import keyword_understander
from testkit.served import served_hub

SECRET = "whsec-test-1"
WAIT = 30.0


class Receiver:
    """A webhook receiver as an integrator writes one: it refuses a body whose signature does not match."""

    def __init__(self, port: int, *, answer: int = 200) -> None:
        self.port = port
        self.answer = answer
        self.events: list[dict[str, Any]] = []
        self.deliveries: list[str] = []
        self.bad_signatures = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Aftersales-Signature", ""), expected):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.answer >= 300:
            return web.Response(status=self.answer)
        self.deliveries.append(request.headers["X-Aftersales-Delivery"])
        self.events.append(json.loads(body))
        return web.Response(status=204)

    async def wait_for(self, kind: str) -> dict[str, Any]:
        for _ in range(int(WAIT * 20)):
            found = [e for e in self.events if e["type"] == kind]
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind} event arrived; got {[e['type'] for e in self.events]}")


@pytest.fixture
async def hooked(tmp_path, migrated_sqlite: Path,  # type: ignore[no-untyped-def]
                 wecom_api: FakeWeixinApi) -> AsyncIterator[tuple[Api, int, int]]:
    """A served hub whose webhooks go to two loopback ports: one that will come up later, one that refuses; its
    demo staff are on WeCom (the fake), so a job is assigned."""
    url = copy_sqlite(migrated_sqlite, tmp_path / "hub.db")
    up_later, refusing = free_port(), free_port()
    config = hub_config(url, wecom=wecom_section(wecom_api),
                        webhooks={"urls": [f"http://127.0.0.1:{up_later}/hook",
                                           f"http://127.0.0.1:{refusing}/hook"], "secret": SECRET,
                                  "timeout": "2s"})
    async with served_hub(config_from_dict(config), understander=keyword_understander(), demo=True) as (hub, server):
        async with aiohttp.ClientSession() as http:
            yield Api(http, server, hub), up_later, refusing


async def test_events_are_signed_retried_after_an_outage_and_dead_letters_are_visible(hooked) -> None:  # type: ignore[no-untyped-def]
    api, up_later, refusing = hooked
    refuser = Receiver(refusing, answer=410)
    await refuser.start()
    try:
        ticket = await api.phoned_in("洗衣机不脱水了，地址上海市浦东新区张江路100号3栋")
        dead = await _deliveries(api, "dead", count=3)
        assert {d["template"] for d in dead} == {"ticket.created", "ticket.assigned", "ticket.status_changed"}
        assert all(d["recipient"].endswith(f":{refusing}/hook") and "http_410" in d["last_error"] for d in dead)

        receiver = Receiver(up_later)
        status, pending = await api.get("/deliveries?channel=webhooks&status=pending")
        oldest, *later = reversed(pending["items"])
        assert status == 200 and oldest["attempts"] >= 1, "tried while the receiver was down"
        assert all(d["attempts"] == 0 for d in later), "one receiver's events are delivered in order"
        await receiver.start()
        try:
            created = await receiver.wait_for("ticket.created")
            assigned = await receiver.wait_for("ticket.assigned")
            moved = await receiver.wait_for("ticket.status_changed")
        finally:
            await receiver.stop()
        assert receiver.bad_signatures == 0 and len(set(receiver.deliveries)) == len(receiver.deliveries)
        assert created["data"]["ticket"]["id"] == ticket["id"] and created["data"]["actor"] == "api:token1"
        assert assigned["data"]["ticket"]["assignee_id"] == ticket["assignee"]["id"]
        assert (moved["data"]["before"], moved["data"]["ticket"]["status"]) == ("new", "assigned")

        refuser.answer = 200
        status, retried = await api.post(f"/deliveries/{dead[0]['id']}/retry")
        assert status == 200 and retried["status"] == "pending" and retried["attempts"] == 0
        await refuser.wait_for(dead[0]["template"])
        assert (await api.post(f"/deliveries/{dead[0]['id']}/retry"))[0] == 404, "only a dead delivery is retried"
    finally:
        await refuser.stop()


async def _deliveries(api: Api, status: str, *, count: int) -> list[dict[str, Any]]:
    for _ in range(int(WAIT * 20)):
        code, page = await api.get(f"/deliveries?channel=webhooks&status={status}")
        assert code == 200
        if len(page["items"]) >= count:
            return page["items"]
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} {status} deliveries")
