"""What service cost: every priced line recorded against a customer's or a device's jobs. Today the
lines are the spare parts taken from stock for a job (the parts ledger's `used` movements) at the catalogue's unit
price; each other kind of line (labour, say) is one more query in `_lines` and shows up in every total. One job's
sheet — its parts and labour priced, and who pays under the warranty — is `core.services.jobsheet`; line kinds are
those of `core.domain.jobsheet`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.devices import DeviceView
from core.domain.jobsheet import PARTS
from core.services.parts import USED
from core.storage.models import Part, PartMovement, Ticket



@dataclass(frozen=True, slots=True)
class CostLine:
    """One thing charged on a job: `quantity` × `unit_cents` (None while it has no price)."""

    ticket: str
    kind: str
    item: str
    name: str
    quantity: int
    unit_cents: int | None
    at: datetime
    device: str

    @property
    def amount_cents(self) -> int | None:
        return None if self.unit_cents is None else self.unit_cents * self.quantity


@dataclass(frozen=True, slots=True)
class Costs:
    """Lines oldest first, with the total of the priced ones, per kind and together."""

    lines: list[CostLine]

    @property
    def total_cents(self) -> int:
        return sum(self.by_kind.values())

    @property
    def by_kind(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for line in self.lines:
            kinds[line.kind] = kinds.get(line.kind, 0) + (line.amount_cents or 0)
        return kinds

    @property
    def unpriced(self) -> list[str]:
        """Items charged without a price (the total leaves them out), each once."""
        return list(dict.fromkeys(line.item for line in self.lines if line.unit_cents is None))


class CostService:
    def __init__(self, *, session: AsyncSession) -> None:
        self._session = session

    async def of_customer(self, customer_id: int) -> Costs:
        """Everything charged on the customer's tickets."""
        return await self._lines(Ticket.customer_id == customer_id)

    async def of_device(self, device: DeviceView) -> Costs:
        """Everything charged on tickets about the device, and parts the ledger says went into it on any ticket."""
        return await self._lines(Ticket.device_id == device.id, PartMovement.device_serial == device.serial)

    async def _lines(self, *wheres: ColumnElement[Any]) -> Costs:
        """The lines any of `wheres` selects, each once: one indexed query per condition rather than an OR that
        no index serves."""
        found: dict[int, CostLine] = {}
        for where in wheres:
            used = (select(PartMovement.id, Ticket.code, PartMovement.sku, Part.name, PartMovement.delta,
                           Part.price_cents, PartMovement.at, PartMovement.device_serial)
                    .join(Ticket, Ticket.id == PartMovement.ticket_id).join(Part, Part.sku == PartMovement.sku)
                    .where(PartMovement.reason == USED, where))
            for row_id, code, sku, name, delta, price, at, device in (await self._session.execute(used)).all():
                found[row_id] = CostLine(ticket=code, kind=PARTS, item=sku, name=name, quantity=-delta,
                                         unit_cents=price, at=at, device=device)
        return Costs([found[row_id] for row_id in sorted(found)])
