"""The text a ticket's summary shows: the message without the contact details in it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nlp.entities import find_entities
from nlp.intents import vague_fault
from nlp.normalize import normalize, widened
from nlp.placeholders import summary_of

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def _summary(text: str) -> str:
    clean = normalize(text)
    return summary_of(clean, find_entities(clean, NOW).spans)


@pytest.mark.parametrize("text, expected", [
    ("家里的空调不制冷了，型号KFR-35GW，电话13912345678，地址北京市朝阳区建国路88号 3单元502",
     "家里的空调不制冷了，型号KFR-35GW"),
    ("地址是上海市浦东新区张江路100号，热水器显示E4，联系人王女士 13912345678。", "热水器显示E4"),
    ("收件人：李明 13912345678 北京市海淀区中关村大街1号 空调漏水", "空调漏水"),
    ("热水器坏了（显示E4），电话13912345678", "热水器坏了（显示E4）"),
    ("我的手机号是13812345678，洗衣机漏水了，请尽快上门！", "洗衣机漏水了，请尽快上门！"),
    ("my phone is +1 415-555-2671, the dishwasher leaks", "The dishwasher leaks"),
    ("The dishwasher leaks. Call me at +1 415-555-2671", "The dishwasher leaks"),
    ("在吗？热水器打不着火，电话13912345678", "热水器打不着火"),
    ("您好，我家洗衣机不脱水了", "我家洗衣机不脱水了"),
    ("客服你好 冰箱不制冷", "冰箱不制冷"), ("客服态度恶劣，挂我电话", ""), ("客服，冰箱不制冷", "冰箱不制冷"),
    ("亲，衣服小了想换", "衣服小了想换"),
    ("Hi, my dishwasher is leaking water", "My dishwasher is leaking water"),
])
def test_an_opening_greeting_contact_details_and_their_labels_are_left_out(text: str, expected: str) -> None:
    assert _summary(text) == expected


@pytest.mark.parametrize("text", ["洗衣机不脱水了", "订单号12345678901234 还没发货", "13912345678", "你好", "hello",
                                  "亲戚家的空调坏了", "his phone broke"])
def test_nothing_to_leave_out_or_nothing_else_is_no_summary(text: str) -> None:
    """"": the ticket's text is its own summary (an order number is what the message is about, not a contact; 亲
    and hi only as words of their own)."""
    assert _summary(text) == ""


@pytest.mark.parametrize("text, product", [
    ("我家洗衣机坏了😭", "洗衣机"), ("空调出问题了", "空调"), ("家里的冰箱坏掉了[大哭]", "冰箱"), ("洗衣机又坏了吧", "洗衣机"),
    ("空调", "空调"), ("my dishwasher is broken", "dishwasher"), ("My dishwasher's broken again!", "dishwasher"),
    ("the fridge doesn't work", "fridge"),
    ("洗衣机坏了，不脱水", None), ("洗衣机：不脱水，一直响", None), ("Dishwasher: it leaks from the door", None),
    ("洗衣机坏了，师傅什么时候来", None), ("冰箱和洗衣机都坏了", None), ("坏了", None), ("it's broken", None),
])
def test_a_summary_saying_only_that_a_product_is_out_of_order_is_vague(text: str, product: str | None) -> None:
    """Such a summary names the product it is about, which heads the problem once the customer tells it."""
    assert vague_fault(text) == product


def test_widened_restores_chinese_punctuation_only_beside_chinese() -> None:
    assert widened("空调坏了,型号KFR-35GW,E4:a;b 好吗?(急)") == "空调坏了，型号KFR-35GW,E4:a;b 好吗？（急）"
    assert widened("坏了(显示E4) <script>alert(1)</script>") == "坏了（显示E4）<script>alert(1)</script>"
    assert widened("洗衣机不脱水了 ,一直响 。") == "洗衣机不脱水了，一直响。"
