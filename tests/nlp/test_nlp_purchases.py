"""When a device was bought, as customers tell it: resolved against the message time at the precision said."""
from datetime import datetime, timezone

import pytest

from nlp.entities import extract_entities
from nlp.purchases import purchase_dates

NOW = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)  # Thursday 3 December, 15:00 in China


@pytest.mark.parametrize(("text", "said"), [
    ("洗衣机去年双十一买的，不脱水了", "2025-11-11"),
    ("去年双十一在京东买的，用了不到一个月就坏了", "2025-11-11"),
    ("今年618买的", "2026-06-18"),
    ("11月5号买的", "2026-11-05"),
    ("2024年5月份买的", "2024-05"),
    ("3月份买的", "2026-03"),
    ("上个月买的", "2026-11"),
    ("上周三买的", "2026-11-25"),
    ("前天刚下的单", "2026-12-01"),
    ("去年买的", "2025"),
    ("买了不到一个月就坏了", "2026-11"),
    ("刚买三天", "2026-11-30"),
    ("三个月前买的", "2026-09"),
    ("洗衣机买了半年", "2026-06"),
    ("用了两年多了", "2024"),
    ("I bought it in March", "2026-03"),
    ("my dishwasher, bought in march 2025, leaks", "2025-03"),
    ("bought this fridge 2 months ago", "2026-10"),
    ("I ordered it two weeks ago", "2026-11-19"),
    ("purchased in 2024", "2024"),
])
def test_a_purchase_date_is_read_at_the_precision_said(text: str, said: str) -> None:
    assert purchase_dates(text, NOW) == (said,)


@pytest.mark.parametrize("text", ["空调不制冷了", "明天下午来修", "买的时候说保修三年", "买了一年的延保", "用了半天就不转了",
                                  "12月5号上午来修", "下个月买", "I want to buy another one"])
def test_no_purchase_date_where_none_is_told(text: str) -> None:
    assert purchase_dates(text, NOW) == ()


def test_a_purchase_date_is_no_appointment_and_an_appointment_no_purchase_date() -> None:
    entities = extract_entities("买了三天就坏了，12月5号上午来修吧", NOW)
    assert entities.purchase_dates == ("2026-11-30",)
    assert [t.start.date().isoformat() for t in entities.times] == ["2026-12-05"]
