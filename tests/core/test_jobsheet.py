"""Labour as technicians write it, and job sheet totals: amounts in whole fen, free in warranty only."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.domain.jobsheet import LABOUR, PARTS, BadLabour, JobLine, JobSheet, hours, labour_cents, parse_labour


@pytest.mark.parametrize(("text", "minutes"), [("1.5", 90), ("2", 120), ("1.25h", 75), ("2 小时", 120),
                                               ("0.5个小时", 30), ("90分钟", 90), ("45 min", 45), ("24", 1440)])
def test_labour_is_read_in_hours_or_minutes(text: str, minutes: int) -> None:
    assert parse_labour(text) == minutes


@pytest.mark.parametrize("text", ["", "一会儿", "0", "0分钟", "25", "1500分钟", "1.555", "-1", "1.5 换泵"])
def test_anything_else_is_not_a_working_time(text: str) -> None:
    with pytest.raises(BadLabour):
        parse_labour(text)


def test_labour_is_priced_to_the_nearest_fen() -> None:
    assert (hours(90), labour_cents(90, 8000)) == (Decimal("1.50"), 12000)
    assert (hours(20), labour_cents(20, 8050)) == (Decimal("0.33"), 2683)


@pytest.mark.parametrize(("warranty", "charged"), [("in", 0), ("out", 22000), ("unknown", 22000)])
def test_only_a_device_in_warranty_is_free_to_the_customer(warranty: str, charged: int) -> None:
    lines = (JobLine(kind=PARTS, item="PUMP-01", name="排水泵", quantity=Decimal(1), unit_cents=10000,
                     amount_cents=10000),
             JobLine(kind=PARTS, item="SCREW-3", name="螺丝", quantity=Decimal(4), unit_cents=None, amount_cents=None),
             JobLine(kind=LABOUR, item=LABOUR, name="", quantity=Decimal("1.50"), unit_cents=8000, amount_cents=12000))
    sheet = JobSheet(ticket="SR-20261130-0001", lines=lines, warranty=warranty, serial="SN1", warranty_end=None,
                     as_of=date(2026, 11, 30))
    assert (sheet.total_cents, sheet.cost_of(PARTS), sheet.cost_of(LABOUR)) == (22000, 10000, 12000)
    assert (sheet.charged_cents, sheet.free, sheet.unpriced) == (charged, warranty == "in", ["SCREW-3"])
