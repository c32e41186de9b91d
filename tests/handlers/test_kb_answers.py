"""Questions the knowledge base can answer are answered in chat with "这个回答有帮助吗？": helpful counts as a
deflection, "没有" files the question as a ticket, and a question it is not sure of goes to intake as before."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.services.stats import StatsService
from core.storage.models import KbAnswer, TicketMessage
from templates.render import Renderer

CUSTOMER = "web:asker"


def _templates(out: list[dict]) -> list[str]:
    return [o["template"] for o in out]


async def _deflections(desk) -> int:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        return await StatsService(session=session).deflections()


async def test_a_confident_answer_found_helpful_is_a_deflection(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "路由器密码忘记了怎么办")
    assert _templates(out) == ["kb_answer"]
    assert out[0]["data"]["article"] == "router-reset" and "重置" in out[0]["data"]["title"]
    assert [a["command"] for a in out[0]["data"]["actions"]] == ["有帮助", "没帮助"]
    assert _templates(await desk.say("webchat", CUSTOMER, "有帮助")) == ["kb_thanks"]
    assert await _deflections(desk) == 1
    async with desk.hub.sessions() as session:
        answer = await session.scalar(select(KbAnswer))
    assert (answer.helpful, answer.ticket_id, answer.question) == (True, None, "路由器密码忘记了怎么办")


async def test_not_helpful_opens_a_ticket_carrying_the_question(desk) -> None:  # type: ignore[no-untyped-def]
    assert _templates(await desk.say("webchat", CUSTOMER, "保修期是多久"))[0] == "kb_answer"
    out = await desk.say("webchat", CUSTOMER, "没有")
    assert _templates(out) == ["ticket_opened", "queue_alert"], "an inquiry is the agents' to answer"
    code = out[0]["data"]["ticket"]["id"]
    ticket = await desk.ticket(code)
    assert ticket.type == "inquiry"
    async with desk.hub.sessions() as session:
        said = list(await session.scalars(select(TicketMessage.text).where(TicketMessage.ticket_id == ticket.id)))
        answer = await session.scalar(select(KbAnswer))
    assert said == ["保修期是多久"]
    assert (answer.helpful, answer.ticket_id) == (False, ticket.id)
    assert await _deflections(desk) == 0


@pytest.mark.parametrize(("said", "filed"), [("没用，还是不行", "热水器显示E4是什么意思，还是不行"),
                                             ("还是显示E4", "热水器显示E4是什么意思，还是显示E4")])
async def test_still_broken_after_an_answer_files_the_question_with_what_was_tried(  # type: ignore[no-untyped-def]
        desk, said: str, filed: str) -> None:
    """"没用，还是不行" after the fault-code article opened a repair whose only words were "没用，还是不行"."""
    assert _templates(await desk.say("webchat", CUSTOMER, "热水器显示E4是什么意思"))[0] == "kb_answer"
    out = await desk.say("webchat", CUSTOMER, said)
    assert out[0]["template"] == "ticket_opened"
    assert await desk.said(out[0]["data"]["ticket"]["id"]) == [filed]
    async with desk.hub.sessions() as session:
        assert (await session.scalar(select(KbAnswer))).helpful is False


async def test_an_unsure_question_goes_to_intake(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", CUSTOMER, "你们的吉祥物叫什么名字吗")
    assert _templates(out) == ["ticket_opened", "queue_alert"] and out[0]["data"]["ticket"]["type"] == "inquiry"
    async with desk.hub.sessions() as session:
        assert await session.scalar(select(KbAnswer)) is None


async def test_a_question_asked_while_an_order_number_is_awaited_is_answered_too(desk) -> None:  # type: ignore[no-untyped-def]
    """Any answer to "what is the order number?" read as the detail: "退款多久到账" went on the return as a note."""
    opened = await desk.say("webchat", CUSTOMER, "我要退货，洗衣机漏水了")
    code = opened[0]["data"]["ticket"]["id"]
    assert opened[0]["data"]["missing"] == ["order", "phone"]
    out = await desk.say("webchat", CUSTOMER, "退款多久到账")
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == "refund-timing"
    assert out[0]["data"]["ticket"]["id"] == code and out[0]["data"]["missing"] == ["order", "phone"]
    assert await desk.said(code) == ["我要退货，洗衣机漏水了"]


async def test_a_question_asked_while_a_detail_is_awaited_is_answered_and_the_detail_asked_again(  # type: ignore[no-untyped-def]
        desk) -> None:
    opened = await desk.say("webchat", CUSTOMER, "洗衣机漏水了，地址上海市浦东新区张江路100号3栋")
    code, missing = opened[0]["data"]["ticket"]["id"], opened[0]["data"]["missing"]
    assert missing == ["phone"]
    out = await desk.say("webchat", CUSTOMER, "保修期是多久")
    assert _templates(out) == ["kb_answer"]
    assert out[0]["data"]["ticket"]["id"] == code and out[0]["data"]["missing"] == ["phone"]
    assert "actions" not in out[0]["data"], "no feedback question: the phone is what is asked for"
    assert await desk.said(code) == ["洗衣机漏水了，地址上海市浦东新区张江路100号3栋"], "the question is not a detail of the ticket"
    out = await desk.say("webchat", CUSTOMER, "13812345678")
    assert _templates(out)[0] == "ticket_updated" and (await desk.ticket(code)).entities["phones"] == ["13812345678"]


async def test_a_question_the_knowledge_base_cannot_answer_joins_the_ticket_being_completed(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, "我要退货，衣服尺码不对，订单号4200001234567890")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "快递单号多少")
    assert _templates(out) == ["ticket_updated", "question_alert"] and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["question"], "the customer is told staff will answer, not thanked for a detail"
    assert out[1]["data"]["question"] == "快递单号多少" and out[1]["data"]["ticket"]["id"] == code
    out = await desk.say("webchat", CUSTOMER, "能不能后天下午来")
    assert _templates(out) == ["ticket_updated"] and not out[0]["data"]["question"], "a time asked for is a detail"


async def test_a_general_question_beside_a_complete_ticket_is_asked_on_it(desk) -> None:  # type: ignore[no-untyped-def]
    """Nothing is awaited any more, but "序列号怎么找" is asked about the installation just booked: staff answer
    it on that ticket instead of a second ticket opening for it."""
    code = (await desk.say("webchat", CUSTOMER, "热水器要安装，电话18600001111，地址上海市闵行区七莘路3333弄5号，"
                                                "下周一上午"))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "序列号怎么找")
    assert _templates(out) == ["ticket_updated", "question_alert"] and out[0]["data"]["ticket"]["id"] == code


async def test_a_question_about_the_code_reported_is_read_after_the_report(desk) -> None:  # type: ignore[no-untyped-def]
    """"E4是什么意思" names no product: after a water heater showing E4 it is the heater's code, while the ticket
    still waits for a phone and once it is complete."""
    opened = await desk.say("webchat", CUSTOMER, "热水器显示E4，不出热水了")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "E4是什么意思啊")
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == "water-heater-fault-codes"
    assert out[0]["data"]["ticket"]["id"] == code and out[0]["data"]["missing"] == ["phone", "address"]
    await desk.say("webchat", CUSTOMER, "13812345678")
    await desk.say("webchat", CUSTOMER, "北京市朝阳区建国路88号3单元1201")
    out = await desk.say("webchat", CUSTOMER, "E4代表什么意思")
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == "water-heater-fault-codes"


async def test_a_code_asked_after_a_report_that_names_only_the_product_is_answered(desk) -> None:  # type: ignore[no-untyped-def]
    """"空调不制冷" names no code; the air conditioner's is the one article with an E4 for that product. Not helpful,
    the question goes on that ticket rather than opening a second one."""
    opened = await desk.say("webchat", CUSTOMER, "空调不制冷")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "E4是什么意思")
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == "ac-fault-codes"
    assert out[0]["data"]["ticket"]["id"] == code
    out = await desk.say("webchat", CUSTOMER, "没帮助")
    assert _templates(out) == ["ticket_updated", "question_alert"] and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["question"] and out[1]["data"]["question"] == "E4是什么意思"
    assert out[0]["data"]["missing"] == ["phone", "address"]
    assert await desk.said(code) == ["空调不制冷", "E4是什么意思"]


async def test_an_unhelpful_answer_about_another_matter_opens_its_own_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, "空调不制冷")
    await desk.say("webchat", CUSTOMER, "电子发票怎么开")
    out = await desk.say("webchat", CUSTOMER, "没帮助")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["ticket"]["type"] == "invoice"
    assert out[0]["data"]["ticket"]["id"] != opened[0]["data"]["ticket"]["id"]


async def test_a_question_on_what_installing_costs_gets_the_charges_not_the_booking(desk) -> None:  # type: ignore[no-untyped-def]
    """"上门安装要收费吗" in the web chat was answered with the article on booking an installation."""
    out = await desk.say("webchat", CUSTOMER, "上门安装要收费吗")
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == "installation-fees"


async def test_an_english_question_is_answered_from_the_english_article(desk) -> None:  # type: ignore[no-untyped-def]
    out = await desk.say("webchat", "web:english", "when does my refund arrive?")
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == "refund-timing-en"
    assert out[0]["locale"] == "en" and [a["command"] for a in out[0]["data"]["actions"]] == ["helpful", "not helpful"]
    assert _templates(await desk.say("webchat", "web:english", "helpful")) == ["kb_thanks"]


@pytest.mark.parametrize(("asked", "article"), [
    ("I smell something burning from the fridge, what should I do?", "electrical-burning-smell-en"),
    ("a pipe is leaking in the kitchen, what should I do?", "water-leak-safety-en"),
    ("what does E5 mean on the air conditioner?", "ac-fault-codes-en"),
])
async def test_an_english_question_on_safety_or_a_fault_code_gets_its_english_article(  # type: ignore[no-untyped-def]
        desk, asked: str, article: str) -> None:
    out = await desk.say("webchat", "web:english", asked)
    assert _templates(out) == ["kb_answer"] and out[0]["data"]["article"] == article
    assert [a["command"] for a in out[0]["data"]["actions"]] == ["helpful", "not helpful"]


async def test_details_after_an_answer_file_the_question_with_them(desk) -> None:  # type: ignore[no-untyped-def]
    """An order number sent after the answer on exchanges asks for the exchange: the question is filed as "没帮助"
    would file it, with the order number on the ticket, not as a ticket of its own about an order number."""
    assert _templates(await desk.say("webchat", CUSTOMER, "保修期是多久"))[0] == "kb_answer"
    out = await desk.say("webchat", CUSTOMER, "订单号 4200001234567890")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert ticket.summary == "保修期是多久" and ticket.entities["order_numbers"] == ["4200001234567890"]
    async with desk.hub.sessions() as session:
        answer = await session.scalar(select(KbAnswer))
    assert (answer.helpful, answer.ticket_id) == (False, ticket.id)


async def test_what_the_customer_asks_for_after_an_unanswered_question_goes_on_its_ticket(desk) -> None:  # type: ignore[no-untyped-def]
    """"那帮我寄一个吧，地址…" after "遥控器丢了能单买吗" read as a return of its own and asked for an order number."""
    opened = await desk.say("webchat", CUSTOMER, "空调遥控器丢了能单买吗")
    assert opened[0]["template"] == "ticket_opened" and opened[0]["data"]["ticket"]["type"] == "inquiry"
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "那就帮我换货寄一个吧，电话13812345678")
    assert out[0]["template"] == "ticket_updated" and out[0]["data"]["ticket"]["id"] == code
    assert (await desk.ticket(code)).entities["phones"] == ["13812345678"]


async def test_a_question_of_a_few_words_is_not_answered_with_another_kind_of_matter(desk) -> None:  # type: ignore[no-untyped-def]
    """"怎么收费" beside an air conditioner's repair was answered with the installation fees."""
    opened = await desk.say("webchat", CUSTOMER, "空调坏了")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "怎么收费")
    assert "kb_answer" not in _templates(out) and out[0]["data"]["ticket"]["id"] == code
    assert out[0]["data"]["question"], "put on the ticket for staff to answer"
    await desk.say("webchat", CUSTOMER, "我要安装空调")
    out = await desk.say("webchat", CUSTOMER, "怎么收费")
    assert _templates(out)[0] == "kb_answer" and out[0]["data"]["article"] == "installation-fees"


