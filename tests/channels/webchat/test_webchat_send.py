"""Replies to the browser: pushed to every open tab of the conversation, retryable when none is open, and sockets
closed with 1001 when the channel stops."""
from __future__ import annotations

import pytest
from aiohttp import WSCloseCode, WSMsgType

from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Action, Rendered

SESSION = "AbCdEfGhIjKlMnOpQrStUv"
TICKET = {"id": "SR-20261123-0001", "type": "repair", "type_label": "维修", "status": "new", "status_label": "新建",
          "priority": "P2", "summary": "洗衣机不脱水"}


def reply(conversation: str = f"web:{SESSION}", key: str = "out-1") -> tuple[Outbound, Rendered]:
    message = Outbound(channel="webchat", account="web", recipient=conversation, conversation=conversation,
                       template="ticket_opened", data={"ticket": TICKET}, idempotency_key=key)
    rendered = Rendered(markdown="已为您创建工单 **SR-20261123-0001**", text="已为您创建工单 SR-20261123-0001",
                        subject="", html="", actions=(Action(id="status", label="查询进度", command="查询进度"),))
    return message, rendered


async def test_reply_reaches_every_tab_of_the_session_and_no_other(open_chat, channel):
    tab1, _ = await open_chat(session=SESSION)
    tab2, _ = await open_chat(session=SESSION)
    stranger, _ = await open_chat(session=SESSION[::-1])
    assert await channel.send(*reply()) == "out-1"
    for tab in (tab1, tab2):
        assert await tab.receive_json(timeout=5) == {
            "type": "message", "id": "out-1", "text": "已为您创建工单 SR-20261123-0001",
            "markdown": "已为您创建工单 **SR-20261123-0001**",
            "actions": [{"id": "status", "label": "查询进度", "command": "查询进度"}], "ticket": TICKET,
        }
    await stranger.send_json({"type": "message", "text": "你好", "id": "s-1"})
    assert (await stranger.receive_json(timeout=5))["type"] == "ack"


async def test_send_without_an_open_socket_is_retryable(open_chat, channel):
    ws, _ = await open_chat(session=SESSION)
    await ws.close()
    with pytest.raises(RetryableSendError):
        await channel.send(*reply())


async def test_send_to_a_foreign_conversation_is_permanent(channel):
    with pytest.raises(PermanentSendError):
        await channel.send(*reply(conversation="wechat:openid-1"))


async def test_stop_closes_sockets_going_away_and_refuses_new_ones(open_chat, channel, client):
    ws, _ = await open_chat(session=SESSION)
    await channel.stop()
    closing = await ws.receive(timeout=5)
    assert closing.type is WSMsgType.CLOSE and closing.data == WSCloseCode.GOING_AWAY
    refused = await client.get("/chat/ws")
    assert refused.status == 503
    await channel.start()
    again, _ = await open_chat(session=SESSION)
    assert await channel.send(*reply(key="out-2")) == "out-2"
    assert (await again.receive_json(timeout=5))["id"] == "out-2"
