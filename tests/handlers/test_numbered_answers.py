"""Numbered answers: where a channel shows a reply's buttons as numbered lines, "2" (or "第二个") answers as the second
button's command — once, and only right after the reply that offered them."""
from __future__ import annotations

from typing import Any

CUSTOMER = "web:numbered"
REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"
INSTALL = "新买的空调需要安装，明天下午3点，电话13812345678，地址上海市浦东新区张江路100号3栋"


def _templates(out: list[dict[str, Any]]) -> list[str]:
    return [o["template"] for o in out]


async def _two_open(desk) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    first = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    second = (await desk.say("webchat", CUSTOMER, INSTALL))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "取消")
    assert _templates(out) == ["cancel_which"]
    assert [a["command"] for a in out[0]["data"]["actions"]] == [f"取消 {second}", f"取消 {first}"]
    return first, second


async def test_a_number_answers_as_the_line_it_names(desk) -> None:  # type: ignore[no-untyped-def]
    first, second = await _two_open(desk)
    out = await desk.say("webchat", CUSTOMER, "2")
    assert _templates(out) == ["ticket_cancelled", "job_cancelled"]
    assert out[0]["data"]["ticket"]["id"] == first
    assert (await desk.ticket(first)).status == "cancelled"
    assert (await desk.ticket(second)).status != "cancelled"
    out = await desk.say("webchat", CUSTOMER, "第一个")
    assert "ticket_cancelled" not in _templates(out), "the choice was used up by the answer"
    assert (await desk.ticket(second)).status != "cancelled"


async def test_written_in_words_too(desk) -> None:  # type: ignore[no-untyped-def]
    first, second = await _two_open(desk)
    out = await desk.say("webchat", CUSTOMER, "第一个")
    assert _templates(out)[0] == "ticket_cancelled" and out[0]["data"]["ticket"]["id"] == second


async def test_a_number_past_the_list_or_after_another_message_is_not_a_choice(desk) -> None:  # type: ignore[no-untyped-def]
    first, second = await _two_open(desk)
    out = await desk.say("webchat", CUSTOMER, "3")
    assert "ticket_cancelled" not in _templates(out)
    await desk.say("webchat", CUSTOMER, "取消")
    await desk.say("webchat", CUSTOMER, "你好")
    out = await desk.say("webchat", CUSTOMER, "1")
    assert "ticket_cancelled" not in _templates(out)
    assert {(await desk.ticket(code)).status for code in (first, second)}.isdisjoint({"cancelled"})