async def test_a_report_ending_with_a_question_is_filed_and_the_question_answered(  # type: ignore[no-untyped-def]
        desk) -> None:
    """"空调不制冷，另外保修期多久？" opened the repair and the warranty question went unheard."""
    out = await desk.say("webchat", CUSTOMER, "空调不制冷，另外保修期多久？")
    assert _templates(out) == ["ticket_opened", "kb_answer"]
    assert (out[1]["data"]["article"], out[1]["data"]["beside"]) == ("warranty-terms", True)
    assert out[0]["data"]["ticket"]["type"] == "repair"


async def test_a_warranty_question_in_the_middle_of_a_report_is_answered(desk) -> None:  # type: ignore[no-untyped-def]
    """"…用了才一年半，还在保修期吗？电话…，地址…" opened the repair and left the question unanswered."""
    out = await desk.say("webchat", CUSTOMER, "洗衣机脱水的时候声音特别大，用了才一年半，还在保修期吗？"
                                              "电话18601234567，地址上海市浦东新区张江路100号3栋")
    assert _templates(out)[0] == "ticket_opened" and out[-1]["template"] == "kb_answer"
    assert (out[-1]["data"]["article"], out[-1]["data"]["beside"]) == ("warranty-terms", True)


async def test_a_report_asking_what_to_do_gets_the_article_on_what_to_do(  # type: ignore[no-untyped-def]
        desk) -> None:
    out = await desk.say("webchat", CUSTOMER, "家里热水器漏水，地上全是水，怎么办啊")
    assert _templates(out)[0] == "ticket_opened" and out[-1]["template"] == "kb_answer"
    assert out[-1]["data"]["article"] == "water-leak-safety"


async def test_a_question_about_a_service_nobody_can_answer_yet_is_filed_for_the_agents(desk) -> None:  # type: ignore[no-untyped-def]
    """"清洗油烟机怎么收费" opened an upkeep job and asked only for a phone, as if a visit were all that was wanted,
    and no agent heard the question: the agents are told of it and the customer that it is answered here."""
    out = await desk.say("webchat", CUSTOMER, "油烟机清洗怎么收费")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["asked"] is True
    told = Renderer().render("ticket_opened", out[0]["data"], "zh").text
    assert "客服会在这里答复您的问题；如需上门" in told and "预约" not in told, "a question is no booking"
    alert = next(o for o in out if o["template"] == "question_alert")
    assert alert["data"]["question"] == "油烟机清洗怎么收费"


async def test_a_fault_asked_about_is_filed_for_the_visit(desk) -> None:  # type: ignore[no-untyped-def]
    """"空调不制冷了怎么办" wants the repair: the phone is asked for the visit, not the question put to the agents."""
    out = await desk.say("webchat", "web:what-to-do", "洗衣机漏水了怎么办")
    assert out[0]["template"] == "ticket_opened" and out[0]["data"]["asked"] is False
    assert "question_alert" not in _templates(out)
