"""The text a ticket's summary shows: the message without the contact details in it."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nlp.entities import find_entities
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
    ("客服你好 冰箱不制冷", "冰箱不制冷"),
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


def test_widened_restores_chinese_punctuation_only_beside_chinese() -> None:
    assert widened("空调坏了,型号KFR-35GW,E4:a;b 好吗?(急)") == "空调坏了，型号KFR-35GW,E4:a;b 好吗？（急）"
    assert widened("坏了(显示E4) <script>alert(1)</script>") == "坏了（显示E4）<script>alert(1)</script>"
    assert widened("洗衣机不脱水了 ,一直响 。") == "洗衣机不脱水了，一直响。"
