"""The websocket protocol of `/chat/ws` over a real aiohttp server: ack only after intake, and a clear error frame
(never a crash) for every kind of bad input."""
from __future__ import annotations

import json
import sqlite3

from aiohttp import WSCloseCode, WSMsgType

from channels.webchat.sessions import valid_session_id
from channels.webchat.texts import SENTENCES, error_text
from templates import LOCALES

SESSION = "AbCdEfGhIjKlMnOpQrStUv"


async def test_hello_issues_a_session_when_absent_or_invalid_and_keeps_a_valid_one(open_chat):
    _, fresh = await open_chat()
    _, invalid = await open_chat(session="../../etc")
    _, kept = await open_chat(session=SESSION)
    assert valid_session_id(fresh["session"]) and valid_session_id(invalid["session"])
    assert fresh["session"] != invalid["session"]
    assert kept["session"] == SESSION


async def test_message_is_committed_then_acknowledged(open_chat, recorder, clock):
    ws, _ = await open_chat(session=SESSION)
    await ws.send_json({"type": "message", "text": "  洗衣机不脱水了  ", "id": "m-1"})
    assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "m-1"}
    [inbound] = recorder.accepted
    assert inbound.channel == "webchat" and inbound.account == "web"
    assert inbound.external_id == f"{SESSION}:m-1"
    assert inbound.sender == inbound.conversation == f"web:{SESSION}"
    assert inbound.text == "洗衣机不脱水了"
    assert inbound.sent_at == clock.now()
    assert inbound.raw == {"client_id": "m-1", "locale": "zh"}


async def test_message_without_client_id_gets_a_server_id(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    await ws.send_json({"type": "message", "text": "你好"})
    ack = await ws.receive_json(timeout=5)
    assert ack["type"] == "ack" and ack["id"]
    assert recorder.accepted[0].external_id == f"{SESSION}:{ack['id']}"


async def test_resending_the_same_client_id_is_acknowledged_but_not_duplicated(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    for _ in range(2):
        await ws.send_json({"type": "message", "text": "查询进度", "id": "m-1"})
        assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "m-1"}
    assert len(recorder.accepted) == 1 and len(recorder.duplicates) == 1


async def test_same_client_id_in_two_sessions_are_two_messages(open_chat, recorder):
    for session in (SESSION, SESSION[::-1]):
        ws, _ = await open_chat(session=session)
        await ws.send_json({"type": "message", "text": "你好", "id": "m-1"})
        await ws.receive_json(timeout=5)
    assert len(recorder.accepted) == 2


async def test_oversized_frame_is_refused_and_the_socket_stays_usable(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    await ws.send_json({"type": "message", "text": "长" * 400, "id": "big"})
    error = await ws.receive_json(timeout=5)
    assert error["type"] == "error" and error["code"] == "too_large" and error["message"]
    await ws.send_json({"type": "message", "text": "短消息", "id": "small"})
    assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "small"}
    assert [i.text for i in recorder.accepted] == ["短消息"]


async def test_huge_frame_closes_the_socket_with_message_too_big(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    await ws.send_str(json.dumps({"type": "message", "text": "x" * 10_000}))
    closing = await ws.receive(timeout=5)
    assert closing.type is WSMsgType.CLOSE and closing.data == WSCloseCode.MESSAGE_TOO_BIG
    assert recorder.accepted == []


async def test_invalid_json_binary_and_malformed_frames_get_clear_errors(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    cases = [
        ('{"type": "message", "text": ', "invalid_json"),
        ("[1, 2, 3]", "bad_frame"),
        ('{"type": "typing", "text": "hi"}', "bad_frame"),
        ('{"type": "message", "text": 42}', "bad_frame"),
        ('{"type": "message", "text": "hi", "id": "<script>"}', "bad_frame"),
    ]
    for frame, code in cases:
        await ws.send_str(frame)
        error = await ws.receive_json(timeout=5)
        assert (error["type"], error["code"]) == ("error", code), frame
    await ws.send_bytes(b"\x00\xffbinary")
    assert (await ws.receive_json(timeout=5))["code"] == "bad_frame"
    await ws.send_json({"type": "message", "text": "还在吗", "id": "after"})
    assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "after"}
    assert len(recorder.accepted) == 1


async def test_empty_text_is_refused_with_the_client_id(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    await ws.send_json({"type": "message", "text": " \n\t ", "id": "blank"})
    error = await ws.receive_json(timeout=5)
    assert (error["code"], error["id"]) == ("empty", "blank")
    assert error["message"] == "不能发送空白消息。"
    assert recorder.accepted == []


async def test_error_messages_follow_the_requested_language(open_chat):
    ws, _ = await open_chat(session=SESSION, lang="en-US")
    await ws.send_json({"type": "message", "text": " "})
    assert (await ws.receive_json(timeout=5))["message"] == "You cannot send an empty message."


async def test_flood_from_one_session_is_rate_limited_until_the_window_passes(open_chat, recorder, clock):
    ws, _ = await open_chat(session=SESSION)
    other, _ = await open_chat(session=SESSION[::-1])
    for n in range(3):
        await ws.send_json({"type": "message", "text": f"第{n}条", "id": f"m-{n}"})
        assert (await ws.receive_json(timeout=5))["type"] == "ack"
    await ws.send_json({"type": "message", "text": "第3条", "id": "m-3"})
    error = await ws.receive_json(timeout=5)
    assert (error["code"], error["id"]) == ("rate_limited", "m-3") and 0 < error["retry_after"] <= 10
    await other.send_json({"type": "message", "text": "别人的消息", "id": "o-1"})
    assert (await other.receive_json(timeout=5))["type"] == "ack"
    clock.advance(10)
    await ws.send_json({"type": "message", "text": "第3条", "id": "m-3"})
    assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "m-3"}
    assert len(recorder.accepted) == 5


async def test_database_gone_answers_unavailable_keeps_the_socket_and_a_retry_commits_once(open_chat, recorder):
    ws, _ = await open_chat(session=SESSION)
    recorder.failure = sqlite3.OperationalError("database is locked")
    await ws.send_json({"type": "message", "text": "空调漏水", "id": "m-1"})
    error = await ws.receive_json(timeout=5)
    assert (error["type"], error["code"], error["id"]) == ("error", "unavailable", "m-1")
    assert recorder.accepted == []
    recorder.failure = None
    await ws.send_json({"type": "message", "text": "空调漏水", "id": "m-1"})
    assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "m-1"}
    assert [i.text for i in recorder.accepted] == ["空调漏水"]


async def test_page_and_assets_are_served(client):
    page = await client.get("/chat")
    body = await page.text()
    assert page.status == 200 and "售后服务 · 在线客服" in body
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    for asset in ("/chat/static/chat.js", "/chat/static/chat.css", "/chat/static/favicon.svg"):
        response = await client.get(asset)
        assert response.status == 200, asset


def test_every_error_code_has_a_sentence_in_every_locale():
    for locale in LOCALES:
        assert all(error_text(code, locale).strip() for code in SENTENCES), locale
