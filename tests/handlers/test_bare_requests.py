"""A bare request ("报修") waits for its description; one never described is filed as it stands once
`DESCRIBE_WAIT` has passed — on the record for staff, the customer told the number — and a description given after
that joins the ticket. One described in time is filed once, from the description."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core.clock import FakeClock
from core.domain.details import DESCRIBE_WAIT
from tests.handlers.conftest import _desk
from templates.render import Renderer

CUSTOMER = "web:bare-request-customer"
WAIT = DESCRIBE_WAIT.total_seconds()


async def test_a_request_nobody_describes_is_filed_and_the_description_joins_it(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "报修")
    assert [o["template"] for o in out] == ["ask_problem"] and out[0]["data"]["kind"] == "repair"
    assert await desk.later(WAIT - 60) == []
    [filed] = await desk.later(120)
    assert filed["template"] == "request_filed" and filed["recipient"] == CUSTOMER
    code = filed["data"]["ticket"]["id"]
    ticket = await desk.ticket(code)
    assert (ticket.type, ticket.summary) == ("repair", "报修")
    assert [e.action for e in await desk.events(code)][:1] == ["opened"]
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水了")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code


async def test_a_request_described_in_time_is_filed_once(desk) -> None:  # type: ignore[no-untyped-def]
    await desk.say("webchat", CUSTOMER, "我要退货")
    out = await desk.say("webchat", CUSTOMER, "洗衣机漏水了")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["type"] == "return"
    assert await desk.later(2 * WAIT) == []


async def test_invoice_alone_is_asked_about_and_progress_alone_answers_the_status(desk) -> None:  # type: ignore[no-untyped-def]
    """"发票" alone opened an invoice ticket about nothing, and "进度" alone got the opening hello."""
    code = (await desk.say("webchat", CUSTOMER, "洗衣机漏水了"))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "进度")
    assert out[0]["template"] == "status_report" and [t["id"] for t in out[0]["data"]["tickets"]] == [code]
    out = await desk.say("webchat", CUSTOMER, "发票")
    assert [o["template"] for o in out] == ["ask_problem"] and out[0]["data"]["kind"] == "invoice"


async def test_a_product_named_alone_is_asked_about_and_its_description_decides_the_type(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "空调")
    assert [o["template"] for o in out] == ["ask_problem"]
    assert (out[0]["data"]["kind"], out[0]["data"]["product"]) == ("", "空调")
    out = await desk.say("webchat", CUSTOMER, "不制冷了，吹出来是热风")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.type == "repair" and ticket.entities["products"] == ["空调"]
    assert ticket.summary.startswith("空调")


async def test_a_product_named_after_a_repair_request_is_asked_what_is_wrong(desk) -> None:  # type: ignore[no-untyped-def]
    """"报修" then "空调" once opened a ticket whose summary was "报修：空调": nothing for a technician to go on."""
    await desk.say("webchat", CUSTOMER, "报修")
    out = await desk.say("webchat", CUSTOMER, "空调")
    assert [o["template"] for o in out] == ["ask_problem"]
    assert (out[0]["data"]["kind"], out[0]["data"]["product"]) == ("repair", "空调")
    out = await desk.say("webchat", CUSTOMER, "开机几分钟就停了，显示E1")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert (ticket.type, ticket.summary) == ("repair", "报修：空调，开机几分钟就停了，显示E1")
    assert ticket.entities["products"] == ["空调"]


async def test_a_product_named_after_a_request_of_no_kind_is_asked_what_is_wrong(desk) -> None:  # type: ignore[no-untyped-def]
    """"售后" then "洗衣机" opened a ticket saying only that, and the symptom came after as a detail."""
    await desk.say("webchat", CUSTOMER, "售后")
    [asked] = await desk.say("webchat", CUSTOMER, "洗衣机")
    assert (asked["template"], asked["data"]["product"]) == ("ask_problem", "洗衣机")
    [opened, *_] = await desk.say("webchat", CUSTOMER, "甩干的时候晃得厉害，一直响")
    ticket = await desk.ticket(opened["data"]["ticket"]["id"])
    assert ticket.type == "repair" and "甩干的时候晃得厉害" in ticket.summary and ticket.entities["products"] == ["洗衣机"]


async def test_a_repair_named_but_never_described_is_filed_with_its_product(desk) -> None:  # type: ignore[no-untyped-def]
    await desk.say("webchat", CUSTOMER, "报修")
    await desk.say("webchat", CUSTOMER, "冰箱")
    [filed] = await desk.later(WAIT + 60)
    ticket = await desk.ticket(filed["data"]["ticket"]["id"])
    assert (ticket.summary, ticket.entities["products"]) == ("报修：冰箱", ["冰箱"])


async def test_another_matter_instead_of_the_description_files_both(desk) -> None:  # type: ignore[no-untyped-def]
    """"另外…还没发货" after "我要开发票" once became the invoice's description: the delivery was never filed."""
    await desk.say("webchat", CUSTOMER, "我要开发票")
    out = await desk.say("webchat", CUSTOMER, "另外我上周买的烤箱到现在还没发货")
    assert [o["template"] for o in out][:2] == ["request_filed", "ticket_opened"]
    invoice, delivery = [await desk.ticket(o["data"]["ticket"]["id"]) for o in out[:2]]
    assert (invoice.type, invoice.summary) == ("invoice", "我要开发票")
    assert (delivery.type, delivery.summary) == ("logistics", "另外我上周买的烤箱到现在还没发货")
    assert await desk.later(2 * WAIT) == [], "the request is filed once"


