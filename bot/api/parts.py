"""`/parts/{sku}`: one spare part — catalogue entry, stock per place and the ledger of its movements."""
from __future__ import annotations

from bot.api import schemas as s
from bot.api.errors import not_found
from bot.api.operations import Call, Operation
from bot.api.views import money
from core.domain.parts import sku_of


async def get_part(call: Call) -> s.PartOut:
    async with call.reading() as services:
        part = await services.parts.view(sku_of(call.path["sku"]))
    if part is None:
        raise not_found(f"part {call.path['sku']}")
    return s.PartOut(sku=part.sku, name=part.name, stock=part.stock, low_stock=part.low_stock,
                     price=money(part.price_cents), locations=part.locations,
                     movements=[s.PartMovementOut(at=m.at, location=m.location, delta=m.delta, balance=m.balance,
                                                  reason=m.reason, actor=m.actor, ticket=m.ticket, device=m.device)
                                for m in part.movements])


OPERATIONS = (
    Operation(method="GET", path="/parts/{sku}", summary="One spare part: stock per warehouse and van, and its ledger",
              tag="parts", role="agent", handler=get_part, response=s.PartOut, errors=(404,)),
)
