"""A ticket's one-line summary tells the problem; the customer's phone, address and name stay in its details.

The summary travels where the details do not belong: status answers, queue and SLA alerts, supervisors' group
chats, the console's list."""
from __future__ import annotations

import pytest

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



async def _vague(desk, customer: str, report: str) -> str:  # type: ignore[no-untyped-def]
    """The code of the ticket `report` opens, whose summary only says a product is out of order."""
    out = await desk.say("webchat", customer, report)
    assert out[0]["template"] == "ticket_opened"
    code = out[0]["data"]["ticket"]["id"]
    assert (await desk.ticket(code)).summary == report
    return code


async def test_a_vague_summary_becomes_the_problem_the_customer_describes(desk) -> None:  # type: ignore[no-untyped-def]
    """"我家洗衣机坏了😭" told staff nothing in the queue, the job sheet and status answers; the symptom told next
    ("不脱水，一直响") went on the ticket but not into its summary."""
    code = await _vague(desk, CUSTOMER, "我家洗衣机坏了😭")
    out = await desk.say("webchat", CUSTOMER, "不脱水，一直响")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["summary"] == "洗衣机：不脱水，一直响"
    assert (await desk.ticket(code)).summary == "洗衣机：不脱水，一直响"
    assert await desk.said(code) == ["我家洗衣机坏了😭", "不脱水，一直响"]
    [event] = await desk.events(code, "summary")
    assert (event.before, event.after) == ({"summary": "我家洗衣机坏了😭"}, {"summary": "洗衣机：不脱水，一直响"})
    assert event.actor.startswith("customer:")
    out = await desk.say("webchat", CUSTOMER, "电话13812345678，地址上海市浦东新区张江路100号3栋")
    notice = next(o for o in out if o["template"] == "dispatch_notice")
    sheet = Renderer().render("dispatch_notice", notice["data"], "zh").text
    assert "问题：洗衣机：不脱水，一直响" in sheet


async def test_an_english_description_heads_it_with_the_product(desk) -> None:  # type: ignore[no-untyped-def]
    code = await _vague(desk, CUSTOMER, "my dishwasher is broken")
    await desk.say("webchat", CUSTOMER, "it leaks from the door")
    assert (await desk.ticket(code)).summary == "Dishwasher: it leaks from the door"
    status = await desk.say("webchat", CUSTOMER, "what's the status of my ticket?")
    answer = Renderer().render(status[0]["template"], status[0]["data"], "en").text
    assert "Dishwasher: it leaks from the door" in answer


@pytest.mark.parametrize("said", ["13812345678", "上海市浦东新区张江路100号3栋", "明天下午有空", "谢谢",
                                  "电话写错了，是13512349867", "我要求换新", "空调出问题了！", "什么时候来"])
async def test_what_tells_no_problem_leaves_the_summary(desk, said: str) -> None:  # type: ignore[no-untyped-def]
    """A detail, a time, thanks, a correction, a remedy asked for, the same words again or a status question says
    nothing of what is wrong: the summary waits for what does."""
    code = await _vague(desk, CUSTOMER, "空调出问题了")
    await desk.say("webchat", CUSTOMER, "13912345678")
    await desk.say("webchat", CUSTOMER, said)
    assert (await desk.ticket(code)).summary == "空调出问题了"
    assert await desk.events(code, "summary") == []
    await desk.say("webchat", CUSTOMER, "一直不制冷")
    assert (await desk.ticket(code)).summary == "空调：一直不制冷"


async def test_a_summary_telling_the_problem_is_kept(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "我家热水器坏了，打不着火")
    code = out[0]["data"]["ticket"]["id"]
    await desk.say("webchat", CUSTOMER, "还一直漏水")
    assert (await desk.ticket(code)).summary == "我家热水器坏了，打不着火"
    assert await desk.events(code, "summary") == []


async def test_only_the_first_description_replaces_a_vague_summary(desk) -> None:  # type: ignore[no-untyped-def]
    """A description naming the product is the summary as it stands; what is told after it goes on the ticket only."""
    code = await _vague(desk, CUSTOMER, "洗衣机坏了")
    await desk.say("webchat", CUSTOMER, "洗衣机不脱水了")
    await desk.say("webchat", CUSTOMER, "还一直漏水")
    assert (await desk.ticket(code)).summary == "洗衣机不脱水了"
    assert len(await desk.events(code, "summary")) == 1
    assert await desk.said(code) == ["洗衣机坏了", "洗衣机不脱水了", "还一直漏水"]
