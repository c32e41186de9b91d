"""The supervisors' side in chat: 转派 gives a job to another technician (both told), 工单 shows the whole ticket
with its SLA, 待处理 lists what needs a person, 确认 stops a breach's escalations, and 待客户 / 待配件 / 继续 pause
and resume a job's SLA clock — in Chinese and English, each only for the roles it serves."""
from __future__ import annotations

from datetime import timedelta

from tests.handlers.test_dispatch_flow import CUSTOMER, REPAIR_SHANGHAI, _open, _templates

INVOICE = "麻烦开一张发票，抬头是上海某某科技有限公司，电话13900007777"
MINUTE = 60


async def test_transfer_gives_the_job_to_the_named_technician_and_tells_both(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    wang, li = await desk.staff_id("王师傅"), await desk.staff_id("李师傅")
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    out = await desk.say("wecom", "chenzhuguan", f"转派 {code} 李师傅")
    assert _templates(out) == ["transfer_done", "job_transferred", "dispatch_notice"]
    assert out[0]["data"]["previous"] == "王师傅" and out[0]["recipient"] == "chenzhuguan"
    assert (out[1]["recipient"], out[1]["data"]["technician"]) == ("wangshifu", "李师傅")
    assert out[2]["recipient"] == "lishifu" and out[2]["data"]["actions"][0]["command"] == f"接单 {code}"
    ticket = await desk.ticket(code)
    assert (ticket.status, ticket.assignee_id) == ("assigned", li)
    supervisor = f"supervisor:{await desk.staff_id('陈主管')}"
    assert [(e.actor, e.after) for e in await desk.events(code, "assignee")][-1] == (supervisor, {"assignee_id": li})
    assert _templates(await desk.say("wecom", "wangshifu", f"出发 {code}")) == ["job_not_yours"]
    assert _templates(await desk.say("wecom", "lishifu", f"接单 {code}")) == ["job_accepted", "ticket_progress", "visit_offer"]
    second, _ = await _open(desk, customer="web:c2")
    assert (await desk.ticket(second)).assignee_id == wang, "王师傅's load went down with the transfer"


async def test_transfer_refusals(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    [reply] = await desk.say("slack", "U0SUPCHEN", f"transfer {code} Nobody")
    assert (reply["template"], reply["locale"], reply["data"]["name"]) == ("transfer_unknown", "en", "Nobody")
    assert _templates(await desk.say("wecom", "chenzhuguan", f"转派 {code}")) == ["which_ticket"]
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    await desk.say("wecom", "wangshifu", "出发")
    [reply] = await desk.say("wecom", "chenzhuguan", f"转派 {code} 李师傅")
    assert (reply["template"], reply["data"]["command"]) == ("job_illegal", "transfer")
    assert _templates(await desk.say("wecom", "zhoukefu", f"转派 {code} 李师傅")) == ["staff_help"]


async def test_ticket_shows_status_assignee_sla_and_last_messages(clocked_desk) -> None:  # type: ignore[no-untyped-def]
    desk = clocked_desk
    code, _ = await _open(desk)
    await desk.say("webchat", CUSTOMER, "补充一下，滚筒里有异味")
    await desk.later(6 * MINUTE)
    [reply] = await desk.say("wecom", "chenzhuguan", f"工单 {code}")
    data = reply["data"]
    assert reply["template"] == "staff_ticket" and data["assignee"] == "王师傅" and data["paused"] is False
    assert data["sla"] == [{"target": "first_response", "state": "warning", "due_at": "2027-03-01 10:10"},
                           {"target": "resolution", "state": "ok", "due_at": "2027-03-01 11:00"}]
    assert [(m["author"], m["text"]) for m in data["messages"]] == [("customer", REPAIR_SHANGHAI),
                                                                   ("customer", "补充一下，滚筒里有异味")]
    [reply] = await desk.say("slack", "U0SUPCHEN", f"ticket {code}")
    assert (reply["template"], reply["locale"]) == ("staff_ticket", "en")
    assert _templates(await desk.say("wecom", "zhaoshifu", f"工单 {code}")) == ["ticket_not_visible"]


async def test_queue_lists_unassigned_breached_and_warned(clocked_desk) -> None:  # type: ignore[no-untyped-def]
    desk = clocked_desk
    [reply] = await desk.say("wecom", "chenzhuguan", "待处理")
    assert reply["template"] == "queue" and all(reply["data"][s]["count"] == 0 for s in ("breached", "warned"))
    breached, _ = await _open(desk, customer="web:c1")
    invoice, _ = await _open(desk, INVOICE, customer="web:c2")
    await desk.later(11 * MINUTE)
    warned, _ = await _open(desk, customer="web:c3")
    await desk.later(6 * MINUTE)
    [reply] = await desk.say("wecom", "chenzhuguan", "待处理")
    data = reply["data"]
    assert [t["id"] for t in data["unassigned"]["tickets"]] == [invoice]
    assert [t["id"] for t in data["breached"]["tickets"]] == [breached, invoice]
    assert [(t["id"], t["sla"]["state"]) for t in data["warned"]["tickets"]] == [(warned, "warning")]
    [reply] = await desk.say("wecom", "zhoukefu", "待处理")
    assert [t["id"] for t in reply["data"]["breached"]["tickets"]] == [invoice], "agents see their own queue"
    [reply] = await desk.say("slack", "U0SUPCHEN", "queue")
    assert reply["locale"] == "en" and reply["data"]["breached"]["count"] == 2
    assert _templates(await desk.say("wecom", "wangshifu", "待处理")) == ["staff_help"]


async def test_ack_stops_the_escalations_of_a_breach(clocked_desk) -> None:  # type: ignore[no-untyped-def]
    desk = clocked_desk
    code, _ = await _open(desk)
    sent = await desk.later(10 * MINUTE, sla_alerts=True)
    assert {(o["template"], o["data"]["level"]) for o in sent} == {("sla_alert", 0), ("sla_alert", 1)}
    breach = next(o for o in sent if o["data"]["level"] == 1 and o["recipient"] == "chenzhuguan")
    assert breach["data"]["actions"] == [{"id": "ack", "command": f"确认 {code}"}]
    out = await desk.say("wecom", "zhoukefu", f"确认 {code}", source_message=f"zhoukefu:{breach['idempotency_key']}")
    assert _templates(out) == ["ack_done", "alert_acknowledged"]
    assert out[0]["data"]["stopped"] == ["first_response"] and out[1]["replaces"].endswith(breach["idempotency_key"])
    [event] = await desk.events(code, "acknowledged")
    assert event.actor == f"agent:{await desk.staff_id('周客服')}" and event.after["targets"] == ["first_response"]
    await desk.later(170 * MINUTE)
    alerted = [(e.after["target"], e.after["level"]) for e in await desk.events(code, "sla_alert")]
    assert ("first_response", 2) not in alerted and ("resolution", 2) in alerted, "only the acknowledged level 2 stops"


async def test_a_job_waiting_for_parts_stops_the_clock_and_resume_moves_due_times_on(  # type: ignore[no-untyped-def]
        clocked_desk) -> None:
    desk = clocked_desk
    code, _ = await _open(desk)
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    due = (await desk.ticket(code)).resolution_due_at
    out = await desk.say("wecom", "wangshifu", "待配件 主板缺货")
    assert _templates(out) == ["pause_done", "ticket_progress"]
    assert out[1]["recipient"] == CUSTOMER and out[1]["data"]["note"] == "主板缺货"
    assert (await desk.ticket(code)).status == "pending_parts"
    assert await desk.later(48 * 60 * MINUTE, sla_alerts=True) == [], "no alert while the parts are on their way"
    [reply] = await desk.say("wecom", "wangshifu", "继续")
    assert reply["template"] == "pause_done" and reply["data"]["ticket"]["status"] == "accepted"
    ticket = await desk.ticket(code)
    assert ticket.resolution_due_at == due + timedelta(days=2) and ticket.clock_stopped_at is None
    [reply] = await desk.say("slack", "U0SUPCHEN", f"resume {code}")
    assert (reply["template"], reply["data"]["command"]) == ("job_illegal", "resume")


async def test_the_customer_answering_ends_a_wait_for_them(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk, INVOICE)
    out = await desk.say("wecom", "zhoukefu", f"待客户 {code} 请提供税号")
    assert _templates(out) == ["pause_done", "ticket_progress"]
    ticket = await desk.ticket(code)
    assert ticket.status == "pending_customer" and ticket.first_response_at is not None
    await desk.say("webchat", CUSTOMER, "税号是91310000MA1FL4XXXX")
    ticket = await desk.ticket(code)
    assert (ticket.status, ticket.clock_stopped_at) == ("new", None)
    assert _templates(await desk.say("wecom", "wangshifu", f"待客户 {code}")) == ["ticket_not_visible"]