async def test_a_pleasantry_asks_again_and_a_short_symptom_is_the_description(desk) -> None:  # type: ignore[no-untyped-def]
    """"嗯嗯" after "请问空调出了什么问题？" is no description: the question is asked again, the request still waits.
    "没反应" reads as no request at all to a type model, but it answers the question: a repair of the air
    conditioner."""
    await desk.say("webchat", CUSTOMER, "空调")
    out = await desk.say("webchat", CUSTOMER, "嗯嗯")
    assert [o["template"] for o in out] == ["ask_problem"] and out[0]["data"]["product"] == "空调"
    out = await desk.say("webchat", CUSTOMER, "没反应")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert (ticket.type, ticket.summary, ticket.entities["products"]) == ("repair", "空调：没反应", ["空调"])


async def test_how_long_a_request_waits_is_configured(tmp_path, demo_database) -> None:  # type: ignore[no-untyped-def]
    desk = await _desk(tmp_path, demo_database, FakeClock(start=datetime.now(timezone.utc)),
                       intake={"describe_wait": "2m"})
    try:
        await desk.say("webchat", CUSTOMER, "报修")
        assert await desk.later(60) == []
        [filed] = await desk.later(90)
        assert filed["template"] == "request_filed"
    finally:
        await desk.hub.stop()


async def test_a_phone_given_first_is_kept_and_the_problem_asked_for(desk) -> None:  # type: ignore[no-untyped-def]
    """"13912345678" as a first message opened an order change asking for an order number, and "冰箱不制冷" then went
    on it as a detail: a phone or an address alone is a detail given first, kept for the ticket the problem opens."""
    out = await desk.say("webchat", CUSTOMER, "13912345678")
    assert [o["template"] for o in out] == ["ask_problem"] and out[0]["data"]["noted"] == [["phones", "13912345678"]]
    out = await desk.say("webchat", CUSTOMER, "上海市浦东新区张江路100号3栋502")
    assert [o["template"] for o in out] == ["ask_problem"]
    out = await desk.say("webchat", CUSTOMER, "冰箱坏了，不制冷")
    assert out[0]["template"] == "ticket_opened" and not out[0]["data"]["missing"]
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert (ticket.type, ticket.entities["phones"]) == ("repair", ["13912345678"])
    assert ticket.entities["addresses"] and ticket.summary == "冰箱坏了，不制冷"


async def test_shipping_details_pasted_first_are_kept_and_the_problem_asked_for(desk) -> None:  # type: ignore[no-untyped-def]
    """A name, a mobile and an address pasted as a shop's shipping details ("张三 139… 湖南省…") were "I did not quite
    get that", and the ticket the problem then opened asked for the phone again: a bare name beside a mobile is the
    contact's, so the message is details given first."""
    out = await desk.say("webchat", CUSTOMER, "罗满早。13908449785。湖南省衡阳市衡东县城关镇中学围墙")
    assert [o["template"] for o in out] == ["ask_problem"]
    out = await desk.say("webchat", CUSTOMER, "空调不制冷了")
    assert out[0]["template"] == "ticket_opened" and not out[0]["data"]["missing"]
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.entities["phones"] == ["13908449785"] and ticket.entities["addresses"]
    assert "罗满早" not in ticket.summary


async def test_never_mind_while_a_detail_is_awaited_asks_whether_to_cancel(desk) -> None:  # type: ignore[no-untyped-def]
    """"算了不用了" when asked for a phone was thanked for as a detail of the ticket ("已补充到工单…，谢谢！"). It may
    take the whole request back: the customer is asked, and the button cancels the ticket."""
    [opened] = await desk.say("webchat", CUSTOMER, "热水器不出热水了")
    code = opened["data"]["ticket"]["id"]
    [offered] = await desk.say("webchat", CUSTOMER, "算了不用了")
    assert offered["template"] == "cancel_offered" and offered["data"]["missing"][0] == "phone"
    assert (await desk.ticket(code)).summary == "热水器不出热水了"
    out = await desk.say("webchat", CUSTOMER, offered["data"]["actions"][0]["command"])
    assert out[0]["template"] == "ticket_cancelled"
    assert (await desk.ticket(code)).status == "cancelled"


