"""What a technician writes after `用料 SR-…` / `缺料 SR-…`: SKUs, each with an optional quantity (`PUMP-01 2`,
`PUMP-01 x2`, `PUMP-01 ×2个`), on one line or several. SKUs are compared upper-cased, as the catalogue stores them.
A word right after a SKU that reads as a quantity is one (so a SKU like `X3` must come first or after a quantity)."""
from __future__ import annotations

import re

from core.domain.tickets import TICKET_ID

MAX_QUANTITY = 999
_QUANTITY = re.compile(r"^[x×*]?(\d{1,3})(?:个|件|只|pcs)?$", re.IGNORECASE)
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")
_SPLIT = re.compile(r"[\s,，;；、]+")
_COMMAND_WORDS = {"用料", "缺料", "PARTS", "USED", "SHORT", "MISSING", "PART"}


class BadPartLine(ValueError):
    """A word that is neither a SKU nor a quantity (or a quantity with no SKU before it)."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def sku_of(text: str) -> str:
    return text.strip().upper()


def parse_parts(text: str) -> list[tuple[str, int]]:
    """(SKU, quantity) in the order written; a SKU without a quantity counts one, the same SKU twice adds up.
    Command words and ticket ids repeated on later lines are skipped."""
    lines: dict[str, int] = {}
    last = ""
    for word in _SPLIT.split(text.strip()):
        if not word or word.upper() in _COMMAND_WORDS or TICKET_ID.fullmatch(word.upper()):
            continue
        quantity = _QUANTITY.match(word)
        if quantity and last:
            count = int(quantity.group(1))
            if not 0 < count <= MAX_QUANTITY:
                raise BadPartLine(word)
            lines[last] += count - 1
            last = ""
            continue
        sku = sku_of(word)
        if not _SKU.match(sku) or sku.isdigit():
            raise BadPartLine(word)
        lines[sku] = lines.get(sku, 0) + 1
        last = sku
    return list(lines.items())
