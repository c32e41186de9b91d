"""A customer's repair in 上海 goes to the right technician, who accepts it and works it to resolved; declines,
the grab pool and Slack buttons on the way."""
from __future__ import annotations


from sqlalchemy import select

from core.storage.models import TicketMessage
from templates.render import Renderer

CUSTOMER = "web:customer-one"
REPAIR_SHANGHAI = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"


async def _open(desk, text: str = REPAIR_SHANGHAI,  # type: ignore[no-untyped-def]
                customer: str = CUSTOMER) -> tuple[str, list[dict]]:
    out = await desk.say("webchat", customer, text)
    assert out[0]["template"] == "ticket_opened" and out[0]["recipient"] == customer
    return out[0]["data"]["ticket"]["id"], out[1:]


def _templates(out: list[dict]) -> list[str]:
    return [o["template"] for o in out]


async def test_repair_is_dispatched_accepted_and_worked_to_resolved(desk) -> None:  # type: ignore[no-untyped-def]
    code, notices = await _open(desk)
    wang = await desk.staff_id("王师傅")
    ticket = await desk.ticket(code)
    assert ticket.status == "assigned" and ticket.assignee_id == wang

    [notice] = notices
    assert notice["template"] == "dispatch_notice"
    assert (notice["channel"], notice["recipient"], notice["conversation"]) == ("wecom", "wangshifu", "wangshifu")
    assert notice["data"]["actions"] == [{"id": "accept", "command": f"接单 {code}"},
                                         {"id": "decline", "command": f"拒单 {code}"}]
    assert notice["data"]["job"] == {"phone": "13812345678", "address": "上海市浦东新区张江路100号3栋", "time": "",
                                     "agreed": False, "serial": "", "model": "", "warranty": "unknown",
                                     "purchased": ""}
    assert notice["data"]["pooled"] is False
    assert [e.after["status"] for e in await desk.events(code, "status")] == ["assigned"]

    out = await desk.say("wecom", "wangshifu", f"接单 {code}")
    assert _templates(out) == ["job_accepted", "ticket_progress", "visit_offer"]
    assert out[0]["data"]["actions"] == [{"id": "en_route", "command": f"出发 {code}"}]
    progress = out[1]
    assert (progress["channel"], progress["recipient"], progress["conversation"]) == ("webchat", CUSTOMER, CUSTOMER)
    assert progress["data"]["ticket"]["status"] == "accepted" and progress["data"]["technician"] == "王师傅"

    next_buttons = [[f"到达 {code}"], [f"完工 {code}"], []]
    for text, status, told in (("出发", "en_route", "ticket_progress"), ("到达", "on_site", "ticket_progress"),
                               ("完工 已更换排水泵", "resolved", "confirm_resolved")):
        out = await desk.say("wecom", "wangshifu", text)
        assert _templates(out) == ["job_status", told], text
        assert out[1]["data"]["ticket"]["status"] == status
        assert [a["command"] for a in out[0]["data"]["actions"]] == next_buttons.pop(0), text

    assert out[1]["data"]["note"] == "已更换排水泵"
    ticket = await desk.ticket(code)
    assert ticket.status == "resolved" and ticket.resolved_at is not None
    statuses = [(e.actor, e.after["status"]) for e in await desk.events(code, "status")]
    assert statuses == [("system:dispatch", "assigned"), (f"technician:{wang}", "accepted"),
                        (f"technician:{wang}", "en_route"), (f"technician:{wang}", "on_site"),
                        (f"technician:{wang}", "resolved")]
    async with desk.hub.sessions() as session:
        notes = list(await session.scalars(select(TicketMessage.text).where(
            TicketMessage.ticket_id == ticket.id, TicketMessage.author == f"technician:{wang}")))
    assert notes == ["已更换排水泵"]


async def test_details_completed_later_trigger_dispatch(desk) -> None:  # type: ignore[no-untyped-def]
    code, notices = await _open(desk, "家里的洗衣机不脱水了，麻烦派个师傅来修一下")
    assert notices == [] and (await desk.ticket(code)).status == "new"
    out = await desk.say("webchat", CUSTOMER, "电话13812345678，地址上海市浦东新区张江路100号3栋")
    assert _templates(out) == ["ticket_updated", "dispatch_notice"]
    assert (await desk.ticket(code)).status == "assigned"


async def test_least_loaded_technician_in_region_with_skill_wins(desk) -> None:  # type: ignore[no-untyped-def]
    wang, li, zhao = [await desk.staff_id(n) for n in ("王师傅", "李师傅", "赵师傅")]
    first, _ = await _open(desk, customer="web:c1")
    second, _ = await _open(desk, customer="web:c2")
    third, _ = await _open(desk, customer="web:c3")
    assert [(await desk.ticket(c)).assignee_id for c in (first, second, third)] == [wang, li, wang]

    suzhou, notices = await _open(desk, "冰箱不制冷了，电话13900001111，地址江苏省苏州市工业园区星湖街88号",
                                  customer="web:c4")
    assert (await desk.ticket(suzhou)).assignee_id == li and notices[0]["recipient"] == "lishifu"

    beijing, _ = await _open(desk, "新买的空调需要安装，电话13900002222，地址北京市朝阳区建国路1号，明天下午3点",
                             customer="web:c5")
    assert (await desk.ticket(beijing)).assignee_id == zhao