async def test_never_mind_after_a_complete_report_asks_whether_to_cancel(desk) -> None:  # type: ignore[no-untyped-def]
    """"算了不用了" after a report with everything in it got the opening greeting ("您好！我是售后服务助手…"), as if the
    customer had just arrived: the customer is asked whether to cancel the open ticket, and with none open, "all
    right" is enough."""
    opened, *_ = await desk.say("webchat", CUSTOMER, "空调不制冷了，电话13812345678，地址北京市朝阳区建国路88号")
    assert opened["template"] == "ticket_opened" and not opened["data"]["missing"]
    code = opened["data"]["ticket"]["id"]
    [offered] = await desk.say("webchat", CUSTOMER, "算了不用了")
    assert offered["template"] == "cancel_offered" and offered["data"]["missing"] == []
    told = Renderer().render("cancel_offered", offered["data"], "zh").text
    assert code in told and "照常安排" in told
    assert (await desk.ticket(code)).status == "new"
    out = await desk.say("webchat", CUSTOMER, offered["data"]["actions"][0]["command"])
    assert out[0]["template"] == "ticket_cancelled"
    [after] = await desk.say("webchat", CUSTOMER, "不用了，算了")
    assert after["template"] == "thanks" and Renderer().render("thanks", after["data"], "zh").text.startswith("好的")


@pytest.mark.parametrize(("text", "kind", "value"), [("SN: HW20260101XYZ88", "serial_numbers", "HW20260101XYZ88"),
                                                    ("4200001234567890", "order_numbers", "4200001234567890")])
async def test_a_serial_or_order_number_given_first_is_kept_and_the_problem_asked_for(  # type: ignore[no-untyped-def]
        desk, text: str, kind: str, value: str) -> None:
    """A serial number alone was "Sorry, I did not quite get that" (in English, for its Latin letters), an order
    number alone an order change asking nothing."""
    [asked] = await desk.say("webchat", CUSTOMER, text)
    assert (asked["template"], asked["data"]["noted"], asked["locale"]) == ("ask_problem", [[kind, value]], "zh")
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水")
    assert out[0]["template"] == "ticket_opened"
    assert (await desk.ticket(out[0]["data"]["ticket"]["id"])).entities[kind] == [value]


async def test_a_changed_address_is_still_a_request(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "改地址：上海市浦东新区张江路100号")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["type"] == "order_change"


async def test_a_phone_while_the_problem_is_awaited_is_kept_and_the_question_asked_again(desk) -> None:  # type: ignore[no-untyped-def]
    await desk.say("webchat", CUSTOMER, "报修")
    out = await desk.say("webchat", CUSTOMER, "13912345678")
    assert [o["template"] for o in out] == ["ask_problem"] and out[0]["data"]["kind"] == "repair"
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水")
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert (ticket.summary, ticket.entities["phones"]) == ("报修：洗衣机不脱水", ["13912345678"])


async def test_a_phone_given_first_and_nothing_more_is_filed_with_it(desk) -> None:  # type: ignore[no-untyped-def]
    """Nobody described the problem: staff still get the number to call back."""
    await desk.say("webchat", CUSTOMER, "13912345678")
    [filed] = await desk.later(WAIT + 60)
    assert filed["template"] == "request_filed"
    ticket = await desk.ticket(filed["data"]["ticket"]["id"])
    assert (ticket.summary, ticket.entities["phones"]) == ("13912345678", ["13912345678"])


@pytest.mark.parametrize("asked", ["我要求换新", "我要退货", "给我换一台新的"])
async def test_a_remedy_asked_while_a_ticket_is_open_goes_on_it_for_staff(desk, asked: str) -> None:  # type: ignore[no-untyped-def]
    """"我要求换新" after "冰箱…不制冷" once opened a second ticket, a return asking for an order number."""
    out = await desk.say("webchat", CUSTOMER, "你们的冰箱质量太差了，买了不到一个月就坏了，冷藏室不制冷")
    code = out[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, asked)
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["question"] and out[0]["data"]["missing"] == ["phone", "address"]
    assert (await desk.said(code))[-1] == asked
    assert "ticket_opened" not in [o["template"] for o in out]


async def test_a_fault_told_of_nothing_named_is_asked_which_product_and_what(desk) -> None:  # type: ignore[no-untyped-def]
    """"坏了" alone opened a repair ticket with no product and no symptom: nothing for a technician to go on."""
    out = await desk.say("webchat", CUSTOMER, "坏了")
    assert [o["template"] for o in out] == ["ask_problem"] and out[0]["data"]["product"] == ""
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水，一转就响")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.type == "repair" and "洗衣机不脱水" in ticket.summary


@pytest.mark.parametrize("vented", ["烦死了", "气死我了", "无语", "I'm so annoyed"])
async def test_displeasure_alone_is_asked_what_happened(desk, vented: str) -> None:  # type: ignore[no-untyped-def]
    """"烦死了" alone opened a complaint about nothing and asked for a phone number."""
    [asked] = await desk.say("webchat", CUSTOMER, vented)
    assert (asked["template"], asked["data"]["kind"]) == ("ask_problem", "complaint")
    out = await desk.say("webchat", CUSTOMER, "师傅约了今天上午来，到现在都没人，电话也不接")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.type == "complaint" and "师傅约了今天上午来" in ticket.summary
