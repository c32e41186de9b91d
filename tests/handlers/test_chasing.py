"""A customer chasing their ticket (催单): the chase goes on the ticket and the audit log, the technician who has it
(or the queue's staff) is told, and from the second chase on the supervisors too and the ticket is more urgent; with
nothing open, the chase is a problem to file."""
from __future__ import annotations

from typing import Any

import pytest

from templates.render import Renderer

CUSTOMER = "web:chaser"
REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"
CHASE = "怎么还没人联系我？？都等了一上午了"


def _templates(out: list[dict[str, Any]]) -> list[str]:
    return [o["template"] for o in out]


async def test_a_chase_is_recorded_and_the_technician_told_then_the_supervisors(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, REPAIR)
    code = opened[0]["data"]["ticket"]["id"]
    before = await desk.ticket(code)
    assert before.status == "assigned"

    out = await desk.say("webchat", CUSTOMER, CHASE)
    assert _templates(out) == ["status_report", "ticket_chased"]
    answer, told = out
    assert answer["recipient"] == CUSTOMER and answer["data"]["chases"] == 1
    assert [t["id"] for t in answer["data"]["tickets"]] == [code]
    assert told["recipient"] == "wangshifu" and told["data"]["text"] == CHASE
    events = await desk.events(code)
    assert [(e.action, e.after) for e in events if e.action == "chased"] == [("chased", {"chases": 1})]
    assert (await desk.ticket(code)).priority == before.priority, "one chase does not reprioritise"

    out = await desk.say("webchat", CUSTOMER, "催一下，快点派师傅来")
    assert _templates(out)[:2] == ["status_report", "ticket_chased"] and out[0]["data"]["chases"] == 2
    supervisors = [o for o in out[2:] if o["template"] == "ticket_chased"]
    assert supervisors and all(o["recipient"] != "wangshifu" for o in supervisors)
    levels = ["P1", "P2", "P3", "P4"]
    raised = before.priority if before.priority <= "P2" else levels[levels.index(before.priority) - 1]
    assert (await desk.ticket(code)).priority == raised, "one level more urgent, never past P2"
    assert [e.action for e in await desk.events(code)].count("chased") == 2


async def test_a_chase_with_nothing_open_is_filed(desk) -> None:  # type: ignore[no-untyped-def]
    """It was met with "您好，您的预约我们已经记录下来了", as if the customer had not waited for anyone."""
    out = await desk.say("webchat", CUSTOMER, "冰箱坏了三天了，怎么还没人来修")
    assert _templates(out)[0] == "ticket_opened" and out[0]["data"]["chased"] is True
    assert "久等" in Renderer().render("ticket_opened", out[0]["data"], "zh").text
    assert "keep you waiting" in Renderer().render("ticket_opened", out[0]["data"], "en").text


@pytest.mark.parametrize("chase", ["师傅说今天来，到现在都没来！！", "说好的今天上门，人呢"])
async def test_a_technician_who_did_not_come_with_nothing_open_here_is_a_complaint(desk, chase: str) -> None:  # type: ignore[no-untyped-def]
    """Filed as a delivery matter asking for an order number, with "今天" as the visit's time, it told staff nothing."""
    [opened, *_] = await desk.say("webchat", CUSTOMER, chase)
    assert opened["template"] == "ticket_opened" and opened["data"]["ticket"]["type"] == "complaint"
    assert opened["data"]["missing"] == ["phone"]


async def test_a_chase_of_an_agents_ticket_tells_the_agents(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, "我要开发票，订单号202405011234，电话13812345678")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "发票怎么还没开")
    assert _templates(out)[0] == "status_report" and out[0]["data"]["chases"] == 1
    alerts = [o for o in out[1:] if o["template"] == "ticket_chased"]
    assert alerts and {o["data"]["ticket"]["id"] for o in alerts} == {code}


async def test_a_chase_with_several_open_tickets_chases_each(desk) -> None:  # type: ignore[no-untyped-def]
    repair = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    invoice = (await desk.say("webchat", CUSTOMER, "我要开发票，订单号202405011234"))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "still waiting, nobody called me")
    assert out[0]["template"] == "status_report" and out[0]["data"]["chases"] == 1
    assert {o["data"]["ticket"]["id"] for o in out[1:] if o["template"] == "ticket_chased"} == {repair, invoice}
    for code in (repair, invoice):
        assert [e.action for e in await desk.events(code)].count("chased") == 1


