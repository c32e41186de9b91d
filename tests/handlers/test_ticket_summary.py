"""A ticket's one-line summary tells the problem; the customer's phone, address and name stay in its details.

The summary travels where the details do not belong: status answers, queue and SLA alerts, supervisors' group
chats, the console's list."""
from __future__ import annotations

from templates.render import Renderer

CUSTOMER = "web:summary-customer"


async def test_contact_details_are_left_out_of_the_summary_and_kept_as_details(desk) -> None:  # type: ignore[no-untyped-def]
    report = "家里的空调不制冷了，型号KFR-35GW，电话13912345678，地址北京市朝阳区建国路88号3单元502"
    out = await desk.say("webchat", CUSTOMER, report)
    code = out[0]["data"]["ticket"]["id"]
    ticket = await desk.ticket(code)
    assert ticket.summary == "家里的空调不制冷了，型号KFR-35GW"
    assert ticket.entities["phones"] == ["13912345678"] and ticket.entities["addresses"]
    assert await desk.said(code) == [report]
    status = await desk.say("webchat", CUSTOMER, "我的工单到哪了")
    answer = Renderer().render(status[0]["template"], status[0]["data"], "zh").text
    assert "问题：家里的空调不制冷了，型号KFR-35GW" in answer and "13912345678" not in answer


async def test_a_summary_starts_with_the_problem_not_the_greeting(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "您好，我家热水器坏了，打不着火")
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.summary == "我家热水器坏了，打不着火"


async def test_a_described_request_keeps_its_words_without_the_phone(desk) -> None:  # type: ignore[no-untyped-def]
    await desk.say("webchat", CUSTOMER, "我要退货")
    out = await desk.say("webchat", CUSTOMER, "洗衣机漏水了，电话13912345678")
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.summary == "我要退货：洗衣机漏水了" and ticket.type == "return"


async def test_each_of_two_problems_has_its_own_words_as_summary(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "冰箱不制冷了，还有洗衣机也不脱水，电话13912345678")
    codes = [o["data"]["ticket"]["id"] for o in out if o["template"] == "ticket_opened"]
    summaries = [(await desk.ticket(code)).summary for code in codes]
    assert len(summaries) == 2 and not any("1391234" in s for s in summaries), summaries
    assert "冰箱" in summaries[0] and "洗衣机" in summaries[1]