async def test_decline_goes_to_the_next_technician(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    wang, li = await desk.staff_id("王师傅"), await desk.staff_id("李师傅")
    out = await desk.say("wecom", "wangshifu", f"拒单 {code} 今天排满了")
    assert _templates(out) == ["job_declined", "dispatch_notice"]
    assert out[0]["data"]["reason"] == "今天排满了" and out[1]["recipient"] == "lishifu"
    ticket = await desk.ticket(code)
    assert ticket.status == "assigned" and ticket.assignee_id == li
    [declined] = await desk.events(code, "declined")
    assert declined.after == {"staff_id": wang, "reason": "今天排满了"}

    out = await desk.say("wecom", "lishifu", f"拒单 {code}")
    assert _templates(out) == ["job_declined", "job_unassignable"], "every technician for the job declined"
    assert (out[1]["recipient"], out[1]["data"]["reason"]) == ("chenzhuguan", "all_declined")
    ticket = await desk.ticket(code)
    assert ticket.status == "new" and ticket.assignee_id is None

    out = await desk.say("wecom", "wangshifu", f"接单 {code}")
    assert _templates(out) == ["job_not_yours"]


async def test_nobody_fits_so_the_pool_grabs_first_accept_wins(desk) -> None:  # type: ignore[no-untyped-def]
    code, notices = await _open(desk, "热水器不出热水了，电话13812345678，地址浙江省杭州市西湖区文三路1号")
    assert (await desk.ticket(code)).status == "new"
    assert sorted(n["recipient"] for n in notices) == ["lishifu", "wangshifu"]
    assert all(n["template"] == "dispatch_notice" and n["data"]["pooled"] for n in notices)
    assert len({n["idempotency_key"] for n in notices}) == 2
    follow_up = await desk.say("webchat", CUSTOMER, "补充一下，备用电话13900003333")
    assert _templates(follow_up) == ["ticket_updated"], "the pool is offered a job once, not on every message"

    out = await desk.say("wecom", "lishifu", f"接单 {code}")
    assert _templates(out) == ["job_accepted", "pool_claimed", "ticket_progress", "visit_offer"]
    assert (out[1]["recipient"], out[1]["data"]["technician"], out[1]["replaces"]) == ("wangshifu", "李师傅", None), \
        "an offer not sent yet cannot be rewritten: a note follows it"
    ticket = await desk.ticket(code)
    assert ticket.status == "accepted" and ticket.assignee_id == await desk.staff_id("李师傅")

    out = await desk.say("wecom", "wangshifu", f"接单 {code}")
    assert _templates(out) == ["already_taken"]
    assert (await desk.ticket(code)).assignee_id == await desk.staff_id("李师傅")


async def test_slack_button_accept_rewrites_the_notice(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    out = await desk.say("slack", "U0TECHWANG", f"接单 {code}", conversation="D0WANG:1700000000.000100",
                         source_message="D0WANG:1700000000.000100")
    assert _templates(out) == ["job_accepted", "dispatch_taken", "ticket_progress", "visit_offer"]
    taken = out[1]
    assert taken["channel"] == "slack" and taken["conversation"] == "D0WANG"
    assert taken["replaces"] == "D0WANG:1700000000.000100"
    assert "actions" not in taken["data"] and taken["data"]["technician"] == "王师傅"
    assert (await desk.ticket(code)).status == "accepted"


async def test_a_moved_time_is_read_back_as_changed_and_is_the_one_on_the_job_sheet(desk) -> None:  # type: ignore[no-untyped-def]
    """"明天有事，改到周日上午吧" was read back, but the job sheet kept the first time (and the first address)."""
    customer = "web:moved"
    opened = await desk.say("webchat", customer, "洗衣机漏水，电话13812345678，地址上海市浦东新区张江路100号3栋，明天下午来")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", customer, "明天有事，改到周日上午吧")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["changed"] == ["times"]
    assert Renderer().render("ticket_updated", out[0]["data"], "zh").text.splitlines()[1].startswith("时间改为：")
    moved = (await desk.ticket(code)).entities["times"][-1]
    [sheet] = await desk.say("wecom", "zhoukefu", f"工单 {code}")
    assert moved.endswith("T09:00:00+08:00/" + moved[:10] + "T12:00:00+08:00")
    assert sheet["data"]["job"]["time"] == f"{moved[:10]} 09:00–12:00"
