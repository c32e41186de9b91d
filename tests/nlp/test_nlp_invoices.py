"""What an invoice needs, read from the customer's words: the title, the buyer's tax id, the e-mail for an
electronic invoice, and whether an invoice is to be issued at all — and nothing of it read into a model number, an
order number or a phone."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nlp import understanding as u
from nlp.entities import extract_entities
from nlp.invoices import credit_code
from nlp.normalize import normalize
from nlp.placeholders import masked

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


def entities(text: str) -> u.Entities:
    return extract_entities(normalize(text), NOW)


def test_title_tax_id_and_email_in_one_message() -> None:
    found = entities("抬头：杭州某某科技有限公司 税号91330106MA2XXXXXX 发到 abc@qq.com")
    assert found.invoice_titles == ("杭州某某科技有限公司",)
    assert found.tax_ids == ("91330106MA2XXXXXX",)
    assert found.emails == ("abc@qq.com",)
    assert (found.models, found.order_numbers, found.phones, found.addresses) == ((), (), (), ())


@pytest.mark.parametrize(("text", "title"), [
    ("麻烦开一张发票，抬头是上海某某科技有限公司，电话13900007777", "上海某某科技有限公司"),
    ("发票开给北京某某软件股份有限公司，谢谢", "北京某某软件股份有限公司"),
    ("单位名称：浙江省某某研究所", "浙江省某某研究所"),
    ("抬头写成杭州市第一人民医院", "杭州市第一人民医院"),
    ("抬头换成某某集团", "某某集团"),
    ("开个人发票就行", "个人"),
    ("发票抬头：个人", "个人"),
    ("抬头：张伟", "张伟"),
    ("invoice title: Acme Trading Co., Ltd.", "Acme Trading Co., Ltd."),
    ("please make it out to John Smith", "John Smith"),
    ("Invoice title is personal", "personal"),
])
def test_the_title_after_its_label(text: str, title: str) -> None:
    assert entities(text).invoice_titles == (title,)


@pytest.mark.parametrize("text", [
    "发票抬头写错了", "发票开错了，抬头要改成公司名称", "开给我们公司", "我在某某科技有限公司上班，冰箱坏了",
    "I need an invoice made out to our company", "抬头：稍等我查一下",
])
def test_no_title_where_none_is_named(text: str) -> None:
    assert entities(text).invoice_titles == ()


@pytest.mark.parametrize(("text", "tax_id"), [
    ("税号91310115MA1K4ABC12", "91310115MA1K4ABC12"),
    ("纳税人识别号：91330106MA2B3C4D5E", "91330106MA2B3C4D5E"),
    ("统一社会信用代码是 91350100m000100y43", "91350100M000100Y43"),
    ("tax ID 91310115MA1K4ABC12", "91310115MA1K4ABC12"),
    ("VAT number: 913101157178123456", "913101157178123456"),
    ("公司是91350100M000100Y43，开专票", "91350100M000100Y43"),
])
def test_a_tax_id_after_its_label_or_a_valid_credit_code_alone(text: str, tax_id: str) -> None:
    found = entities(text)
    assert found.tax_ids == (tax_id,)
    assert (found.models, found.order_numbers, found.serial_numbers) == ((), (), ())


def test_a_credit_code_is_checked_by_its_last_character() -> None:
    assert credit_code("91350100M000100Y43")
    assert not credit_code("91350100M000100Y44")
    assert not credit_code("913501000000100143"), "all digits: an order number"


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("型号KFR-35GW/BP3A1234567", "models", "KFR-35GW/BP3A1234567"),
    ("机器上写着 BCD508WKPZM2026X11", "models", "BCD508WKPZM2026X11"),
    ("订单号289374651029384756", "order_numbers", "289374651029384756"),
    ("289374651029384756", "order_numbers", "289374651029384756"),
    ("电话13812345678", "phones", "13812345678"),
])
def test_models_orders_and_phones_stay_what_they_are(text: str, kind: str, value: str) -> None:
    found = entities(text)
    assert getattr(found, kind) == (value,)
    assert (found.tax_ids, found.invoice_titles, found.emails) == ((), (), ())


def test_a_phone_number_mailbox_is_an_email_not_a_phone() -> None:
    found = entities("电子发票发到13812345678@163.com，电话13900001111")
    assert found.emails == ("13812345678@163.com",)
    assert found.phones == ("13900001111",)


@pytest.mark.parametrize(("text", "asked"), [
    ("我要开发票", ("开发票",)), ("帮我补开一张发票", ("补开一张发票",)), ("发票需要重开", ("重开",)),
    ("我想换抬头", ("换抬头",)), ("能开专票吗", ("开专票",)), ("please issue a VAT invoice", ("issue a VAT invoice",)),
    ("发票还没收到", ()), ("发票寄到哪了", ()), ("where is my invoice", ()),
    ("订单号4200001111222233，要开公司抬头", ("开公司抬头",)), ("抬头开给我们公司", ("抬头开给",)),
    ("发票抬头是什么", ()),
])
def test_what_asks_for_an_invoice_to_be_issued(text: str, asked: tuple[str, ...]) -> None:
    assert entities(text).invoice_requests == asked


@pytest.mark.parametrize(("text", "expecting", "field", "value"), [
    ("个人", "title", "invoice_titles", "个人"),
    ("个人的就行", "title", "invoice_titles", "个人"),
    ("杭州某某科技有限公司", "title", "invoice_titles", "杭州某某科技有限公司"),
    ("王芳", "title", "invoice_titles", "王芳"),
    ("Acme Trading Ltd", "title", "invoice_titles", "Acme Trading Ltd"),
    ("91330106MA2XXXXXX", "tax_id", "tax_ids", "91330106MA2XXXXXX"),
    ("913301061234567890", "tax_id", "tax_ids", "913301061234567890"),
])
def test_the_answer_to_the_question_is_the_detail(understander, text: str, expecting: str, field: str,
                                                   value: str) -> None:
    said = understander.understand(text, now=NOW, expecting=expecting)
    assert said.intent == u.ADD_DETAIL
    assert getattr(said.entities, field) == (value,)


def test_the_title_answered_before_the_rest(understander) -> None:
    said = understander.understand("杭州某某科技有限公司，税号91330106MA2XXXXXX", now=NOW, expecting="title")
    assert said.intent == u.ADD_DETAIL
    assert (said.entities.invoice_titles, said.entities.tax_ids) == (("杭州某某科技有限公司",), ("91330106MA2XXXXXX",))


def test_an_organisation_just_before_its_tax_id_is_the_title() -> None:
    found = entities("订单号4200001234567890，杭州某某科技有限公司 税号91330106MA2XXXXXX")
    assert found.invoice_titles == ("杭州某某科技有限公司",)
    assert entities("我在杭州某某科技有限公司上班，税号是多少来着").invoice_titles == ()


@pytest.mark.parametrize("text", ["稍等", "好的", "谢谢"])
def test_small_talk_is_no_title(understander, text: str) -> None:
    said = understander.understand(text, now=NOW, expecting="title")
    assert said.entities.invoice_titles == () and said.intent != u.ADD_DETAIL


def test_without_a_title_to_give_the_customer_says_so(understander) -> None:
    assert understander.understand("没有", now=NOW, expecting="title").intent == u.NO_DETAIL
    assert understander.understand("不知道", now=NOW, expecting="tax_id").intent == u.NO_DETAIL


def test_the_details_alone_add_to_the_ticket(understander) -> None:
    assert understander.understand("tax ID 91310115MA1K4ABC12", now=NOW).intent == u.ADD_DETAIL
    assert understander.understand("税号91330106MA2XXXXXX 发到 abc@qq.com", now=NOW).intent == u.ADD_DETAIL


def test_the_type_model_reads_a_title_and_an_email_as_written() -> None:
    assert masked("抬头是上海某某科技有限公司，发到abc@qq.com") == "抬头是上海某某科技有限公司，发到abc@qq.com"
