"""Which ticket a customer's next message belongs to while the hub is still collecting details for one."""
from __future__ import annotations

from core.storage.models import Customer
from templates.render import Renderer

CUSTOMER = "web:thread-customer"


async def _opened(desk) -> str:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，滚筒一直响")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["missing"]
    return out[0]["data"]["ticket"]["id"]


async def test_a_hesitant_new_problem_joins_the_ticket_being_completed(desk) -> None:  # type: ignore[no-untyped-def]
    """“补充一下情况…” reads as a new problem of another type, but with little confidence: it is a detail."""
    code = await _opened(desk)
    out = await desk.say("webchat", CUSTOMER, "电话13812345678")
    assert out[0]["data"]["missing"] == ["address"]
    out = await desk.say("webchat", CUSTOMER, "补充一下情况，第2次，电话13812345678")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code


async def test_a_clear_other_problem_opens_its_own_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _opened(desk)
    out = await desk.say("webchat", CUSTOMER, "发票开错了，抬头要改成公司名称")
    assert out[0]["template"] == "ticket_opened"
    assert out[0]["data"]["ticket"]["id"] != code and out[0]["data"]["ticket"]["type"] == "invoice"


async def test_a_phone_from_abroad_is_the_phone_asked_for(desk) -> None:  # type: ignore[no-untyped-def]
    """A customer in Hong Kong answers with a number and its country code: it is the phone, not a note."""
    code = await _opened(desk)
    out = await desk.say("webchat", CUSTOMER, "+852 9123 4567")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["missing"] == ["address"]
    assert (await desk.ticket(code)).entities["phones"] == ["+85291234567"]


async def test_a_number_that_is_no_phone_is_sent_back_to_be_checked(desk) -> None:  # type: ignore[no-untyped-def]
    """"1381234567" (a digit short) was thanked for as a detail, and the phone asked for again as if unseen; a UK
    number without its country code was put on the ticket as a question for staff."""
    code = await _opened(desk)
    for typed in ("1381234567", "我的手机号是 1381234567", "07700 900123"):
        [out] = await desk.say("webchat", CUSTOMER, typed)
        assert out["template"] == "ticket_updated" and out["data"]["missing"] == ["phone", "address"]
        shown = Renderer().render("ticket_updated", out["data"], "zh").text
        assert "不像是能打通的电话号码" in shown and "谢谢" not in shown and "还需要" not in shown
    assert "Please check it" in Renderer().render("ticket_updated", out["data"], "en").text
    assert await desk.said(code) == ["洗衣机不脱水了，滚筒一直响", "1381234567", "我的手机号是 1381234567",
                                     "07700 900123"]
    [out] = await desk.say("webchat", CUSTOMER, "13812345678")
    assert out["data"]["unread_phone"] is None and out["data"]["missing"] == ["address"]


async def test_a_device_fault_while_an_order_number_is_awaited_opens_its_own_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    """Any answer to "what is the order number?" reads as the detail; a washer's leak told then is not one."""
    out = await desk.say("webchat", CUSTOMER, "改地址：上海市浦东新区张江路100号")
    change = out[0]["data"]["ticket"]["id"]
    assert out[0]["data"]["missing"] == ["order"]
    out = await desk.say("webchat", CUSTOMER, "还有洗衣机漏水了")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["id"] != change
    assert out[0]["data"]["ticket"]["type"] == "repair"
    assert await desk.said(change) == ["改地址：上海市浦东新区张江路100号"]


async def test_a_report_sent_again_is_told_it_is_on_the_ticket_already(desk) -> None:  # type: ignore[no-untyped-def]
    """"已补充到工单，谢谢！" would thank the customer for nothing new."""
    code = (await desk.say("webchat", "web:again", "洗衣机漏水"))[0]["data"]["ticket"]["id"]
    [again] = await desk.say("webchat", "web:again", "洗衣机漏水！！！")
    assert (again["template"], again["data"]["repeated"]) == ("ticket_updated", True)
    assert again["data"]["ticket"]["id"] == code
    [more] = await desk.say("webchat", "web:again", "洗衣机底下一直在滴水")
    assert more["data"]["repeated"] is False


async def test_saying_the_invoice_is_kept_is_a_detail_not_an_invoice_request(desk) -> None:  # type: ignore[no-untyped-def]
    """"是在京东买的，有发票" while a repair waited for the phone opened an invoice ticket asking for an order number."""
    code = (await desk.say("webchat", "web:kept-invoice", "冰箱不制冷了"))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", "web:kept-invoice", "是在京东买的，有发票")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    assert await desk.said(code) == ["冰箱不制冷了", "是在京东买的，有发票"]


