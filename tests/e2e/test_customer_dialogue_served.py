"""How the hub talks with a customer over the served web chat (shipped type model): a bare request is asked about
before anything is filed, a customer without a phone is not told their "没有" was added to the ticket, a complaint
from someone with no ticket yet is filed with an apology, a status answer says what happens next, and "收到" or "ok"
is answered as what it is."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.storage.models import Ticket


async def _tickets(hub) -> list[Ticket]:  # type: ignore[no-untyped-def]
    async with hub.sessions() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


async def _exchange(customer, text: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    await customer.say(text)
    return await customer.next()


async def _report_then(chat, report: str, said: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A new customer reports a problem, then says something else: the customer, the answer to each."""
    customer = await chat()
    opened = await _exchange(customer, report)
    return customer, opened, await _exchange(customer, said)


@pytest.mark.parametrize(("request_", "description", "kind"), [
    ("报修", "洗衣机不脱水了，一转就咣咣响", "repair"),
    ("您好，我要报修", "冰箱不制冷了", "repair"),
    ("我要退货", "洗衣机漏水了，想退掉", "return"),
    ("预约安装", "新买的空调", "installation"),
])
async def test_a_bare_request_is_asked_about_and_the_answer_opens_the_ticket(  # type: ignore[no-untyped-def]
        hub_server, chat, request_: str, description: str, kind: str) -> None:
    hub, _ = hub_server
    customer = await chat()
    asked = await _exchange(customer, request_)
    assert asked["ticket"] is None and "请问" in asked["text"]
    assert await _tickets(hub) == []
    opened = await _exchange(customer, description)
    assert opened["ticket"]["type"] == kind
    [ticket] = await _tickets(hub)
    assert ticket.summary.startswith(request_) and description in ticket.summary


