"""The flood from the issue against a whole hub (SQLite, real NLP): 60 fresh sessions × 10 messages from one address
through a trusted proxy open no more than that address's share of inbox rows, and a customer at another address is
served as usual. The limits come from `[webchat]` and `[server]` config keys, durations as strings."""
from __future__ import annotations

import json

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.app import build_app
from bot.bootstrap import build_hub
from bot.config import config_from_dict
from core.storage.migrate import upgrade
from core.storage.models import InboxRow, Ticket

LIMITS = {"webchat": {"address_rate": 10, "address_rate_window": "1m", "address_session_rate": 5,
                      "address_session_rate_window": "10m"},
          "server": {"trusted_proxies": ["127.0.0.1"]}}


async def test_sixty_sessions_from_one_address_leave_the_inbox_alone_and_others_are_served(tmp_path) -> None:
    config = config_from_dict({"database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"}, **LIMITS})
    hub = build_hub(config)
    await upgrade(hub.engine)
    server = TestServer(build_app(hub))
    await server.start_server()
    answers: list[str] = []
    try:
        async with aiohttp.ClientSession() as http:
            async def open_chat(address: str) -> tuple[aiohttp.ClientWebSocketResponse, dict]:
                ws = await http.ws_connect(server.make_url("/chat/ws"), headers={"X-Forwarded-For": address})
                return ws, json.loads((await ws.receive(timeout=10)).data)

            for n in range(60):
                ws, first = await open_chat("203.0.113.9")
                answers.append(first.get("code", first["type"]))
                for i in range(10 if first["type"] == "hello" else 0):
                    await ws.send_json({"type": "message", "text": f"洗衣机坏了，快来修{n}-{i}", "id": f"f{i}"})
                    answers.append(json.loads((await ws.receive(timeout=10)).data).get("code", "ack"))
                await ws.close()

            customer, _ = await open_chat("198.51.100.7")
            await customer.send_json({"type": "message", "text": "家里的热水器漏水了，麻烦派师傅来修", "id": "c1"})
            frames = [json.loads((await customer.receive(timeout=20)).data) for _ in range(2)]
            await customer.close()
    finally:
        await server.close()
    assert answers.count("hello") == 5 and answers.count("ack") == 10
    assert answers.count("rate_limited") == 55 + 40
    assert frames[0] == {"type": "ack", "id": "c1"} and frames[1]["ticket"]["type"] == "repair"
    async with hub.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxRow)) == 11
        assert await session.scalar(select(func.count()).select_from(Ticket)) <= 6