async def test_everything_we_need_is_said_once_when_the_last_detail_comes(desk) -> None:  # type: ignore[no-untyped-def]
    """Every word added to a complete ticket ("对了，遥控器也不太灵") was answered "信息已齐全，我们会尽快安排处理" again."""
    customer = "web:complete-once"
    code = (await desk.say("webchat", customer, "洗衣机不脱水了"))[0]["data"]["ticket"]["id"]
    done = (await desk.say("webchat", customer, "电话13812345678，地址上海市浦东新区张江路100号3栋"))[0]
    assert done["template"] == "ticket_updated" and done["data"]["completed"] is True
    more = (await desk.say("webchat", customer, "对了，还一直响"))[0]
    assert more["template"] == "ticket_updated" and more["data"]["ticket"]["id"] == code
    assert more["data"]["completed"] is False
    assert "信息已齐全" not in Renderer().render("ticket_updated", more["data"], "zh").text


async def test_a_report_sent_in_tears_is_met_with_an_apology(desk) -> None:  # type: ignore[no-untyped-def]
    """"我家冰箱坏了😭😭 里面的东西都化了" got the same cheerful "您好，您的问题我们已经记录下来了" as any report."""
    [opened, *_] = await desk.say("webchat", "web:in-tears", "我家冰箱坏了😭😭 里面的东西都化了")
    assert opened["template"] == "ticket_opened" and opened["data"]["upset"] is True
    [calm, *_] = await desk.say("webchat", "web:calm", "我家冰箱坏了，不制冷")
    assert calm["data"]["upset"] is False


async def test_today_said_for_urgency_is_not_recorded_as_the_visit(desk) -> None:  # type: ignore[no-untyped-def]
    """"怎么办啊 今天还要洗澡" was read back as "时间：… 09:00–18:00", the visit's time."""
    code = (await desk.say("webchat", "web:urgent", "洗衣机漏水了"))[0]["data"]["ticket"]["id"]
    replies = await desk.say("webchat", "web:urgent", "怎么办啊 今天还要洗澡")
    assert all("times" not in r["data"].get("added", []) for r in replies)
    assert (await desk.ticket(code)).entities["times"] == []


async def test_more_work_on_the_same_visit_goes_on_the_job_for_staff(desk) -> None:  # type: ignore[no-untyped-def]
    """"能顺便帮我清洗一下吗，要多少钱" after a complete repair opened an upkeep ticket that asked for the address
    again."""
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678，地址上海市浦东新区张江路100号3栋")
    code = out[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "能顺便帮我清洗一下吗，要多少钱")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["question"] is True
    assert (await desk.said(code))[-1] == "能顺便帮我清洗一下吗，要多少钱"


async def test_a_new_visit_takes_the_address_of_the_customers_recent_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    """A second device's problem, minutes after the first was filed with its address, asked for the address again."""
    await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678，地址上海市浦东新区张江路100号3栋")
    out = await desk.say("webchat", CUSTOMER, "还有冰箱也不制冷了")
    opened = out[0]
    assert opened["template"] == "ticket_opened" and opened["data"]["carried"] == ["addresses"]
    assert opened["data"]["missing"] == []
    code = opened["data"]["ticket"]["id"]
    assert (await desk.ticket(code)).entities["addresses"] == ["上海市浦东新区张江路100号3栋"]
    assert "沿用您上次提供的" in Renderer().render("ticket_opened", opened["data"], "zh").text
    out = await desk.say("webchat", CUSTOMER, "冰箱在我父母家，地址是上海市徐汇区漕溪北路88号")
    assert (await desk.ticket(code)).entities["addresses"][-1] == "上海市徐汇区漕溪北路88号"


async def test_an_address_older_than_a_month_is_asked_for_again(desk) -> None:  # type: ignore[no-untyped-def]
    await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678，地址上海市浦东新区张江路100号3栋")
    desk.clock.advance(31 * 86400)
    out = await desk.say("webchat", CUSTOMER, "冰箱不制冷了")
    assert out[0]["data"]["carried"] == [] and out[0]["data"]["missing"] == ["address"]


