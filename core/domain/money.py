"""Amounts of money as the hub keeps them: whole fen (1/100 yuan), never floats; read from the way spreadsheets
write yuan (`35`, `35.5`, `¥35.50`, `35元`) and shown as yuan with two decimals."""
from __future__ import annotations

import re

_YUAN = re.compile(r"^[¥￥]?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*元?$")


def cents_of(text: str) -> int:
    """Fen in a yuan amount; `ValueError` for anything that is not a non-negative amount with at most 2 decimals."""
    found = _YUAN.match(text.strip().replace(",", ""))
    if found is None:
        raise ValueError(f"{text!r} is not an amount in yuan (like 35 or 35.50)")
    whole, fraction = found.groups()
    return int(whole) * 100 + int((fraction or "0").ljust(2, "0"))


def yuan(cents: int) -> str:
    """`3550` → `"35.50"`."""
    return f"{cents // 100}.{cents % 100:02d}"
