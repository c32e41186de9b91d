"""Greetings, thanks and emoji never open a ticket; an unhappy or angry emoji alone is met with an apology and the
offer of a person instead of a cheerful hello."""
from __future__ import annotations

import pytest

from templates.render import Renderer

CUSTOMER = "web:smalltalk-customer"


@pytest.mark.parametrize(("text", "template", "upset"), [
    ("你好", "greeting", False),
    ("😡😡😡", "greeting", True),
    ("[流泪]", "greeting", True),
    ("👍", "thanks", None),
    ("😊", "thanks", None),
    ("[微笑]", "thanks", None),
])
async def test_smalltalk_answers_the_mood_and_opens_nothing(desk, text: str, template: str,  # type: ignore[no-untyped-def]
                                                            upset: bool | None) -> None:
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert reply["template"] == template
    assert upset is None or reply["data"]["upset"] is upset


@pytest.mark.parametrize("text", ["你们这个客服是机器人吧", "你是机器人吗？", "are you a bot?"])
async def test_asking_whether_the_chat_is_a_machine_is_answered_not_filed(desk, text: str) -> None:  # type: ignore[no-untyped-def]
    """"你们这个客服是机器人吧" opened a complaint and asked for a phone."""
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert reply["template"] == "greeting" and reply["data"]["machine"] is True
    [opened, *_] = await desk.say("webchat", CUSTOMER, "扫地机器人坏了，一直响")
    assert opened["template"] == "ticket_opened", "a robot vacuum is still a product"


@pytest.mark.parametrize(("text", "article"), [("你们几点下班", "service-hours"),
                                             ("what are your hours?", "service-hours-en")])
async def test_a_question_read_as_chit_chat_is_answered_from_the_knowledge_base(  # type: ignore[no-untyped-def]
        desk, text: str, article: str) -> None:
    """"你们几点下班" got the opening hello."""
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert (reply["template"], reply["data"]["article"]) == ("kb_answer", article)
    [thanks] = await desk.say("webchat", CUSTOMER, "有帮助")
    assert thanks["template"] == "kb_thanks"


async def test_service_hours_are_answered_beside_an_open_repair(desk) -> None:  # type: ignore[no-untyped-def]
    """Asked while a repair was open, "你们几点下班" got the hello: the type model reads the article as a delivery
    matter, and a short question beside a ticket is answered only by an article of that ticket's kind or a general
    one; the article is tagged general."""
    await desk.say("webchat", CUSTOMER, "洗衣机不脱水了，电话13812345678，地址上海市浦东新区张江路100号3栋")
    [reply] = await desk.say("webchat", CUSTOMER, "你们几点下班")
    assert (reply["template"], reply["data"]["article"]) == ("kb_answer", "service-hours")


@pytest.mark.parametrize("text", ["没用", "不满意", "not helpful", "😡"])
async def test_displeasure_while_a_detail_is_awaited_is_met_with_an_apology_and_adds_nothing(  # type: ignore[no-untyped-def]
        desk, text: str) -> None:
    """"没用" is no detail of the ticket: "已补充到工单" would be the wrong answer to it, and so would "好的"."""
    reply = await _answered_while_a_detail_is_awaited(desk, text)
    assert reply["data"]["upset"] is True


async def _answered_while_a_detail_is_awaited(desk, text: str) -> dict:  # type: ignore[no-untyped-def]
    """The answer to `text` said while a new repair awaits the phone and the address: it asks for them again and
    adds nothing to the ticket."""
    opened = await desk.say("webchat", CUSTOMER, "洗衣机漏水了")
    code = opened[0]["data"]["ticket"]["id"]
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert reply["template"] == "thanks"
    assert reply["data"]["missing"] == ["phone", "address"] and reply["data"]["ticket"]["id"] == code
    assert await desk.said(code) == ["洗衣机漏水了"]
    return reply


async def test_an_angry_word_while_a_detail_is_awaited_still_goes_to_a_person(desk) -> None:  # type: ignore[no-untyped-def]
    opened = await desk.say("webchat", CUSTOMER, "洗衣机漏水了")
    out = await desk.say("webchat", CUSTOMER, "垃圾")
    assert out[0]["template"] == "handover_waiting"
    assert out[0]["data"]["ticket"]["id"] == opened[0]["data"]["ticket"]["id"]


