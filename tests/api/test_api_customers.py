"""Customers and devices through `/api/v1`: staff bind a channel account, merge two customers (identities, devices,
tickets move; on the audit log) and undo it; a merge with themself or twice is refused and nothing moves; a device's
page shows its owner, warranty and history; staff name a ticket's device."""
from __future__ import annotations

from datetime import date

from core.clock import SystemClock
from core.domain.devices import DeviceSpec
from core.services.unit import Services

REPAIR = "洗衣机不脱水了，一直响，地址上海市浦东新区张江路100号3栋"


async def _archive(api, *specs: DeviceSpec) -> None:  # type: ignore[no-untyped-def]
    async with api.hub.sessions() as session, session.begin():
        await Services.in_transaction(session, SystemClock()).devices.import_specs(list(specs))


async def test_bind_merge_and_undo(api) -> None:  # type: ignore[no-untyped-def]
    await _archive(api, DeviceSpec(serial="SN-B-1", model="KFR35", customer_name="乙", customer_phone="13900000002",
                                   purchase_date=date(2019, 1, 1), warranty_months=12))
    kept = (await api.phoned_in(REPAIR, phone="13900000001", name="甲"))["customer"]["id"]
    status, found = await api.get("/customers?phone=13900000002")
    [other] = found["items"]
    assert other["phone_verified"] is True and other["merged_into"] is None
    moved_ticket = await api.phoned_in("空调不制冷了 地址上海市徐汇区漕溪北路1号", phone="13900000002")
    assert moved_ticket["customer"]["id"] == other["id"], "a phoned-in ticket finds the archive's customer"
    status, bound = await api.post(f"/customers/{other['id']}/identities",
                                   {"channel": "email", "external_id": "Yi@Example.test"}, role="agent")
    assert status == 201 and bound["external_id"] == "yi@example.test"
    status, taken = await api.post(f"/customers/{kept}/identities", {"channel": "email",
                                                                      "external_id": "yi@example.test"})
    assert status == 409 and "merge" in taken["error"]["message"]

    assert (await api.post(f"/customers/{kept}/merges", {"source": other["id"]}, role="agent"))[0] == 403
    status, refused = await api.post(f"/customers/{kept}/merges", {"source": kept}, role="supervisor")
    assert status == 400 and "themself" in refused["error"]["message"]
    assert (await api.post(f"/customers/{kept}/merges", {"source": 999999}, role="supervisor"))[0] == 404
    status, merged = await api.post(f"/customers/{kept}/merges", {"source": other["id"], "reason": "同一人"},
                                    role="supervisor")
    assert status == 201 and merged["moved"]["tickets"] and merged["actor"] == "api:dashboard"
    status, whole = await api.get(f"/customers/{kept}")
    assert {i["external_id"] for i in whole["identities"]} == {"yi@example.test"}
    assert [(d["serial"], d["warranty"]) for d in whole["devices"]] == [("SN-B-1", "out")]
    assert moved_ticket["id"] in [t["id"] for t in whole["tickets"]] and [m["id"] for m in whole["merges"]] == [
        merged["id"]]
    status, ticket = await api.get(f"/tickets/{moved_ticket['id']}")
    assert ticket["customer"]["id"] == kept and ticket["events"][-1]["kind"] == "customer_merged"
    assert (await api.get("/customers?phone=13900000002"))[1]["items"] == [], "a merged record is not listed"
    assert (await api.post(f"/customers/{kept}/merges", {"source": other["id"]}, role="supervisor"))[0] == 409

    status, undone = await api.post(f"/merges/{merged['id']}/undo", role="supervisor")
    assert status == 200 and undone["undone_by"] == "api:dashboard"
    status, back = await api.get(f"/customers/{other['id']}")
    assert back["merged_into"] is None and [d["serial"] for d in back["devices"]] == ["SN-B-1"]
    assert {i["external_id"] for i in back["identities"]} == {"yi@example.test"}
    assert [t["id"] for t in back["tickets"]] == [moved_ticket["id"]]
    status, again = await api.post(f"/merges/{merged['id']}/undo", role="supervisor")
    assert status == 409 and "undone already" in again["error"]["message"]
    assert (await api.post("/merges/424242/undo", role="supervisor"))[0] == 404


async def test_a_devices_page_and_staff_naming_a_tickets_device(api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in(REPAIR, phone="13800000009")
    assert ticket["device"] is None
    status, bad = await api.post(f"/tickets/{ticket['id']}/device", {"serial": "a b"})
    assert status == 400 and "serial" in bad["error"]["message"]
    assert (await api.post("/tickets/SR-20200101-0001/device", {"serial": "SN-X-1"}))[0] == 404
    status, named = await api.post(f"/tickets/{ticket['id']}/device", {"serial": "sn-x-1", "model": "xqg80"},
                                   role="agent")
    assert status == 200 and named["device"] == {"serial": "SN-X-1", "model": "XQG80", "warranty": "unknown"}
    status, device = await api.get("/devices/SN-X-1")
    assert status == 200 and device["source"] == "staff" and device["customer"]["phone"] == "13800000009"
    assert [t["id"] for t in device["history"]] == [ticket["id"]]
    assert (await api.get("/devices/not%20a%20serial"))[0] == 404
