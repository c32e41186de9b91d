"""A whole hub (SQLite, memory bus, web chat, real NLP) served over HTTP on loopback."""
from __future__ import annotations

import json
from typing import Any, AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.app import build_app
from bot.bootstrap import Hub, build_hub
from bot.config import config_from_dict
from core.storage.migrate import upgrade
from testkit.hub_process import RATE_KEYS


@pytest.fixture
async def hub_server(tmp_path) -> AsyncIterator[tuple[Hub, TestServer]]:  # type: ignore[no-untyped-def]
    config = config_from_dict({"database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"},
                               "webchat": {key: 1000 for key in RATE_KEYS}})
    hub = build_hub(config)
    await upgrade(hub.engine)
    server = TestServer(build_app(hub))
    await server.start_server()
    yield hub, server
    await server.close()


class ChatClient:
    """A web-chat user over the real websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session: str) -> None:
        self.ws = ws
        self.session = session
        self._n = 0

    async def say(self, text: str, *, client_id: str | None = None) -> dict[str, Any]:
        self._n += 1
        await self.ws.send_str(json.dumps({"type": "message", "text": text, "id": client_id or f"c{self._n}"},
                                          ensure_ascii=False))
        return await self.next("ack")

    async def next(self, kind: str = "message", timeout: float = 20.0) -> dict[str, Any]:
        while True:
            frame = json.loads((await self.ws.receive(timeout=timeout)).data)
            if frame["type"] == kind:
                return frame


@pytest.fixture
async def chat(hub_server) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    _, server = hub_server
    async with aiohttp.ClientSession() as http:
        clients = []

        async def connect(session: str | None = None) -> ChatClient:
            query = f"?session={session}" if session else ""
            ws = await http.ws_connect(server.make_url(f"/chat/ws{query}"))
            hello = json.loads((await ws.receive(timeout=10)).data)
            client = ChatClient(ws, hello["session"])
            clients.append(client)
            return client

        yield connect
        for client in clients:
            await client.ws.close()
