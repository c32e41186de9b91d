"""No ticket is silent: the agents hear of every new ticket technicians do not take, the supervisors of an urgent
one at once — and the customer in danger gets the safety steps for it, not just a word of caution."""
from __future__ import annotations

from templates.render import Renderer
from tests.handlers.test_dispatch_flow import CUSTOMER, _templates

GAS = "燃气灶坏了，漏气，厨房一股燃气味，电话13812345678，地址上海市浦东新区张江路100号3栋"


async def test_a_ticket_for_the_agents_alerts_them_at_once(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "麻烦开一张发票，抬头是上海某某科技有限公司，电话13900007777")
    assert _templates(out) == ["ticket_opened", "queue_alert"]
    alert = out[1]
    code = out[0]["data"]["ticket"]["id"]
    assert (alert["channel"], alert["recipient"], alert["data"]["ticket"]["id"]) == ("wecom", "zhoukefu", code)
    ticket = await desk.ticket(code)
    assert (ticket.status, ticket.assignee_id) == ("new", None), "not dispatched to technicians"
    follow_up = await desk.say("webchat", CUSTOMER, "税号是91310000MA1FL4XXXX")
    assert _templates(follow_up) == ["ticket_updated"], "the agents are told once, when it opens"


async def test_a_gas_leak_gets_safety_steps_and_alerts_the_supervisors(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, GAS)
    assert _templates(out) == ["ticket_opened", "dispatch_notice", "urgent_alert"]
    opened, urgent = out[0], out[2]
    assert opened["data"]["ticket"]["priority"] == "P1" and opened["data"]["safety"] == ["gas"]
    text = Renderer().render("ticket_opened", opened["data"], "zh").text
    assert "关闭燃气总阀" in text and "打开门窗" in text
    assert (urgent["recipient"], urgent["data"]["hazards"]) == ("chenzhuguan", ["gas"])
    assert urgent["data"]["job"]["phone"] == "13812345678"
    english = Renderer().render("urgent_alert", urgent["data"], "en").text
    assert "gas leak" in english and "13812345678" in english


async def test_a_follow_up_that_turns_dangerous_raises_the_ticket_once(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "洗衣机漏水了，地上都是水")
    code = out[0]["data"]["ticket"]["id"]
    assert out[0]["data"]["ticket"]["priority"] == "P2"
    out = await desk.say("webchat", CUSTOMER, "漏水已经漫到插座那边了")
    assert _templates(out) == ["ticket_updated", "urgent_alert"]
    assert out[0]["data"]["safety"] == ["water_electric"] and (await desk.ticket(code)).priority == "P1"
    text = Renderer().render("ticket_updated", out[0]["data"], "zh").text
    assert "关闭总电源" in text
    again = await desk.say("webchat", CUSTOMER, "插座附近还在漏水")
    assert "urgent_alert" not in _templates(again), "supervisors hear of it once"
