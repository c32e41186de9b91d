"""One message, two problems: "空调不制冷，另外洗衣机也漏水" opens a ticket for each device, typed and prioritised on its
own, and the customer is told both numbers; the detail asked for next goes to both tickets. A bare "没有", "嗯" or
"好的" as a first message opens nothing."""
from __future__ import annotations

import pytest

from templates.render import Renderer

CUSTOMER = "web:two-problems"


def _opened(out: list[dict]) -> list[dict]:
    return [o["data"]["ticket"] for o in out if o["template"] == "ticket_opened"]


async def test_two_devices_in_one_message_open_two_tickets(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "家里空调不制冷，另外洗衣机也漏水了")
    first, second = _opened(out)
    assert first["id"] != second["id"]
    assert (await desk.ticket(first["id"])).entities["products"] == ["空调"]
    assert (await desk.ticket(second["id"])).entities["products"] == ["洗衣机"]
    replies = [o for o in out if o["template"] == "ticket_opened"]
    assert [r["data"]["several"] for r in replies] == [{"part": 1, "of": 2}, {"part": 2, "of": 2}]
    told = "\n".join(Renderer().render("ticket_opened", r["data"], "zh").text for r in replies)
    assert first["id"] in told and second["id"] in told and "2 个问题" in told
    assert told.count("请告诉我们您的") == 1, "what is missing is asked once"

    out = await desk.say("webchat", CUSTOMER, "电话13812345678")
    [updated] = [o for o in out if o["template"] == "ticket_updated"]
    assert {updated["data"]["ticket"]["id"], *updated["data"]["also"]} == {first["id"], second["id"]}
    told = Renderer().render("ticket_updated", updated["data"], "zh").text
    assert told.startswith(f"已补充到工单 {first['id']}、{second['id']}，谢谢！") and told.count("电话：") == 1
    english = Renderer().render("ticket_updated", updated["data"], "en").text
    assert english.startswith(f"Added to tickets {first['id']} and {second['id']}, thank you!")
    for code in (first["id"], second["id"]):
        assert (await desk.ticket(code)).entities["phones"] == ["13812345678"]
    assert "还需要您的上门地址" in told

    out = await desk.say("webchat", CUSTOMER, "北京市海淀区中关村大街1号")
    [updated] = [o for o in out if o["template"] == "ticket_updated"]
    told = Renderer().render("ticket_updated", updated["data"], "zh").text
    assert told.endswith("信息已齐全，我们会尽快安排处理。"), "the last detail of both tickets says they have it all"


async def test_a_ticket_missing_something_else_is_told_apart(desk) -> None:  # type: ignore[no-untyped-def]
    """An installation also needs a time, a repair does not: after the phone each is told what it still misses."""
    out = await desk.say("webchat", CUSTOMER, "空调不制冷了，还有新买的洗碗机想预约安装")
    opened = {t["id"]: t["type"] for t in _opened(out)}
    assert sorted(opened.values()) == ["installation", "repair"]
    out = await desk.say("webchat", CUSTOMER, "13812345678")
    updated = {o["data"]["ticket"]["id"]: o["data"] for o in out if o["template"] == "ticket_updated"}
    assert updated.keys() == opened.keys() and all("also" not in u for u in updated.values())
    assert len({tuple(u["missing"]) for u in updated.values()}) == 2


async def test_a_detail_an_earlier_ticket_misses_is_asked_when_the_last_has_all(desk) -> None:  # type: ignore[no-untyped-def]
    """The heater's repair needed a phone and an address, but only the last ticket asks, and the oven's delivery
    needed nothing more: nobody asked, and the phone sent next went to the delivery alone. The oven's order number
    was on the heater's repair too."""
    out = await desk.say("webchat", CUSTOMER, "热水器显示E4，另外上周买的烤箱还没发货，订单号 202611200001")
    heater, oven = _opened(out)
    assert (heater["type"], oven["type"]) == ("repair", "logistics")
    assert (await desk.ticket(heater["id"])).entities["order_numbers"] == []
    assert (await desk.ticket(oven["id"])).entities["order_numbers"] == ["202611200001"]
    last = [o for o in out if o["template"] == "ticket_opened"][-1]
    assert last["data"]["pending"] == {"id": heater["id"], "field": "phone"}
    told = Renderer().render("ticket_opened", last["data"], "zh").text
    assert f"工单 {heater['id']} 还需要您的联系电话" in told and "尽快安排处理" not in told
    assert f"For ticket {heater['id']}, please send us your" in Renderer().render("ticket_opened", last["data"], "en").text
    out = await desk.say("webchat", CUSTOMER, "电话13712345678")
    assert (await desk.ticket(heater["id"])).entities["phones"] == ["13712345678"]
    updated = {o["data"]["ticket"]["id"]: o["data"]["missing"] for o in out if o["template"] == "ticket_updated"}
    assert updated[heater["id"]] == ["address"]


async def test_each_problem_keeps_its_own_priority(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "洗衣机漏水漏到插座那边了，还有冰箱也不制冷")
    washer, fridge = _opened(out)
    assert (await desk.ticket(washer["id"])).priority == "P1"
    assert (await desk.ticket(fridge["id"])).priority == "P2"
    safety = [o["data"]["safety"] for o in out if o["template"] == "ticket_opened"]
    assert safety == [["water_electric"], []]


async def test_one_symptom_of_two_devices_opens_two_tickets(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "冰箱和洗衣机都坏了")
    products = [(await desk.ticket(t["id"])).entities["products"] for t in _opened(out)]
    assert products == [["冰箱"], ["洗衣机"]]


async def test_two_symptoms_of_one_device_are_one_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "空调不制冷，另外空调外机也一直响")
    assert len(_opened(out)) == 1


@pytest.mark.parametrize("text", ["没有", "嗯", "好的"])
async def test_a_bare_answer_as_a_first_message_opens_nothing(desk, text: str) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, text)
    assert [o["template"] for o in out] in (["greeting"], ["thanks"])
