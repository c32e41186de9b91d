"""Amounts in yuan as spreadsheets write them, kept as whole fen and shown with two decimals."""
from __future__ import annotations

import pytest

from core.domain.money import cents_of, yuan


@pytest.mark.parametrize(("written", "cents"), [("35", 3500), ("35.5", 3550), ("¥35.50", 3550), ("￥ 1,200.05", 120005),
                                                 ("0", 0), ("12元", 1200)])
def test_yuan_as_written_become_fen(written: str, cents: int) -> None:
    assert cents_of(written) == cents
    assert yuan(cents) == f"{cents // 100}.{cents % 100:02d}"


@pytest.mark.parametrize("written", ["-3", "12.345", "abc", "", "3.5.1"])
def test_what_is_not_an_amount_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        cents_of(written)