async def test_the_address_as_last_time_is_the_one_on_record(desk) -> None:  # type: ignore[no-untyped-def]
    """"和上次一样", asked for the address two months after the last visit, was thanked for and the address asked
    for again."""
    await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678，地址上海市浦东新区张江路100号3栋")
    await desk.later(60 * 86400)
    out = await desk.say("webchat", CUSTOMER, "冰箱不制冷了")
    code = out[0]["data"]["ticket"]["id"]
    assert out[0]["data"]["missing"] == ["address"]
    out = (await desk.say("webchat", CUSTOMER, "和上次一样"))[0]
    assert out["template"] == "ticket_updated" and out["data"]["added"] == ["addresses"]
    assert out["data"]["missing"] == []
    assert (await desk.ticket(code)).entities["addresses"] == ["上海市浦东新区张江路100号3栋"]


async def test_the_address_as_last_time_with_none_on_record_is_asked_for(desk) -> None:  # type: ignore[no-untyped-def]
    code = (await desk.say("webchat", "web:first-time", "冰箱不制冷了，电话13812345678"))[0]["data"]["ticket"]["id"]
    assert [o["template"] for o in await desk.say("webchat", "web:first-time", "same as last time")] == \
        ["address_unknown"]
    out = (await desk.say("webchat", "web:first-time", "上海市徐汇区漕溪北路88号"))[0]
    assert out["data"]["added"] == ["addresses"]
    assert (await desk.ticket(code)).entities["addresses"] == ["上海市徐汇区漕溪北路88号"]


async def test_a_phone_corrected_replaces_the_wrong_one(desk) -> None:  # type: ignore[no-untyped-def]
    """"不好意思电话写错了，是…" opened an order change asking for an order number, and the wrong number stayed on the
    repair for the technician to call: the correction replaces it, on the ticket and the customer's record."""
    code = await _opened(desk)
    await desk.say("webchat", CUSTOMER, "13512349876")
    await desk.say("webchat", CUSTOMER, "地址：成都市武侯区人民南路四段12号")
    out = await desk.say("webchat", CUSTOMER, "不好意思电话写错了，是13512349867")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["changed"] == ["phones"]
    ticket = await desk.ticket(code)
    assert ticket.entities["phones"] == ["13512349867"]
    [corrected] = await desk.events(code, "details_corrected")
    assert (corrected.before, corrected.after) == ({"phones": ["13512349876"]}, {"phones": ["13512349867"]})
    async with desk.hub.sessions() as session:
        assert (await session.get(Customer, ticket.customer_id)).phone == "13512349867"
    text = Renderer().render("ticket_updated", out[0]["data"], "zh").text
    assert "电话改为：13512349867" in text


async def test_an_order_address_changed_is_an_order_change_not_a_correction(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _opened(desk)
    out = await desk.say("webchat", CUSTOMER, "修改订单，收货地址改成上海市静安区南京西路100号")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["id"] != code
    assert out[0]["data"]["ticket"]["type"] == "order_change"


async def test_the_technician_on_the_job_gets_the_corrected_phone(desk) -> None:  # type: ignore[no-untyped-def]
    """A phone corrected after 王师傅 accepted the job reached the ticket but not him: he would have called the wrong
    number. He gets the job sheet again, with the new number."""
    out = await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13512349876，地址上海市浦东新区张江路100号3栋")
    code = out[0]["data"]["ticket"]["id"]
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    out = await desk.say("webchat", CUSTOMER, "电话写错了，应该是13512349867")
    [told] = [o for o in out if o["template"] == "job_details_changed"]
    assert (told["channel"], told["recipient"]) == ("wecom", "wangshifu")
    assert told["data"]["changed"] == ["phones"] and told["data"]["job"]["phone"] == "13512349867"
    assert "电话：13512349867" in Renderer().render("job_details_changed", told["data"], "zh").text


async def test_a_visit_put_off_until_after_a_holiday_is_the_time_on_the_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    """"元旦之后来吧" was met with "抱歉让您不开心了", and nothing was put on the ticket."""
    code = (await desk.say("webchat", "web:holiday", "洗衣机不脱水了，电话13812345678，地址上海市浦东新区张杨路500号"))[0][
        "data"]["ticket"]["id"]
    [out] = await desk.say("webchat", "web:holiday", "元旦之后来吧")
    assert out["template"] == "ticket_updated" and out["data"]["added"] == ["times"]
    [wanted] = (await desk.ticket(code)).entities["times"]
    assert wanted.endswith("T18:00:00+08:00") and wanted[5:10] in ("01-02", "01-03", "01-04", "01-05")
    assert "时间：01-0" in Renderer().render("ticket_updated", out["data"], "zh").text
