"""Two hub processes (here: two channels with their own servers and Redis connections): a reply sent by the one
without the customer's socket reaches the customer through the other; with no socket anywhere it stays retryable."""
from __future__ import annotations

import uuid
from typing import AsyncIterator

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
