"""A person takes over a customer's conversation from chat: `转人工` queues it and alerts the agents with the last
messages, `回复 SR-… 文本` answers the customer in their own channel, the customer's next messages go to that person
instead of the bot, and `结束` hands it back — every message both ways on the ticket. An angry repeat is handed over
the same way."""
from __future__ import annotations

from sqlalchemy import select

from core.storage.models import TicketMessage
from templates.render import Renderer

CUSTOMER = "web:customer-handover"
REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"


def _templates(out: list[dict]) -> list[str]:
    return [o["template"] for o in out]


async def _said(desk, code: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    ticket = await desk.ticket(code)
    async with desk.hub.sessions() as session:
        rows = await session.scalars(select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
                                     .order_by(TicketMessage.id))
        return [(m.author.partition(":")[0], m.text) for m in rows]


async def test_a_person_takes_over_answers_and_hands_back(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, REPAIR)
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "转人工")
    assert _templates(out) == ["handover_waiting", "handover_alert"]
    alert = out[1]
    assert (alert["channel"], alert["recipient"]) == ("wecom", "zhoukefu"), "the agent, on their own channel"
    assert alert["data"]["thread_ticket"] == code and alert["data"]["reason"] == "asked"
    assert [m["text"] for m in alert["data"]["messages"]] == [REPAIR, "转人工"]
    assert (await desk.events(code, "handover_requested"))[0].after == {"reason": "asked"}

    assert _templates(await desk.say("webchat", CUSTOMER, "转人工")) == ["handover_waiting"], "alerted once"
    assert await desk.say("webchat", CUSTOMER, "我在家等着，麻烦快点") == [], "waits for the person, not the bot"

    out = await desk.say("wecom", "zhoukefu", f"回复 {code} 您好，师傅明天上午到 😀")
    assert _templates(out) == ["staff_reply", "reply_sent"]
    assert (out[0]["channel"], out[0]["recipient"], out[0]["conversation"]) == ("webchat", CUSTOMER, CUSTOMER)
    assert out[0]["data"]["text"] == "您好，师傅明天上午到 😀" and out[0]["data"]["staff"] == "周客服"
    ticket = await desk.ticket(code)
    assert ticket.first_response_at is not None

    out = await desk.say("webchat", CUSTOMER, "好的，谢谢")
    assert _templates(out) == ["handover_relay"]
    assert (out[0]["channel"], out[0]["recipient"]) == ("wecom", "zhoukefu") and out[0]["data"]["text"] == "好的，谢谢"

    out = await desk.say("wecom", "zhoukefu", f"结束 {code}")
    assert _templates(out) == ["handover_released", "release_done"] and out[0]["recipient"] == CUSTOMER
    assert _templates(await desk.say("webchat", CUSTOMER, "查询进度")) == ["status_report"]
    assert await _said(desk, code) == [
        ("customer", REPAIR), ("customer", "转人工"), ("customer", "转人工"), ("customer", "我在家等着，麻烦快点"),
        ("agent", "您好，师傅明天上午到 😀"), ("customer", "好的，谢谢")]


async def test_a_customer_can_end_it_and_the_holder_is_told(desk) -> None:  # type: ignore[no-untyped-def]
    code = (await desk.say("webchat", CUSTOMER, "转人工"))[0]["data"]["ticket"]["id"]
    await desk.say("wecom", "zhoukefu", f"回复 {code} 在的，请讲")
    out = await desk.say("webchat", CUSTOMER, "结束")
    assert _templates(out) == ["handover_released", "handover_ended"] and out[1]["recipient"] == "zhoukefu"
    assert _templates(await desk.say("wecom", "zhoukefu", f"结束 {code}")) == ["handover_none"]


async def test_staff_commands_are_checked(desk) -> None:  # type: ignore[no-untyped-def]
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    assert _templates(await desk.say("wecom", "zhoukefu", "回复")) == ["reply_which"]
    assert _templates(await desk.say("wecom", "zhoukefu", "回复 SR-20990101-0001 你好")) == ["ticket_unknown"]
    assert _templates(await desk.say("wecom", "lishifu", f"回复 {code} 你好")) == ["job_not_yours"]
    out = await desk.say("wecom", "wangshifu", f"回复 {code} 我是王师傅，明天上午到")
    assert _templates(out) == ["staff_reply", "reply_sent"], "the assignee may answer their customer"
    assert _templates(await desk.say("wecom", "zhoukefu", "随便说点什么")) == ["staff_help"]


async def test_an_angry_customer_repeating_themselves_is_handed_to_a_person(desk) -> None:  # type: ignore[no-untyped-def]
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "洗衣机坏了这么久还不来修！太差劲了！气死我了！")
    assert "handover_waiting" in _templates(out) and "handover_alert" in _templates(out)
    assert (await desk.events(code, "handover_requested"))[0].after == {"reason": "angry"}


