"""The visit: after acceptance the customer is offered slots, agrees one (shown in the status answer and the
technician's 我的工单), either side may move it, and both are reminded an hour before — once, for the visit as it
stands."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.staff_cli import import_staff
from core.clock import CHINA_TZ
from bot.staff_file import read_staff_file
from tests.handlers.test_dispatch_flow import CUSTOMER, REPAIR_SHANGHAI, _open, _templates


async def test_a_visit_is_offered_agreed_shown_moved_and_reminded(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    out = await desk.say("wecom", "wangshifu", f"接单 {code}")
    [offer] = [o for o in out if o["template"] == "visit_offer"]
    assert offer["recipient"] == CUSTOMER and offer["data"]["technician"] == "王师傅"
    assert len(offer["data"]["slots"]) == 3
    first, second = offer["data"]["actions"][0]["command"], offer["data"]["actions"][1]["command"]
    assert first.startswith(f"预约 {code} ")

    out = await desk.say("webchat", CUSTOMER, first)
    assert _templates(out) == ["visit_agreed", "visit_agreed"]
    assert (out[1]["recipient"], out[1]["data"]["by_customer"]) == ("wangshifu", True)
    slot = offer["data"]["slots"][0]
    assert out[0]["data"]["visit"] == slot
    [status] = await desk.say("webchat", CUSTOMER, "查询进度")
    assert status["data"]["visits"][code] == {"technician": "王师傅", **slot}
    [jobs] = await desk.say("wecom", "wangshifu", "我的工单")
    assert jobs["data"]["jobs"][0]["job"]["time"].endswith(f"{slot['from']}–{slot['to']}")

    out = await desk.say("wecom", "wangshifu", second.replace("预约", "改约"))
    assert _templates(out) == ["visit_agreed", "visit_agreed"]
    assert (out[1]["recipient"], out[1]["data"]["moved"]) == (CUSTOMER, True)
    ticket = await desk.ticket(code)
    moved = [datetime.fromisoformat(e.after["start"]) for e in await desk.events(code, "visit")]
    assert len(moved) == 2 and moved[-1] == ticket.visit_start

    until_reminder = (ticket.visit_start - desk.clock.now()).total_seconds() - 3600
    out = await desk.later(until_reminder + 1)
    reminders = [o for o in out if o["template"] == "visit_reminder"]
    assert sorted(o["recipient"] for o in reminders) == sorted([CUSTOMER, "wangshifu"]), "the moved visit only"
    assert all(o["template"] != "visit_reminder" for o in await desk.later(86400 * 3)), "once"


async def test_a_visit_needs_an_accepted_job_and_a_time_ahead(desk) -> None:  # type: ignore[no-untyped-def]
    [reply] = await desk.say("webchat", CUSTOMER, "预约 明天下午两点")
    assert reply["template"] == "visit_none"
    code, _ = await _open(desk)
    [reply] = await desk.say("webchat", CUSTOMER, f"预约 {code} 12-01 14:00")
    assert reply["template"] == "visit_not_now", "nobody accepted it yet"
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    [reply] = await desk.say("webchat", CUSTOMER, f"预约 {code}")
    assert reply["template"] == "visit_offer" and reply["data"]["actions"]
    past = desk.clock.now().astimezone().replace(year=2020)
    [reply] = await desk.say("webchat", CUSTOMER, f"预约 {code} {past:%Y-%m-%d %H:%M}")
    assert reply["template"] == "visit_offer", "a time gone by is no visit"
    [reply] = await desk.say("wecom", "lishifu", f"预约 {code} {datetime.now():%Y}-12-31 10:00")
    assert reply["template"] == "ticket_not_visible"


async def test_slots_come_from_the_technicians_working_hours_leave_and_other_visits(  # type: ignore[no-untyped-def]
        clocked_desk, tmp_path: Path) -> None:
    """Monday 1 March 2027, 10:00: 王师傅 works 13:00–17:00 and is on leave on Tuesday."""
    desk = clocked_desk
    staff = tmp_path / "staff.toml"
    staff.write_text('[[staff]]\nname = "王师傅"\nrole = "technician"\nskills = ["repair"]\nregions = ["上海市"]\n'
                     'working_hours = ["13:00-17:00"]\nleave = ["2027-03-02"]\n'
                     'identities = { wecom = "wangshifu", slack = "U0TECHWANG" }\n', "utf-8")
    await import_staff(desk.hub.config.database.url, read_staff_file(staff))
    await desk.say("wecom", "lishifu", "下班")

    def offered(out: list[dict]) -> list[str]:  # type: ignore[type-arg]
        [offer] = [o for o in out if o["template"] == "visit_offer"]
        return [f"{s['date']} {s['from']}–{s['to']}" for s in offer["data"]["slots"]]

    first, _ = await _open(desk)
    out = await desk.say("wecom", "wangshifu", f"接单 {first}")
    assert offered(out) == ["03-01 13:00–15:00", "03-01 15:00–17:00", "03-03 13:00–15:00"]
    await desk.say("webchat", CUSTOMER, f"预约 {first} 2027-03-01 13:00")

    second, _ = await _open(desk, REPAIR_SHANGHAI.replace("13812345678", "13900001111"), "web:second")
    out = await desk.say("wecom", "wangshifu", f"接单 {second}")
    assert offered(out) == ["03-01 15:00–17:00", "03-03 13:00–15:00", "03-03 15:00–17:00"], "13:00 is taken"

    third, _ = await _open(desk, "洗衣机不脱水了，一直响，3月4日下午3点在家，电话13700002222，地址上海市浦东新区张江路9号", "web:third")
    out = await desk.say("wecom", "wangshifu", f"接单 {third}")
    assert offered(out) == ["03-04 15:00–17:00", "03-05 13:00–15:00", "03-05 15:00–17:00"], "from the time mentioned"

    fourth, _ = await _open(desk, "洗衣机漏水了，周四下午来，电话13700003333，地址上海市浦东新区张江路11号", "web:fourth")
    await desk.say("webchat", "web:fourth", "周四有事，改到周五吧")
    out = await desk.say("wecom", "wangshifu", f"接单 {fourth}")
    assert offered(out)[0] == "03-05 13:00–15:00", "from the time mentioned last, not the first"


async def test_the_visit_is_moved_in_the_customers_own_words(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    out = await desk.say("webchat", CUSTOMER, "我周六有事，周日下午来吧")
    assert "visit_none" not in _templates(out) and "visit_not_now" not in _templates(out), \
        "no visit to move yet: the time is a detail of the ticket"
    out = await desk.say("webchat", CUSTOMER, "后天我有事，修改订单的上门时间，改到周日上午")
    assert _templates(out)[0] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code, \
        "read as an order change, it once opened a ticket of its own asking for an order number"
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    out = await desk.say("webchat", CUSTOMER, "明天没空，改到周六上午吧")
    assert _templates(out) == ["visit_agreed", "visit_agreed"]
    assert out[1]["recipient"] == "wangshifu" and out[1]["data"]["by_customer"] is True
    start = (await desk.ticket(code)).visit_start
    assert start is not None and start.astimezone(CHINA_TZ).weekday() == 5 and start.astimezone(CHINA_TZ).hour == 9


async def test_a_bare_weekday_moves_the_visit_within_its_week(desk) -> None:  # type: ignore[no-untyped-def]
    """"下周六上午" then "能改到周日吗" was read back as this week's Sunday, all day: it is the Sunday after that
    Saturday, in the morning; once the visit is agreed, "改到周四吧" moves it a day on, at its hour."""
    code, _ = await _open(desk, "想预约安装空调，下周六上午，电话13700004444，地址上海市浦东新区张江路12号", "web:weekday")
    [before] = (await desk.ticket(code)).entities["times"]
    out = await desk.say("webchat", "web:weekday", "能改到周日吗")
    assert _templates(out)[0] == "ticket_updated"
    after = (await desk.ticket(code)).entities["times"][-1]
    (start, end), (old_start, old_end) = ([datetime.fromisoformat(t) for t in span.split("/")] for span in (after, before))
    assert (start - old_start, end - old_end) == (timedelta(days=1), timedelta(days=1))

    await desk.say("wecom", "wangshifu", f"接单 {code}")
    out = await desk.say("webchat", "web:weekday", "改到下周三下午三点吧")
    assert _templates(out) == ["visit_agreed", "visit_agreed"]
    agreed = (await desk.ticket(code)).visit_start
    out = await desk.say("webchat", "web:weekday", "周三有事，改到周四吧")
    assert _templates(out) == ["visit_agreed", "visit_agreed"]
    assert (await desk.ticket(code)).visit_start - agreed == timedelta(days=1)


async def test_a_visit_moved_while_a_detail_is_awaited_is_that_tickets_time(desk) -> None:  # type: ignore[no-untyped-def]
    """Said while the phone was awaited, it once opened an order change asking for an order number."""
    code = (await desk.say("webchat", "web:mover", "空调坏了，地址上海市浦东新区张江路100号3栋"))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", "web:mover", "后天我有事，修改订单的上门时间，改到周日上午")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["missing"] == ["phone"]
    assert (await desk.ticket(code)).entities["times"]


async def test_a_time_given_after_the_ticket_is_complete_is_its_wanted_time(desk) -> None:  # type: ignore[no-untyped-def]
    """"明天下午三点以后都在家", said once the ticket had everything, opened an order change asking for an order
    number."""
    code, _ = await _open(desk)
    out = await desk.say("webchat", CUSTOMER, "明天下午三点以后都在家")
    assert _templates(out)[0] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    [wanted] = (await desk.ticket(code)).entities["times"]
    start, end = wanted.split("/")
    assert start.endswith("T15:00:00+08:00") and end.endswith("T18:00:00+08:00")
