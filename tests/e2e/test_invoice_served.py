"""Invoice requests through the served hub's web chat, on SQLite and PostgreSQL: the bot asks for the invoice title
and, for a company, its tax id, one at a time; reads back what the customer gave; and staff find title, tax id and
e-mail on the ticket in the REST API and the console's labels. An invoice that has not arrived asks for neither."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.e2e.conftest import ChatClient

DATABASES = pytest.mark.parametrize("served_database", ["sqlite", "postgresql"], indirect=True)
ORDER = "4200001234567890"
COMPANY = "杭州某某科技有限公司"
TAX_ID = "91330106MA2B3C4D5E"


async def _answer(customer: ChatClient, text: str) -> dict[str, Any]:
    await customer.say(text)
    return await customer.next()


@DATABASES
async def test_the_bot_asks_for_the_title_then_the_company_tax_id(  # type: ignore[no-untyped-def]
        messaging_hub) -> None:
    customer = await messaging_hub.chat("invoicewebchat000001")
    opened = await _answer(customer, f"我要开发票，订单号{ORDER}")
    code = opened["ticket"]["id"]
    assert opened["ticket"]["type"] == "invoice"
    assert "请告诉我们您的发票抬头（个人，或单位全称）" in opened["text"], opened["text"]

    titled = await _answer(customer, COMPANY)
    assert titled["ticket"]["id"] == code
    assert f"发票抬头：{COMPANY}" in titled["text"] and "还需要您的单位税号（纳税人识别号）" in titled["text"], titled["text"]

    taxed = await _answer(customer, TAX_ID)
    assert f"税号：{TAX_ID}" in taxed["text"] and "信息已齐全" in taxed["text"], taxed["text"]

    status, ticket = await messaging_hub.api("GET", f"/tickets/{code}")
    assert status == 200
    entities = ticket["entities"]
    assert (entities["invoice_titles"], entities["tax_ids"], entities["order_numbers"]) == ([COMPANY], [TAX_ID],
                                                                                            [ORDER])
    assert entities["invoice_requests"] == ["开发票"]


@DATABASES
async def test_a_personal_invoice_needs_no_tax_id(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await messaging_hub.chat("invoicewebchat000002")
    opened = await _answer(customer, f"帮我补开一张发票，订单号{ORDER}")
    assert "发票抬头" in opened["text"], opened["text"]
    titled = await _answer(customer, "个人的就行")
    assert "发票抬头：个人" in titled["text"] and "信息已齐全" in titled["text"], titled["text"]
    assert "税号" not in titled["text"]


@DATABASES
async def test_all_details_after_a_bare_request_are_read_back(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await messaging_hub.chat("invoicewebchat000003")
    asked = await _answer(customer, "我要开发票")
    assert asked["ticket"] is None and "发票抬头" in asked["text"]
    opened = await _answer(customer, f"订单号{ORDER}，抬头：{COMPANY} 税号91330106MA2XXXXXX 发到 abc@qq.com")
    text = opened["text"]
    assert opened["ticket"]["type"] == "invoice"
    for line in (f"发票抬头：{COMPANY}", "税号：91330106MA2XXXXXX", "邮箱：abc＠qq[.]com"):  # defanged as all it quotes
        assert line in text, text
    assert "请告诉我们" not in text, "nothing is missing"
    _, ticket = await messaging_hub.api("GET", f"/tickets/{opened['ticket']['id']}")
    assert ticket["entities"]["emails"] == ["abc@qq.com"] and ticket["entities"]["invoice_requests"] == ["开发票"]


@DATABASES
async def test_a_bare_request_answered_with_the_order_asks_for_the_title(  # type: ignore[no-untyped-def]
        messaging_hub) -> None:
    customer = await messaging_hub.chat("invoicewebchat000005")
    await _answer(customer, "我要开发票")
    opened = await _answer(customer, f"订单号{ORDER}，上周买的洗衣机")
    assert opened["ticket"]["type"] == "invoice"
    assert "请告诉我们您的发票抬头" in opened["text"], opened["text"]


@DATABASES
async def test_a_missing_invoice_asks_only_for_the_order(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await messaging_hub.chat("invoicewebchat000004")
    opened = await _answer(customer, "上周买的冰箱，发票还没收到")
    assert opened["ticket"]["type"] == "invoice" and "订单号" in opened["text"], opened["text"]
    completed = await _answer(customer, ORDER)
    assert "信息已齐全" in completed["text"] and "抬头" not in completed["text"], completed["text"]


async def test_staff_read_the_invoice_details_in_their_language(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        for lang, title, tax_id in (("zh", "发票抬头", "税号"), ("en", "Invoice title", "Tax ID")):
            async with http.get(messaging_hub.server.make_url(f"/console/strings?lang={lang}")) as response:
                strings = await response.json()
            assert (strings["entities"]["invoice_titles"], strings["entities"]["tax_ids"]) == (title, tax_id)


async def test_an_english_customer_is_asked_in_english(chat) -> None:  # type: ignore[no-untyped-def]
    customer = await chat()
    opened = await _answer(customer, f"Hello, I need an invoice for order {ORDER}")
    assert opened["ticket"]["type"] == "invoice", opened
    assert "please send us your invoice title" in opened["text"], opened["text"]
    titled = await _answer(customer, "Acme Trading Co., Ltd.")
    assert "Invoice title: Acme Trading Co., Ltd." in titled["text"], titled["text"]
    assert "We still need your company's tax ID" in titled["text"], titled["text"]
    done = await _answer(customer, "tax ID 91310115MA1K4ABC12, send it to bob.lee@example.com")
    assert "Tax ID: 91310115MA1K4ABC12" in done["text"], done["text"]
    assert "Email: bob[.]lee＠example[.]com" in done["text"], "defanged as all it quotes"


async def test_one_message_with_everything_opens_a_complete_ticket(chat) -> None:  # type: ignore[no-untyped-def]
    customer = await chat()
    opened = await _answer(customer, f"麻烦开一张发票，订单号{ORDER}，抬头：{COMPANY} 税号91330106MA2XXXXXX 发到 abc@qq.com")
    assert opened["ticket"]["type"] == "invoice"
    assert f"发票抬头：{COMPANY}" in opened["text"] and "请告诉我们" not in opened["text"], opened["text"]