@pytest.mark.parametrize("text", ["在吗", "你好"])
async def test_a_greeting_while_a_detail_is_awaited_is_greeted_back(desk, text: str) -> None:  # type: ignore[no-untyped-def]
    """"在吗" is asked whether anyone is there: "好的" is no answer to it."""
    await desk.say("webchat", CUSTOMER, "洗衣机漏水了")
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert reply["template"] == "thanks" and reply["data"]["greeted"] is True
    assert Renderer().render("thanks", reply["data"], "zh").text.startswith("您好，我在。")


@pytest.mark.parametrize("text", ["是的", "对", "行", "[微笑]", "好的[强]"])
async def test_a_bare_yes_while_a_detail_is_awaited_adds_nothing(desk, text: str) -> None:  # type: ignore[no-untyped-def]
    await _answered_while_a_detail_is_awaited(desk, text)


@pytest.mark.parametrize("text", ["不用了，我自己弄好了", "算了，我自己找人修了", "never mind, I got it fixed"])
async def test_fixed_it_myself_while_a_detail_is_awaited_cancels_the_ticket(  # type: ignore[no-untyped-def]
        desk, text: str) -> None:
    """"不用了，我自己弄好了" was met with an apology for upsetting the customer and the phone asked again, "算了，我
    自己找人修了" thanked for as a detail."""
    opened = await desk.say("webchat", CUSTOMER, "洗衣机漏水了")
    code = opened[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, text)
    assert out[0]["template"] == "ticket_cancelled" and (await desk.ticket(code)).status == "cancelled"


@pytest.mark.parametrize("text", ["师傅很负责，点赞", "我要表扬你们的师傅", "the technician was great"])
async def test_praise_is_thanked_for_and_kept_on_the_newest_ticket(  # type: ignore[no-untyped-def]
        desk, text: str) -> None:
    """Talk of 师傅 and 态度 reads like a complaint to the type model: praise opens nothing."""
    opened = await desk.say("webchat", CUSTOMER, "洗衣机漏水了，电话13812345678，地址北京市海淀区中关村大街1号")
    code = opened[0]["data"]["ticket"]["id"]
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert (reply["template"], reply["data"]["praised"], reply["data"]["kept"]) == ("thanks", True, code)
    assert (await desk.said(code))[-1] == text


async def test_praise_with_no_ticket_is_thanked_for(desk) -> None:  # type: ignore[no-untyped-def]
    [reply] = await desk.say("webchat", CUSTOMER, "你们客服态度很好")
    assert (reply["template"], reply["data"]["praised"], "kept" in reply["data"]) == ("thanks", True, False)


async def test_praise_while_a_detail_is_awaited_is_thanked_for_and_the_detail_asked_again(  # type: ignore[no-untyped-def]
        desk) -> None:
    opened = await desk.say("webchat", CUSTOMER, "洗衣机漏水了")
    code = opened[0]["data"]["ticket"]["id"]
    [reply] = await desk.say("webchat", CUSTOMER, "you guys are great, thanks")
    assert (reply["template"], reply["data"]["praised"]) == ("thanks", True)
    assert reply["data"]["missing"] == ["phone", "address"]
    assert Renderer().render("thanks", reply["data"], "zh").text.startswith("谢谢您的肯定！")
    assert await desk.said(code) == ["洗衣机漏水了"]


async def test_more_words_of_a_question_for_staff_go_on_its_ticket_not_greeted(  # type: ignore[no-untyped-def]
        desk) -> None:
    code = (await desk.say("webchat", CUSTOMER, "你们县城能上门吗"))[0]["data"]["ticket"]["id"]
    [reply] = await desk.say("webchat", CUSTOMER, "我家在农村")
    assert (reply["template"], reply["data"]["ticket"]["id"]) == ("ticket_updated", code)
    assert await desk.said(code) == ["你们县城能上门吗", "我家在农村"]
    assert (await desk.say("webchat", CUSTOMER, "你好"))[0]["template"] == "greeting"


@pytest.mark.parametrize("text", ["稍等", "等我找一下", "3分钟", "hold on", "稍等，我找一下订单号",
                                  "hold on, looking for the order number"])
async def test_asking_to_wait_while_a_detail_is_awaited_is_answered_and_adds_nothing(  # type: ignore[no-untyped-def]
        desk, text: str) -> None:
    """"稍等" was thanked for as the detail ("已补充到工单，谢谢！"), "3分钟" met with "抱歉让您不开心了"."""
    reply = await _answered_while_a_detail_is_awaited(desk, text)
    assert reply["data"]["holding"] is True and reply["data"]["upset"] is False
    assert Renderer().render("thanks", reply["data"], "zh").text.startswith("好的，不着急。")
