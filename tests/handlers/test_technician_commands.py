"""Technician and supervisor commands: who may use them, which job a bare command means, and illegal moves."""
from __future__ import annotations

from tests.handlers.test_dispatch_flow import REPAIR_SHANGHAI, _open, _templates


async def test_customer_sending_a_job_command_gets_help(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    for text in (f"接单 {code}", "完工", "确认 " + code):
        out = await desk.say("webchat", "web:someone-else", text)
        assert _templates(out) == ["help"], text
    assert (await desk.ticket(code)).status == "assigned"


async def test_other_staff_get_the_help_of_their_own_role(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    [reply] = await desk.say("wecom", "chenzhuguan", f"接单 {code}")
    assert (reply["template"], reply["data"]) == ("staff_help", {"role": "supervisor"})
    [reply] = await desk.say("wecom", "wangshifu", f"转派 {code} 李师傅")
    assert (reply["template"], reply["data"]) == ("staff_help", {"role": "technician"})
    ticket = await desk.ticket(code)
    assert (ticket.status, ticket.assignee_id) == ("assigned", await desk.staff_id("王师傅"))


async def test_my_jobs_lists_what_the_technician_holds(desk) -> None:  # type: ignore[no-untyped-def]
    [reply] = await desk.say("wecom", "wangshifu", "我的工单")
    assert reply["template"] == "my_jobs" and reply["data"]["jobs"] == []
    code, _ = await _open(desk)
    [reply] = await desk.say("wecom", "wangshifu", "my jobs")
    assert reply["locale"] == "en"
    [job] = reply["data"]["jobs"]
    assert job["ticket"]["id"] == code and job["job"]["phone"] == "13812345678"


async def test_bare_command_applies_to_the_only_fitting_job_or_asks_which(desk) -> None:  # type: ignore[no-untyped-def]
    assert _templates(await desk.say("wecom", "wangshifu", "出发")) == ["no_active_job"]
    first, _ = await _open(desk, customer="web:c1")
    assert _templates(await desk.say("wecom", "wangshifu", "接单")) == ["job_accepted", "ticket_progress", "visit_offer"]
    _, _ = await _open(desk, customer="web:c2")  # goes to 李师傅 (least loaded)
    third, _ = await _open(desk, customer="web:c3")
    assert (await desk.ticket(third)).assignee_id == await desk.staff_id("王师傅")

    out = await desk.say("wecom", "wangshifu", "出发")
    assert _templates(out) == ["job_status", "ticket_progress"]
    assert (await desk.ticket(first)).status == "en_route"

    await desk.say("wecom", "wangshifu", f"接单 {third}")
    [ask] = await desk.say("wecom", "wangshifu", "到达")
    assert ask["template"] == "which_job" and [j["id"] for j in ask["data"]["jobs"]] == [first, third]
    assert ask["data"]["command"] == "arrived"

    out = await desk.say("wecom", "wangshifu", "完工")  # only the accepted job can be done from where it stands
    assert _templates(out) == ["job_status", "confirm_resolved"]
    assert (await desk.ticket(third)).status == "resolved" and (await desk.ticket(first)).status == "en_route"


async def test_illegal_moves_get_a_clear_reply(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    [reply] = await desk.say("wecom", "wangshifu", f"完工 {code}")
    assert reply["template"] == "job_illegal" and reply["data"]["command"] == "done"
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    [reply] = await desk.say("wecom", "wangshifu", f"接单 {code}")
    assert reply["template"] == "job_illegal"
    await desk.say("wecom", "wangshifu", "出发")
    [reply] = await desk.say("wecom", "wangshifu", "完工 修好了")
    assert reply["template"] == "job_illegal" and (await desk.ticket(code)).status == "en_route"
    assert _templates(await desk.say("wecom", "lishifu", f"到达 {code}")) == ["job_not_yours"]
    assert _templates(await desk.say("wecom", "wangshifu", "接单 SR-20200101-0001")) == ["ticket_unknown"]


async def test_supervisor_acknowledges_a_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk, REPAIR_SHANGHAI)
    [reply] = await desk.say("wecom", "chenzhuguan", f"确认 {code}")
    assert reply["template"] == "ack_done" and reply["data"]["ticket"]["id"] == code
    [event] = await desk.events(code, "acknowledged")
    assert event.actor == f"supervisor:{await desk.staff_id('陈主管')}"
    assert _templates(await desk.say("wecom", "chenzhuguan", "确认")) == ["which_ticket"]


async def test_reprocessing_never_sends_a_notice_twice(desk) -> None:  # type: ignore[no-untyped-def]
    code, notices = await _open(desk)
    out = await desk.say("wecom", "wangshifu", f"接单 {code}")
    keys = [o["idempotency_key"] for o in [*notices, *out]]
    assert len(set(keys)) == len(keys)
    assert all(k.startswith("inbox:") for k in keys)
