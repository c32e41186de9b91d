"""Durations as people write them in config: "2s", "15m", "4h", "3d" (also "1h30m")."""
from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def parse_duration(value: str | int | float) -> timedelta:
    """Parse a duration; bare numbers are seconds. Raises ValueError naming the bad value."""
    days, rest = parse_days(value)
    return timedelta(days=days) + rest


def parse_days(value: str | int | float) -> tuple[float, timedelta]:
    """Split a duration into the days written with `d` and the rest ("1d4h" → 1, 4 h).

    A business calendar's day is its business hours, not 24 hours, so "3d" there means three workdays: the caller
    needs to know which part was written in days. Raises ValueError naming the bad value.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"negative duration: {value}")
        return 0.0, timedelta(seconds=value)
    text = str(value).strip().lower().replace(" ", "")
    if not text:
        raise ValueError("empty duration")
    pos, days, seconds = 0, 0.0, 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        amount, unit = float(match.group(1)), match.group(2)
        if unit == "d":
            days += amount
        else:
            seconds += amount * _UNITS[unit]
        pos = match.end()
    if pos != len(text):
        raise ValueError(f"bad duration {value!r}: use e.g. 2s, 15m, 4h, 3d")
    return days, timedelta(seconds=seconds)