async def test_a_bare_complaint_after_the_report_goes_on_its_ticket_to_a_person(desk) -> None:  # type: ignore[no-untyped-def]
    """"我要投诉" right after "昨天修完今天又漏水了" was asked "请告诉我发生了什么", as if nothing had been said."""
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "我要投诉")
    assert _templates(out) == ["handover_waiting", "handover_alert"]
    assert out[0]["data"]["reason"] == "complaint" and out[0]["data"]["ticket"]["id"] == code
    assert "已收到您的投诉" in Renderer().render("handover_waiting", out[0]["data"], "zh").text
    assert "客户要投诉" in Renderer().render("handover_alert", out[1]["data"], "zh").text
    assert "wants to complain" in Renderer().render("handover_alert", out[1]["data"], "en").text
    ticket = await desk.ticket(code)
    assert (ticket.type, ticket.priority) == ("repair", "P2")
    assert [text for _, text in await _said(desk, code)] == [REPAIR, "我要投诉"]
    assert (await desk.events(code, "handover_requested"))[0].after == {"reason": "complaint"}
    [alone] = await desk.say("webchat", "web:nothing-open", "我要投诉")
    assert alone["template"] == "ask_problem", "with nothing open, what happened is asked"


async def test_an_angry_first_report_is_met_with_an_apology(  # type: ignore[no-untyped-def]
        desk) -> None:
    """The first time, the bot files it (a person takes over if they say it again); "您好，您的问题我们已经记录下来了"
    would be no answer to "气死我了"."""
    [opened] = await desk.say("webchat", CUSTOMER, "空调又坏了，气死我了")
    assert (opened["template"], opened["data"]["upset"], opened["data"]["ticket"]["priority"]) == (
        "ticket_opened", True, "P2")
    [calm] = await desk.say("webchat", "web:calm-customer", "洗衣机漏水")
    assert calm["data"]["upset"] is False


async def test_a_handover_nobody_writes_in_times_out_on_the_audit_log(desk) -> None:  # type: ignore[no-untyped-def]
    """Every message moves the timeout (30 minutes) on; once it runs out the conversation is back with the bot and
    the ticket says so, once."""
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    await desk.say("webchat", CUSTOMER, "转人工")
    await desk.say("wecom", "zhoukefu", f"回复 {code} 在的，请讲")
    await desk.later(20 * 60)
    await desk.say("webchat", CUSTOMER, "师傅几点到？")
    await desk.later(20 * 60)
    assert await desk.events(code, "handover_timed_out") == [], "the customer's message moved the timeout on"
    await desk.later(11 * 60)
    [event] = await desk.events(code, "handover_timed_out")
    assert (event.actor, event.after) == ("system:handover", {"held_by": await desk.staff_id("周客服"),
                                                              "silent_for": 1800})
    assert _templates(await desk.say("webchat", CUSTOMER, "查询进度")) == ["status_report"], "back with the bot"
    await desk.later(3600)
    assert len(await desk.events(code, "handover_timed_out")) == 1


async def test_a_handover_handed_back_does_not_time_out(desk) -> None:  # type: ignore[no-untyped-def]
    code = (await desk.say("webchat", CUSTOMER, "转人工"))[0]["data"]["ticket"]["id"]
    await desk.say("wecom", "zhoukefu", f"回复 {code} 在的，请讲")
    await desk.say("webchat", CUSTOMER, "结束")
    await desk.later(3600)
    assert [e.action for e in await desk.events(code) if e.action.startswith("handover")] == [
        "handover_requested", "handover_taken", "handover_released"]


async def test_a_status_question_to_a_person_is_answered_and_reaches_them(desk) -> None:  # type: ignore[no-untyped-def]
    """"师傅什么时候来" while 周客服 held the conversation was answered by the bot alone: 周客服 never heard it. The
    customer still gets where the ticket stands; the person gets the question, on the ticket they hold."""
    code = (await desk.say("webchat", CUSTOMER, REPAIR))[0]["data"]["ticket"]["id"]
    await desk.say("webchat", CUSTOMER, "转人工")
    await desk.say("wecom", "zhoukefu", f"回复 {code} 在的，请讲")
    out = await desk.say("webchat", CUSTOMER, "师傅什么时候来？")
    assert _templates(out) == ["status_report", "handover_relay"]
    assert out[1]["recipient"] == "zhoukefu" and out[1]["data"]["text"] == "师傅什么时候来？"
    out = await desk.say("webchat", CUSTOMER, "怎么还没人联系我？")
    assert _templates(out) == ["status_report", "handover_relay"], "the person holding it answers a chase"
    assert await desk.events(code, "chased") == []
    assert (await _said(desk, code))[-2:] == [("customer", "师傅什么时候来？"), ("customer", "怎么还没人联系我？")]
