"""The web chat's limits over the real websocket: per client address (messages and new sessions), for everyone
together, and which address a request comes from (`X-Forwarded-For` only behind a trusted proxy)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import WSCloseCode, WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from channels.webchat.admission import client_address, limit_key, parse_networks
from channels.webchat.channel import WebChatChannel
from channels.webchat.config import WebChatConfig
from channels.webchat.ratelimit import SlidingWindowLimiter
from tests.channels.webchat.conftest import make_app

PROXY = ("127.0.0.1",)
WINDOW = timedelta(seconds=10)


def limits(*, session: int = 1000, address: int = 1000, address_sessions: int = 1000,
           overall: int = 1000) -> WebChatConfig:
    """Every limit generous, over a 10 s window, unless the test lowers one."""
    return WebChatConfig(sender_rate=session, sender_rate_window=WINDOW, address_rate=address,
                         address_rate_window=WINDOW, address_session_rate=address_sessions,
                         address_session_rate_window=WINDOW, global_rate=overall, global_rate_window=WINDOW)


@pytest.fixture
async def serve(recorder, clock):
    """A web chat with the given limits; returns a function that opens a socket from an address."""
    clients: list[TestClient] = []

    async def serve(trusted_proxies: tuple[str, ...] = (), **overrides):
        channel = WebChatChannel(config=limits(**overrides), intake=recorder, clock=clock,
                                 trusted_proxies=trusted_proxies)
        client = TestClient(TestServer(make_app(channel)))
        await client.start_server()
        clients.append(client)

        async def connect(session: str | None = None, address: str | None = None):
            headers = {"X-Forwarded-For": address} if address else {}
            params = {"session": session} if session else {}
            ws = await client.ws_connect("/chat/ws", params=params, headers=headers)
            return ws, await ws.receive_json(timeout=5)

        return connect

    yield serve
    for client in clients:
        await client.close()


async def say(ws, text: str, client_id: str) -> dict:
    await ws.send_json({"type": "message", "text": text, "id": client_id})
    return await ws.receive_json(timeout=5)


async def test_new_sessions_from_one_address_are_capped_and_reconnects_are_not(serve, recorder, clock):
    connect = await serve(address_sessions=3)
    opened = [await connect() for _ in range(3)]
    assert [hello["type"] for _, hello in opened] == ["hello"] * 3

    ws, refused = await connect()
    assert (refused["type"], refused["code"]) == ("error", "rate_limited") and 0 < refused["retry_after"] <= 10
    closing = await ws.receive(timeout=5)
    assert (closing.type, ws.close_code) == (WSMsgType.CLOSE, WSCloseCode.TRY_AGAIN_LATER)

    _, hello = await connect(session=opened[0][1]["session"])
    assert hello == {"type": "hello", "session": opened[0][1]["session"]}
    clock.advance(10)
    _, hello = await connect()
    assert hello["type"] == "hello"
    assert recorder.accepted == []


async def test_many_sessions_from_one_address_share_its_message_limit(serve, recorder):
    connect = await serve(address=5)
    answers = []
    for n in range(12):
        ws, _ = await connect()
        answers.append(await say(ws, "洗衣机不脱水了", f"m-{n}"))
    assert [a["type"] for a in answers] == ["ack"] * 5 + ["error"] * 7
    assert {(a["code"], a["message"]) for a in answers[5:]} == {("rate_limited", "您发送得太快了，请稍候再试。")}
    assert all(0 < a["retry_after"] <= 10 for a in answers[5:])
    assert len(recorder.accepted) == 5


async def test_global_limit_answers_before_the_intake_is_called(serve, recorder, clock):
    connect = await serve(overall=2, trusted_proxies=PROXY)
    sockets = [(await connect(address=f"198.51.100.{n}"))[0] for n in range(3)]
    calls = []

    async def counted(inbound):
        calls.append(inbound.external_id)
    recorder.on_inbound = counted
    first, second = [await say(ws, "空调不制冷", f"g-{n}") for n, ws in enumerate(sockets[:2])]
    crowded = await say(sockets[2], "空调不制冷", "g-2")
    assert (first["type"], second["type"]) == ("ack", "ack")
    assert (crowded["code"], crowded["id"]) == ("rate_limited", "g-2") and 0 < crowded["retry_after"] <= 10
    assert crowded["message"] == "当前咨询人数较多，您的消息稍后将自动重发。"
    assert len(calls) == 2
    clock.advance(10)
    assert await say(sockets[2], "空调不制冷", "g-2") == {"type": "ack", "id": "g-2"}
    assert len(calls) == 3


async def test_a_customer_elsewhere_is_unaffected_by_a_flood_from_one_address(serve, recorder):
    connect = await serve(address=10, address_sessions=5, trusted_proxies=PROXY)
    flood = []
    for n in range(20):
        ws, first = await connect(address="203.0.113.9")
        if first["type"] == "hello":
            flood += [await say(ws, f"刷单{i}", f"f-{n}-{i}") for i in range(10)]
    assert sum(a["type"] == "ack" for a in flood) == 10
    customer, _ = await connect(address="198.51.100.7")
    answers = [await say(customer, text, f"c-{i}") for i, text in enumerate(["热水器漏水", "电话13812345678"])]
    assert answers == [{"type": "ack", "id": "c-0"}, {"type": "ack", "id": "c-1"}]
    assert len(recorder.accepted) == 12


@pytest.mark.parametrize("trusted, limited", [((), True), (PROXY, False)], ids=["direct", "behind-proxy"])
async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(serve, trusted, limited):
    connect = await serve(address=1, trusted_proxies=trusted)
    answers = []
    for n in range(2):
        ws, _ = await connect(address=f"192.0.2.1, 198.51.100.{n}")
        answers.append((await say(ws, "在吗", f"x-{n}"))["type"])
    assert answers == (["ack", "error"] if limited else ["ack", "ack"])


PROXIES = parse_networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
    ("127.0.0.1", "", "127.0.0.1"),
    ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
    ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
    ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),
    ("127.0.0.1", "10.9.9.9, 10.1.2.3", "10.9.9.9"),
    ("127.0.0.1", "198.51.100.1, not-an-address", "127.0.0.1"),
    ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),
], ids=["untrusted-peer", "proxy-without-header", "proxy", "spoofed-left-part", "two-proxies", "all-proxies",
        "unreadable", "ipv4-mapped-proxy"])
def test_client_address_walks_forwarded_for_only_through_trusted_hops(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXIES) == expected


def test_ipv6_clients_count_by_their_64():
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert limit_key("198.51.100.1") == "198.51.100.1"


def test_a_limiter_forgets_keys_whose_window_has_passed(clock):
    limiter = SlidingWindowLimiter(clock=clock, rate=2, window=10.0)
    for n in range(1000):
        assert limiter.hit(f"session-{n}") == 0
    assert limiter.hit("session-0") == 0 and limiter.hit("session-0") > 0
    clock.advance(10)
    assert limiter.hit("late") == 0
    assert len(limiter) == 1
