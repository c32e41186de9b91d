"""Devices in the field and their warranty; the rows of a device archive as after-sales teams keep it in spreadsheets.

Pure Python: a row is checked here (serial, phone, dates in the usual Chinese formats, warranty months) so the CLI,
the API and the tests agree on what a good row is. Errors name the column, the reader adds the line.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Warranty(StrEnum):
    IN = "in"
    OUT = "out"
    UNKNOWN = "unknown"


SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{2,63}$")
"""What a serial may look like once trimmed and upper-cased: 3-64 letters, digits and . _ / - (no spaces)."""
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
MAX_WARRANTY_MONTHS = 600
_DATE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
"""2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日 (spreadsheets may add a midnight time)."""


class RowError(ValueError):
    """A cell that is not right: `column` names it, the message says why."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceSpec:
    """One checked row of the archive: `serial` normalized; `customer_phone` empty when the row names no owner."""

    serial: str
    model: str = ""
    product: str = ""
    customer_name: str = ""
    customer_phone: str = ""
    address: str = ""
    purchase_date: date | None = None
    warranty_months: int | None = None

    @property
    def warranty_end(self) -> date | None:
        return warranty_end(self.purchase_date, self.warranty_months)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceView:
    id: int
    serial: str
    model: str
    product: str
    customer_id: int | None
    address: str
    purchase_date: date | None
    warranty_months: int | None
    warranty_end: date | None
    source: str

    def warranty(self, today: date) -> Warranty:
        return warranty_on(self.warranty_end, today)


def normalize_serial(text: str) -> str:
    """A serial as stored and compared: trimmed, upper-case; raises `RowError` when it cannot be one."""
    serial = (text or "").strip().upper()
    if not serial:
        raise RowError("serial", "required")
    if not SERIAL.match(serial):
        raise RowError("serial", f"{text.strip()!r} is not a serial (3-64 letters, digits, . _ / -)")
    return serial


def parse_date(text: str, column: str = "purchase_date") -> date | None:
    """A date as people write it in China (2024-03-01, 2024/3/1, 2024年3月1日); empty → None."""
    text = (text or "").strip()
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        raise RowError(column, f"{text!r} is not a date (2024-03-01, 2024/3/1 or 2024年3月1日)")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise RowError(column, f"{text!r} is not a day of the calendar") from None


def parse_months(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or int(text) > MAX_WARRANTY_MONTHS:
        raise RowError("warranty_months", f"{text!r} is not a number of months (0-{MAX_WARRANTY_MONTHS})")
    return int(text)


def parse_phone(text: str) -> str:
    phone = (text or "").strip()
    if phone.endswith(".0"):
        phone = phone[:-2]
    if phone and not PHONE.match(phone):
        raise RowError("customer_phone", f"{phone!r} is not a phone number")
    return phone.replace(" ", "").replace("-", "")


def device_spec(cells: dict[str, str]) -> DeviceSpec:
    """One row (column → cell text) checked; raises `RowError` naming the first bad column."""
    spec = DeviceSpec(serial=normalize_serial(cells.get("serial", "")),
                      model=_text(cells, "model", 100).upper(), product=_text(cells, "product", 100),
                      customer_name=_text(cells, "customer_name", 200),
                      customer_phone=parse_phone(cells.get("customer_phone", "")),
                      address=_text(cells, "address", 300), purchase_date=parse_date(cells.get("purchase_date", "")),
                      warranty_months=parse_months(cells.get("warranty_months", "")))
    if spec.customer_name and not spec.customer_phone:
        raise RowError("customer_phone", "required when customer_name is given (customers are found by phone)")
    return spec


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_end(purchased: date | None, months: int | None) -> date | None:
    """The last covered day: a 12-month warranty bought on 2024-03-01 covers up to 2025-02-28."""
    if purchased is None or months is None:
        return None
    return add_months(purchased, months) - timedelta(days=1)


def warranty_on(end: date | None, today: date) -> Warranty:
    if end is None:
        return Warranty.UNKNOWN
    return Warranty.IN if today <= end else Warranty.OUT


def _text(cells: dict[str, str], column: str, limit: int) -> str:
    value = " ".join((cells.get(column) or "").split())
    if len(value) > limit:
        raise RowError(column, f"longer than {limit} characters")
    return value
