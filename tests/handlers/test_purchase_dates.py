"""When the customer bought the device, told in chat ("去年双十一买的", "买了不到一个月"), goes on the ticket: the
customer sees it read back, staff see it in the console, and the technician's job sheet carries it when the unit is
not in the device archive — what decides a free repair, an exchange or a return."""
from __future__ import annotations

from datetime import date

from core.clock import CHINA_TZ
from templates.render import Renderer
from tests.handlers.test_dispatch_flow import _open

CUSTOMER = "web:bought"


async def test_a_purchase_date_told_is_kept_shown_and_sent_to_the_technician(desk) -> None:  # type: ignore[no-untyped-def]
    today = desk.clock.now().astimezone(CHINA_TZ).date()
    double_eleven = date(today.year - 1, 11, 11).isoformat()
    code, notices = await _open(desk, "洗衣机去年双十一买的，不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋",
                                CUSTOMER)
    assert (await desk.ticket(code)).entities["purchase_dates"] == [double_eleven]
    [notice] = [n for n in notices if n["template"] == "dispatch_notice"]
    assert notice["data"]["job"]["purchased"] == double_eleven
    sheet = Renderer().render("dispatch_notice", notice["data"], "zh").text
    assert f"购买时间（客户自述，请核对购买凭证）：{double_eleven}" in sheet


async def test_a_purchase_date_sent_later_is_added_and_read_back(desk) -> None:  # type: ignore[no-untyped-def]
    [opened] = await desk.say("webchat", CUSTOMER, "油烟机坏了，吸力变小了")
    code = opened["data"]["ticket"]["id"]
    [added] = await desk.say("webchat", CUSTOMER, "买了不到一个月")
    assert added["template"] == "ticket_updated" and added["data"]["added"] == ["purchase_dates"]
    told = Renderer().render("ticket_updated", added["data"], "zh").text
    month = (await desk.ticket(code)).entities["purchase_dates"][-1]
    assert f"购买时间：{month}" in told and "还需要您的联系电话" in told