async def test_hurrying_up_alone_chases_but_a_problem_named_with_it_is_filed(desk) -> None:  # type: ignore[no-untyped-def]
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "能不能快点")
    assert out[0]["template"] == "status_report" and out[0]["data"]["chases"] == 1
    out = await desk.say("webchat", CUSTOMER, "冰箱坏了三天了，怎么还没人来修")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["id"] != code


async def test_a_chase_giving_the_detail_awaited_adds_it_and_a_complaint_is_filed(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678")
    code = opened[0]["data"]["ticket"]["id"]
    assert opened[0]["data"]["missing"] == ["address"]
    out = await desk.say("webchat", CUSTOMER, "亲 我家住在南京市鼓楼区中山北路200号 麻烦快点来")
    assert out[0]["template"] == "ticket_updated" and (await desk.ticket(code)).entities["addresses"]
    out = await desk.say("webchat", CUSTOMER, "我要投诉！！！已经等了一个星期了")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["type"] == "complaint"


async def test_a_chase_on_a_ticket_that_misses_details_asks_for_them(desk) -> None:  # type: ignore[no-untyped-def]
    """A ticket waiting for the customer's address is not "being arranged": the answer says what to send."""
    await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678")
    out = await desk.say("webchat", CUSTOMER, CHASE)
    assert out[0]["template"] == "status_report" and out[0]["data"]["tickets"][0]["missing"] == ["address"]
    out = await desk.say("webchat", CUSTOMER, "上海市浦东新区张江路100号3栋")
    assert out[0]["template"] == "ticket_updated", "the conversation still waits for the address"


async def test_asking_when_the_technician_comes_about_something_broken_files_it(desk) -> None:  # type: ignore[no-untyped-def]
    """With no ticket here, "洗衣机坏了，师傅什么时候来" reports the washing machine: it is filed, not answered
    with "no ticket found"; the same question naming nothing is answered so."""
    out = await desk.say("webchat", "web:first-timer", "洗衣机坏了，师傅什么时候来")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["type"] == "repair"
    out = await desk.say("webchat", "web:second-timer", "维修师傅什么时候来啊")
    assert _templates(out) == ["status_none"]


@pytest.mark.parametrize("chase", ["能快点吗", "可以快一点吗"])
async def test_asking_for_it_faster_is_a_chase(desk, chase: str) -> None:  # type: ignore[no-untyped-def]
    """"能快点吗" opened a second ticket, an inquiry, instead of chasing the first."""
    opened = await desk.say("webchat", CUSTOMER, REPAIR)
    out = await desk.say("webchat", CUSTOMER, chase)
    assert _templates(out)[:2] == ["status_report", "ticket_chased"]
    assert out[0]["data"]["tickets"][0]["id"] == opened[0]["data"]["ticket"]["id"]


async def test_an_angry_chase_is_chased_and_handed_to_a_person(desk) -> None:  # type: ignore[no-untyped-def]
    """"再不处理我就投诉到12315" threatens a complaint about the open ticket: it opened a second ticket, a complaint
    asking for a phone already on the first. It chases the ticket and a person takes the conversation over."""
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "你们到底管不管？？再不处理我就投诉到12315")
    assert _templates(out)[:2] == ["status_report", "ticket_chased"] and "handover_alert" in _templates(out)
    assert out[0]["data"]["tickets"][0]["id"] == code and out[0]["data"]["person"] == "called"
    told = Renderer().render("status_report", out[0]["data"], "zh").text
    assert "已为您转接人工客服，请稍候，客服会在这里直接回复您。\n\n工单号" in told, "the card a paragraph apart"
    alert = next(o for o in out if o["template"] == "handover_alert")
    assert alert["data"]["thread_ticket"] == code and alert["data"]["reason"] == "angry"
    assert await desk.say("webchat", CUSTOMER, "我在家等着") == [], "the next words wait for the person"
    out = await desk.say("webchat", "web:other-chaser", "你们到底管不管？？再不处理我就投诉到12315")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["type"] == "complaint", \
        "with nothing open it is a complaint to file"
