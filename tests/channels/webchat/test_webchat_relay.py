"""Two hub processes (here: two channels with their own servers and Redis connections): a reply sent by the one
without the customer's socket reaches the customer through the other; with no socket anywhere it stays retryable."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from channels.webchat.channel import WebChatChannel
from channels.webchat.config import WebChatConfig
from channels.webchat.relay import RedisSocketRelay
from core.ports import RetryableSendError
from tests.channels.webchat.conftest import make_app
from tests.channels.webchat.test_webchat_send import SESSION, reply


@pytest.fixture
async def two_processes(redis_url: str, recorder, clock) -> AsyncIterator[tuple[WebChatChannel, TestClient]]:
    """The first process's channel (no sockets), and a client of the second process."""
    prefix = f"test-{uuid.uuid4().hex}"
    first = WebChatChannel(config=WebChatConfig(), intake=recorder, clock=clock, relay=RedisSocketRelay(url=redis_url, prefix=prefix))
    second = WebChatChannel(config=WebChatConfig(), intake=recorder, clock=clock, relay=RedisSocketRelay(url=redis_url, prefix=prefix))
    async with TestClient(TestServer(make_app(first))), TestClient(TestServer(make_app(second))) as client:
        yield first, client


async def test_a_reply_reaches_a_socket_held_by_another_process(two_processes) -> None:
    first, client = two_processes
    ws = await client.ws_connect("/chat/ws", params={"session": SESSION})
    assert (await ws.receive_json(timeout=5))["type"] == "hello"
    assert await first.send(*reply()) == "out-1"
    frame = await ws.receive_json(timeout=5)
    assert (frame["type"], frame["id"], frame["ticket"]["id"]) == ("message", "out-1", "SR-20261123-0001")
    await ws.close()


async def test_with_no_socket_anywhere_the_reply_stays_retryable(two_processes) -> None:
    first, _ = two_processes
    with pytest.raises(RetryableSendError):
        await first.send(*reply(conversation="web:NobodyIsHereAtAll123"))


class _Sockets:
    """A process's web-chat sockets as its relay sees them: it holds every conversation (`holds`) or none, and
    notes each one it is asked to push to."""

    def __init__(self, *, holds: bool) -> None:
        self.asked: list[str] = []
        self._holds = holds

    def holding(self, conversation: str) -> bool:
        return self._holds

    async def deliver(self, conversation: str, frame: dict[str, Any]) -> bool:
        self.asked.append(conversation)
        return self._holds


def _other_database(url: str) -> str:
    """The same Redis server, another database (only subscribed and published to: nothing is written there)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database + 1) % 16}"))


async def test_a_hub_on_another_database_of_the_same_redis_never_gets_the_replies(redis_url: str) -> None:
    """Redis delivers pub/sub across databases: a reply of another deployment (here the same prefix on the database
    next door) must not be pushed to this deployment's socket of a session that happens to have the same id. The
    reply of this deployment sent after it reaches that socket, so by then the other one would have too."""
    prefix = f"test-{uuid.uuid4().hex}"
    here, sender = RedisSocketRelay(url=redis_url, prefix=prefix), RedisSocketRelay(url=redis_url, prefix=prefix)
    elsewhere = RedisSocketRelay(url=_other_database(redis_url), prefix=prefix)
    sockets = _Sockets(holds=True)
    await here.start(sockets.deliver, sockets.holding)
    for relay in (sender, elsewhere):
        idle = _Sockets(holds=False)
        await relay.start(idle.deliver, idle.holding)
    try:
        while not await sender.forward("web:ready", {}):
            await asyncio.sleep(0.05)
        await elsewhere.forward("web:theirs", {})
        assert await sender.forward("web:ours", {})
        assert [conversation for conversation in sockets.asked if conversation != "web:ready"] == ["web:ours"]
    finally:
        for relay in (here, sender, elsewhere):
            await relay.stop()


async def test_a_holder_that_takes_a_reply_and_dies_before_pushing_does_not_lose_it(redis_url: str) -> None:
    """The holder takes the request and never answers (its process died, or hangs): the asker reports the reply
    unsent, so the outbox sends it again, rather than counting it as delivered."""
    prefix = f"test-{uuid.uuid4().hex}"
    holder, asker = RedisSocketRelay(url=redis_url, prefix=prefix, wait=0.2), RedisSocketRelay(url=redis_url, prefix=prefix, wait=0.2)
    taken = asyncio.Event()

    async def dies_while_pushing(conversation: str, frame: dict[str, Any]) -> bool:
        taken.set()
        await asyncio.Event().wait()
        return True

    await holder.start(dies_while_pushing, lambda conversation: True)
    idle = _Sockets(holds=False)
    await asker.start(idle.deliver, idle.holding)
    try:
        while not taken.is_set():
            assert not await asker.forward("web:lost", {"id": "out-1"})
        assert not await asker.forward("web:lost", {"id": "out-1"})
    finally:
        for relay in (holder, asker):
            await relay.stop()
