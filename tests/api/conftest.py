"""A served hub (demo staff, fixed keyword types) with API tokens of each role, on SQLite and PostgreSQL, and a
client that speaks to `/api/v1` the way the console does. WeCom, where the demo staff are, is configured against the
fake WeCom API: job offers to a staff channel that is not configured are sent back to the queue."""
from __future__ import annotations

from typing import Any, AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import Hub
from bot.config import config_from_dict
from core.clock import Clock, SystemClock
from tests.channels.wecom.conftest import AGENT_ID, CORP_ID
from testkit.fakes.weixin_api import FakeWeixinApi, new_aes_key
from testkit.hub_process import RATE_KEYS
from testkit.understanding import keyword_understander
from testkit.served import served_hub

TOKENS = {"admin": "admin-token-1", "supervisor": "supervisor-token-1", "agent": "agent-token-1"}
API_CONFIG = {"tokens": [TOKENS["admin"], {"token": TOKENS["supervisor"], "role": "supervisor", "name": "dashboard"},
                         {"token": TOKENS["agent"], "role": "agent", "name": "console"}],
              "max_body_bytes": 4096}


class Api:
    """`/api/v1` with a role's token; answers are (status, JSON)."""

    def __init__(self, http: aiohttp.ClientSession, server: TestServer, hub: Hub) -> None:
        self.http = http
        self.server = server
        self.hub = hub

    async def call(self, method: str, path: str, *, role: str | None = "admin", json: Any = None,
                   headers: dict[str, str] | None = None, **kwargs: Any) -> tuple[int, Any]:
        sent = dict(headers or {})
        if role is not None:
            sent["Authorization"] = f"Bearer {TOKENS[role]}"
        async with self.http.request(method, self.server.make_url(f"/api/v1{path}"), json=json, headers=sent,
                                     **kwargs) as response:
            return response.status, await response.json()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("POST", path, json=json, **kwargs)

    async def patch(self, path: str, json: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("PATCH", path, json=json, **kwargs)

    async def phoned_in(self, text: str, phone: str = "13812345678", name: str = "张先生", **fields: Any) -> dict:
        status, ticket = await self.post("/tickets", {"text": text, "customer": {"name": name, "phone": phone},
                                                      **fields})
        assert status == 201, ticket
        return ticket


def hub_config(url: str, **sections: Any) -> dict[str, Any]:
    return {"database": {"url": url}, "api": API_CONFIG, "webchat": {key: 1000 for key in RATE_KEYS}, **sections}


@pytest.fixture
def hub_clock() -> Clock:
    """The served hub's clock; a test module that moves time overrides this with a `FakeClock`."""
    return SystemClock()


@pytest.fixture
async def wecom_api(hub_clock: Clock) -> AsyncIterator[FakeWeixinApi]:
    api = await FakeWeixinApi(clock=hub_clock, app_id="wx-unused", app_secret="unused", corp_id=CORP_ID,
                              corp_secret="corpsecret", agent_id=AGENT_ID).start()
    yield api
    await api.close()


def wecom_section(api: FakeWeixinApi) -> dict[str, Any]:
    """`[wecom]` against the fake API: the channel the demo staff are reached on, so jobs are offered to them."""
    return {"corp_id": CORP_ID, "agent_id": str(AGENT_ID), "secret": "corpsecret", "token": "wecomtoken",
            "encoding_aes_key": new_aes_key(), "api_base_url": api.url}


@pytest.fixture
async def served(engine: AsyncEngine, hub_clock: Clock,
                 wecom_api: FakeWeixinApi) -> AsyncIterator[tuple[Hub, TestServer]]:
    url = engine.url.render_as_string(hide_password=False)
    async with served_hub(config_from_dict(hub_config(url, wecom=wecom_section(wecom_api))),
                          understander=keyword_understander(), clock=hub_clock, demo=True) as hub_and_server:
        yield hub_and_server


@pytest.fixture
async def api(served: tuple[Hub, TestServer]) -> AsyncIterator[Api]:
    hub, server = served
    async with aiohttp.ClientSession() as http:
        yield Api(http, server, hub)
