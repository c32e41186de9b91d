"""`GET /api/v1/parts/{sku}` on both stores: the part, its stock per place and its ledger; 404 for an unknown SKU."""
from __future__ import annotations

from core.services.parts import PartRow
from core.services.unit import Services


async def test_a_part_shows_its_stock_per_place_and_its_ledger(api) -> None:  # type: ignore[no-untyped-def]
    async with api.hub.sessions() as session, session.begin():
        parts = Services.in_transaction(session, api.hub.clock).parts
        wang = await parts.place("van:王师傅")
        await parts.import_rows([PartRow("PUMP-01", "排水泵", 5, 2), PartRow("PUMP-01", "排水泵", 1, 2, wang)],
                                actor="cli:parts")
        await parts.import_rows([PartRow("PUMP-01", "排水泵", 4, 2)], actor="cli:parts")
    status, part = await api.get("/parts/pump-01", role="agent")
    assert status == 200
    assert (part["sku"], part["name"], part["stock"], part["low_stock"]) == ("PUMP-01", "排水泵", 5, 2)
    assert part["locations"] == {"warehouse:main": 4, wang: 1}
    assert [(m["location"], m["delta"], m["balance"], m["reason"]) for m in part["movements"]] == [
        ("warehouse:main", -1, 4, "stocktake"), (wang, 1, 1, "stocktake"), ("warehouse:main", 5, 5, "stocktake")]
    assert all(m["actor"] == "cli:parts" and m["ticket"] is None for m in part["movements"])
    status, body = await api.get("/parts/NOPE-1")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert (await api.get("/parts/PUMP-01", role=None))[0] == 401