async def test_thanks_while_asked_keeps_the_request_and_cancel_drops_it(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    await _exchange(customer, "维修")
    assert (await _exchange(customer, "谢谢"))["ticket"] is None
    dropped = await _exchange(customer, "取消")
    assert dropped["ticket"] is None and "已取消" in dropped["text"]
    assert await _tickets(hub) == []


@pytest.mark.parametrize("answer", ["没有", "没有电话", "不方便", "no", "电话不方便给", "没有电话，你们在这里联系我就行",
                                    "电话就不留了，在这聊吧", "不方便留电话"])
async def test_no_phone_is_understood_and_the_ticket_goes_on_without_it(  # type: ignore[no-untyped-def]
        hub_server, chat, answer: str) -> None:
    hub, _ = hub_server
    customer = await chat()
    assert "联系电话" in (await _exchange(customer, "冰箱不制冷了，里面东西都要坏了"))["text"]
    reply = await _exchange(customer, answer)
    assert "不留电话也可以" in reply["text"] and "上门地址" in reply["text"]
    assert "已补充" not in reply["text"] and "信息已齐全" not in reply["text"]
    [ticket] = await _tickets(hub)
    assert ticket.entities["waived"] == ["phone"] and ticket.entities["phones"] == []
    done = await _exchange(customer, "上海市浦东新区张江路100号3栋502")
    assert "联系电话" not in done["text"] and "waived" not in done["ticket"]["entities"]


async def test_a_visit_without_an_address_is_explained_and_still_asked_for(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    assert "上门地址" in (await _exchange(customer, "空调坏了，不制冷，电话13812345678"))["text"]
    reply = await _exchange(customer, "不方便")
    assert "师傅没法上门" in reply["text"]
    [ticket] = await _tickets(hub)
    assert "waived" not in ticket.entities
    assert "信息已齐全" in (await _exchange(customer, "北京市朝阳区建国路88号"))["text"]


async def test_two_tickets_waiting_for_a_phone_get_one_answer(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    await customer.say("热水器漏水，另外油烟机也不转了")
    await customer.next(), await customer.next()
    reply = await _exchange(customer, "没有")
    assert "不留电话也可以" in reply["text"]
    assert [t.entities["waived"] for t in await _tickets(hub)] == [["phone"], ["phone"]]
    assert "SR-" in (await _exchange(customer, "上海市浦东新区张江路100号"))["text"]


async def test_a_complaint_from_someone_with_no_ticket_is_filed(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    customer = await chat()
    reply = await _exchange(customer, "你们这什么破服务！！！师傅说好今天来结果人都没影，我要投诉！")
    assert reply["ticket"]["type"] == "complaint" and "抱歉" in reply["text"]


async def test_a_status_answer_says_what_happens_next(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    customer = await chat()
    none = await _exchange(customer, "我的工单到哪了")
    assert "工单号" in none["text"] and none["ticket"] is None
    await _exchange(customer, "空调坏了 13812345678 北京市朝阳区建国路88号")
    status = await _exchange(customer, "我的工单到哪了")
    assert "下一步：" in status["text"]


@pytest.mark.parametrize(("text", "answer"), [("收到", "好的"), ("谢谢", "不客气"), ("ok", "好的"), ("👍", "好的"),
                                             ("🙏", "不客气"), ("[强]", "好的")])
async def test_an_acknowledgement_is_not_thanked_and_stays_in_chinese(  # type: ignore[no-untyped-def]
        hub_server, chat, text: str, answer: str) -> None:
    customer = await chat()
    await _exchange(customer, "你好")
    assert (await _exchange(customer, text))["text"].startswith(answer)


async def test_a_bare_no_from_an_english_customer_is_answered_in_english(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    customer = await chat()
    await _exchange(customer, "my dishwasher is leaking water")
    assert "no phone number needed" in (await _exchange(customer, "no"))["text"]


async def test_an_english_request_and_its_description_make_one_english_ticket(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    assert "Which product" in (await _exchange(customer, "repair please"))["text"]
    opened = await _exchange(customer, "my dishwasher is leaking water")
    assert opened["ticket"]["type"] == "repair"
    [ticket] = await _tickets(hub)
    assert ticket.summary.startswith("repair please: my dishwasher")


async def test_a_later_message_about_another_device_opens_its_own_ticket(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    first = await _exchange(customer, "冰箱不制冷了，电话13912345678，地址北京市朝阳区建国路88号")
    assert first["ticket"]["type"] == "repair"
    second = await _exchange(customer, "还有洗衣机也漏水")
    assert second["ticket"]["id"] != first["ticket"]["id"] and "已补充" not in second["text"]
    same = await _exchange(customer, "冰箱还一直嗡嗡响")
    assert same["ticket"]["id"] == first["ticket"]["id"]
    fridge, washer = await _tickets(hub)
    assert "洗衣机" in washer.summary and "洗衣机" not in fridge.summary


@pytest.mark.parametrize("question", ["where is my ticket?", "Any update on my repair?",
                                      "when will the technician come?", "status of my repair"])
async def test_an_english_status_question_is_answered_not_filed(  # type: ignore[no-untyped-def]
        hub_server, chat, question: str) -> None:
    hub, _ = hub_server
    _, opened, answer = await _report_then(chat, "My dishwasher is leaking, phone 13812345678", question)
    assert opened["ticket"]["id"] in answer["text"] and "Added to ticket" not in answer["text"]
    assert len(await _tickets(hub)) == 1


@pytest.mark.parametrize("said", ["谢谢", "👍", "好的"])
async def test_thanks_while_a_phone_is_awaited_is_not_added_and_the_phone_is_asked_again(  # type: ignore[no-untyped-def]
        hub_server, chat, said: str) -> None:
    hub, _ = hub_server
    customer, opened, reply = await _report_then(chat, "冰箱不制冷了", said)
    assert "已补充" not in reply["text"] and "联系电话" in reply["text"] and opened["ticket"]["id"] in reply["text"]
    [ticket] = await _tickets(hub)
    assert said not in ticket.summary
    assert "已补充" in (await _exchange(customer, "13912345678"))["text"]
    [ticket] = await _tickets(hub)
    assert ticket.entities["phones"] == ["13912345678"]


@pytest.mark.parametrize("answer", ["没有", "不用了", "算了"])
async def test_no_description_takes_a_bare_request_back_and_files_nothing(  # type: ignore[no-untyped-def]
        hub_server, chat, answer: str) -> None:
    hub, _ = hub_server
    customer = await chat()
    await _exchange(customer, "我要报修")
    reply = await _exchange(customer, answer)
    assert reply["ticket"] is None and "先不登记" in reply["text"]
    assert await _tickets(hub) == []
    assert (await _exchange(customer, "洗衣机不脱水了"))["ticket"]["type"] == "repair"
    [ticket] = await _tickets(hub)
    assert not ticket.summary.startswith("我要报修")


async def test_asking_for_a_person_after_a_bare_request_keeps_what_was_asked_for(  # type: ignore[no-untyped-def]
        hub_server, chat) -> None:
    hub, _ = hub_server
    customer = await chat()
    await _exchange(customer, "报修")
    handed = await _exchange(customer, "转人工")
    assert "人工" in handed["text"] and handed["ticket"]["type"] == "repair"
    [ticket] = await _tickets(hub)
    assert ticket.summary.startswith("报修") and "转人工" in ticket.summary
    assert ticket.priority == "P3", "as urgent as the repair asked for, not as the plain 转人工"


async def test_an_english_address_is_recorded_on_the_ticket(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    await _exchange(customer, "My washing machine is leaking water")
    assert "address" in (await _exchange(customer, "my phone is 13912345678"))["text"]
    done = await _exchange(customer, "address: 88 Jianguo Road, Chaoyang District, Beijing")
    assert "still need" not in done["text"]
    [ticket] = await _tickets(hub)
    assert ticket.entities["addresses"] == ["北京市朝阳区 88 Jianguo Road, Chaoyang District, Beijing"]
