"""A job sheet: the spare parts and the labour that went into a job, priced, and who pays for them. The device's
warranty on the day the job was reported decides: in warranty the customer pays nothing (the lines keep their cost,
which the company bears); out of warranty, or with no device or no warranty known, the customer pays the catalogue
price of the parts and the labour at the configured hourly rate. Amounts are whole fen (see `core.domain.money`).

Labour is reported in hours (`工时 SR-… 1.5`, `1.5h`, `1.5小时`) or minutes (`90分钟`, `90min`), kept in minutes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.domain.devices import Warranty

PARTS = "parts"
"""The kind of a line for spare parts used on a job."""
LABOUR = "labour"
"""The kind of a line for a technician's working time on a job (its item is `LABOUR` too)."""
IN_WARRANTY = Warranty.IN.value
MAX_MINUTES = 24 * 60
"""The most one report may add: a day's work."""
_HOURS = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\s*(?:h|hrs?|hours?|小时|个小时|钟头)?$", re.IGNORECASE)
_MINUTES = re.compile(r"^(\d{1,4})\s*(?:m|mins?|minutes?|分钟|分)$", re.IGNORECASE)


class BadLabour(ValueError):
    """Not a working time: neither hours nor minutes, or nothing, or more than a day."""


def parse_labour(text: str) -> int:
    """Minutes in `1.5`, `1.5h`, `2小时`, `90分钟`, `45min`; `BadLabour` otherwise (or for 0, or over a day)."""
    words = text.strip().replace("：", " ").split()
    written = "".join(words)
    if hours := _HOURS.match(written):
        minutes = int((Decimal(hours.group(1)) * 60).to_integral_value())
    elif found := _MINUTES.match(written):
        minutes = int(found.group(1))
    else:
        raise BadLabour(text)
    if not 0 < minutes <= MAX_MINUTES:
        raise BadLabour(text)
    return minutes


def hours(minutes: int) -> Decimal:
    """Minutes as hours with two decimals: 90 → 1.50."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def labour_cents(minutes: int, rate_cents: int) -> int:
    """What `minutes` cost at `rate_cents` an hour, to the nearest fen (halves up)."""
    return (rate_cents * minutes + 30) // 60


@dataclass(frozen=True, slots=True)
class JobLine:
    """One line: `quantity` pieces of a part (its SKU as `item`), or hours of labour; `unit_cents` None while the
    catalogue has no price for the part."""

    kind: str
    item: str
    name: str
    quantity: Decimal
    unit_cents: int | None
    amount_cents: int | None


@dataclass(frozen=True, slots=True)
class JobSheet:
    """The lines of one job with the warranty that decides who pays (`in`, `out` or `unknown`, as of `as_of`)."""

    ticket: str
    lines: tuple[JobLine, ...]
    warranty: str
    serial: str
    warranty_end: date | None
    as_of: date

    @property
    def total_cents(self) -> int:
        """What the job cost at list prices (priced lines only)."""
        return sum(line.amount_cents or 0 for line in self.lines)

    def cost_of(self, kind: str) -> int:
        return sum(line.amount_cents or 0 for line in self.lines if line.kind == kind)

    @property
    def free(self) -> bool:
        """In warranty: the customer pays nothing."""
        return self.warranty == IN_WARRANTY

    @property
    def charged_cents(self) -> int:
        """What the customer pays."""
        return 0 if self.free else self.total_cents

    @property
    def unpriced(self) -> list[str]:
        """Parts on the sheet the catalogue has no price for (left out of the totals)."""
        return [line.item for line in self.lines if line.unit_cents is None]
