"""Fixtures for the web chat: a recording intake sink and the channel served by a real aiohttp server."""
from __future__ import annotations

from datetime import timedelta

from typing import AsyncIterator, Awaitable, Callable, Sequence

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels.webchat.channel import WebChatChannel
from channels.webchat.config import WebChatConfig
from core.clock import FakeClock
from core.envelopes import Inbound


class IntakeRecorder:
    """An `IntakeSink` that remembers what it committed, reports repeats of `(channel, external_id)` as False,
    and raises `failure` while it is set (the database being locked or gone)."""

    def __init__(self) -> None:
        self.accepted: list[Inbound] = []
        self.duplicates: list[Inbound] = []
        self.failure: Exception | None = None
        self.on_inbound: Callable[[Inbound], Awaitable[None]] | None = None
        self._keys: set[tuple[str, str]] = set()

    async def __call__(self, inbounds: Sequence[Inbound]) -> list[bool]:
        if self.failure is not None:
            raise self.failure
        results = []
        for inbound in inbounds:
            new = inbound.key not in self._keys
            self._keys.add(inbound.key)
            (self.accepted if new else self.duplicates).append(inbound)
            results.append(new)
            if new and self.on_inbound is not None:
                await self.on_inbound(inbound)
        return results


def make_app(channel: WebChatChannel) -> web.Application:
    app = web.Application()
    app.add_routes(channel.routes())

    async def start(_: web.Application) -> None:
        await channel.start()

    async def stop(_: web.Application) -> None:
        await channel.stop()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return app


@pytest.fixture
def recorder() -> IntakeRecorder:
    return IntakeRecorder()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def channel(recorder: IntakeRecorder, clock: FakeClock) -> WebChatChannel:
    config = WebChatConfig(max_frame_bytes=1024, sender_rate=3, sender_rate_window=timedelta(seconds=10))
    return WebChatChannel(config=config, intake=recorder, clock=clock)


@pytest.fixture
async def client(channel: WebChatChannel) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(channel))) as test_client:
        yield test_client


@pytest.fixture
def open_chat(client: TestClient) -> Callable[..., Awaitable[tuple]]:
    """Open `/chat/ws` (optionally for a session / language) and return the socket and its hello frame."""

    async def open_chat(session: str | None = None, lang: str | None = None) -> tuple:
        params = {k: v for k, v in {"session": session, "lang": lang}.items() if v is not None}
        ws = await client.ws_connect("/chat/ws", params=params)
        hello = await ws.receive_json(timeout=5)
        assert hello["type"] == "hello"
        return ws, hello

    return open_chat
