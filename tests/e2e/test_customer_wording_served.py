"""Messages as customers really type them, through the served web chat with the shipped type model: two problems in
one message, a bare "没有" to start with, a smell of gas, an error code asked about, a repair in English."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.storage.models import Ticket


async def _tickets(hub) -> int:  # type: ignore[no-untyped-def]
    async with hub.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Ticket))


async def test_two_problems_in_one_message_open_two_tickets(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    await customer.say("空调不制冷，另外洗衣机也漏水")
    first, second = await customer.next(), await customer.next()
    assert first["ticket"]["id"] != second["ticket"]["id"]
    assert first["ticket"]["type"] == second["ticket"]["type"] == "repair"
    assert "2 个问题" in first["text"] and "联系电话" in second["text"] and "联系电话" not in first["text"]
    await customer.say("电话13812345678")
    updated = await customer.next()
    assert first["ticket"]["id"] in updated["text"] and second["ticket"]["id"] in updated["text"]
    assert updated["text"].count("电话：") == 1, "one reply for the detail both tickets took"
    assert await _tickets(hub) == 2


@pytest.mark.parametrize(("lang", "text", "chinese"), [("en", "ok", False), ("en", "1", False), (None, "ok", True),
                                                      ("en", "好的", True)])
async def test_a_first_message_of_no_language_is_answered_in_the_pages(  # type: ignore[no-untyped-def]
        hub_server, chat, lang: str | None, text: str, chinese: bool) -> None:
    """"ok" typed on the English web-chat page was answered in Chinese ("好的。还有其他问题随时找我。")."""
    customer = await chat(lang=lang)
    await customer.say(text)
    reply = (await customer.next())["text"]
    assert bool(re.search(r"[\u4e00-\u9fff]", reply)) is chinese, reply


@pytest.mark.parametrize("text", ["没有", "嗯", "好的"])
async def test_a_bare_answer_to_start_with_opens_nothing(hub_server, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    await customer.say(text)
    reply = await customer.next()
    assert reply["ticket"] is None
    assert await _tickets(hub) == 0


@pytest.mark.parametrize("text", ["燃气灶有股煤气味", "热水器显示E4是什么意思", "my dishwasher is leaking water"])
async def test_faults_open_repairs(hub_server, chat, text: str) -> None:  # type: ignore[no-untyped-def]
    customer = await chat()
    await customer.say(text)
    assert (await customer.next())["ticket"]["type"] == "repair"
