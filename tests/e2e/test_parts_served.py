"""Spare parts through the served hub, with technicians on the WeCom fake and the alerts room on the Slack fake, on
SQLite and PostgreSQL: two technicians finish jobs that each used the last pump at the same moment — one job is done
and the stock is 0, the other technician is told the part is gone — and the supervisors hear of the low stock once."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from testkit.email_peers import wait_until
from testkit.parts import import_catalogue

REPAIR = "洗衣机不脱水了，序列号SN5550001，电话13812345678，地址上海市浦东新区张江路100号3栋"


def _texts(staffed, user: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.get("markdown", {}).get("content", "") or b.get("text", {}).get("content", "")
            for b in staffed.wecom_sent(user)]


async def _job_on_site(staffed, session: str, technician: str,  # type: ignore[no-untyped-def]
                       report: str = REPAIR) -> tuple[str, Any]:
    """A job accepted and worked on site with one PUMP-01 reported used: its code, and the customer's chat (kept
    open: the job's notices go to it)."""
    customer = await staffed.chat(session)
    await customer.say(report)
    code = (await customer.next())["ticket"]["id"]
    await staffed.settled()
    for step in (f"接单 {code}", f"出发 {code}", f"到达 {code}", f"用料 {code} PUMP-01 1"):
        assert await staffed.wecom(technician, step) == 200
        await staffed.settled()
    return code, customer


@pytest.mark.parametrize("served_database", ["sqlite", "postgresql"], indirect=True)
async def test_the_last_part_goes_to_one_of_two_jobs_and_low_stock_alerts_once(  # type: ignore[no-untyped-def]
        messaging_hub, served_database: str, tmp_path: Path) -> None:
    staffed = messaging_hub
    catalogue = tmp_path / "parts.csv"
    await import_catalogue(served_database, catalogue, "sku,name,stock,low_stock\nPUMP-01,排水泵,1,1\n")
    first, _one = await _job_on_site(staffed, "customerwebchat000011", "wangshifu")
    second, _two = await _job_on_site(staffed, "customerwebchat000012", "lishifu")

    results = await asyncio.gather(staffed.wecom("wangshifu", f"完工 {first}"),
                                   staffed.wecom("lishifu", f"完工 {second}"))
    assert results == [200, 200]
    await staffed.settled()
    statuses = {code: (await staffed.api("GET", f"/tickets/{code}"))[1]["status"] for code in (first, second)}
    assert sorted(statuses.values()) == ["on_site", "resolved"], statuses
    loser = "wangshifu" if statuses[first] == "on_site" else "lishifu"
    assert any("库存不足" in text for text in _texts(staffed, loser))
    status, part = await staffed.api("GET", "/parts/PUMP-01")
    assert (status, part["stock"]) == (200, 0)
    [used] = [m for m in part["movements"] if m["reason"] == "used"]
    winner = first if statuses[first] == "resolved" else second
    assert (used["ticket"], used["device"], used["delta"]) == (winner, "SN5550001", -1)
    alerts = [m for m in staffed.slack_sent("C0ALERTS") if "PUMP-01" in m["text"]]
    assert len(alerts) == 1 and "排水泵" in alerts[0]["text"]
    await wait_until(lambda: sum("库存预警" in t for t in _texts(staffed, "chenzhuguan")) == 1)


async def test_a_missing_part_holds_the_job_until_it_arrives(messaging_hub, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staffed = messaging_hub
    url = staffed.hub.config.database.url
    catalogue = tmp_path / "parts.csv"
    await import_catalogue(url, catalogue, "sku,name,stock,low_stock\nPUMP-01,排水泵,0,1\n")
    code, _customer = await _job_on_site(staffed, "customerwebchat000013", "wangshifu")
    assert await staffed.wecom("wangshifu", f"缺料 {code} PUMP-01") == 200
    await staffed.settled()
    ticket: dict[str, Any] = (await staffed.api("GET", f"/tickets/{code}"))[1]
    assert ticket["status"] == "pending_parts"
    assert any("缺料" in t and code in t for t in _texts(staffed, "chenzhuguan"))
    await import_catalogue(url, catalogue, "sku,name,stock,low_stock\nPUMP-01,排水泵,4,1\n")
    await wait_until(lambda: any("已到货" in t for t in _texts(staffed, "wangshifu")))
    assert (await staffed.api("GET", f"/tickets/{code}"))[1]["status"] == "on_site"


@pytest.mark.parametrize("served_database", ["sqlite", "postgresql"], indirect=True)
async def test_parts_replaced_are_the_devices_history_and_the_customers_service_cost(  # type: ignore[no-untyped-def]
        messaging_hub, served_database: str, tmp_path: Path) -> None:
    staffed = messaging_hub
    catalogue = tmp_path / "parts.csv"
    await import_catalogue(served_database, catalogue, "sku,name,stock,low_stock,price\n"
                           "PUMP-01,排水泵,5,0,¥120.50\nBELT-02,皮带,5,0,35\nSCREW-3,螺丝,50,0,\n")
    code, _customer = await _job_on_site(staffed, "customerwebchat000014", "wangshifu")
    assert await staffed.wecom("wangshifu", f"用料 {code} BELT-02 2 SCREW-3 4") == 200
    assert await staffed.wecom("wangshifu", f"完工 {code}") == 200
    await staffed.settled()

    status, device = await staffed.api("GET", "/devices/SN5550001")
    assert status == 200 and [t["id"] for t in device["history"]] == [code]
    cost = device["service_cost"]
    assert [(x["ticket"], x["item"], x["quantity"], x["unit_price"], x["amount"]) for x in cost["lines"]] == [
        (code, "PUMP-01", 1, "120.50", "120.50"), (code, "BELT-02", 2, "35.00", "70.00"),
        (code, "SCREW-3", 4, None, None)]
    assert {x["device"] for x in cost["lines"]} == {"SN5550001"}
    assert (cost["total"], cost["by_kind"], cost["unpriced"]) == ("190.50", {"parts": "190.50"}, ["SCREW-3"])
    customer_id = (await staffed.api("GET", f"/tickets/{code}"))[1]["customer"]["id"]
    status, customer = await staffed.api("GET", f"/customers/{customer_id}")
    assert status == 200 and customer["service_cost"] == cost
    assert (await staffed.api("GET", "/parts/PUMP-01"))[1]["price"] == "120.50"

    await import_catalogue(served_database, catalogue, "sku,name,stock,low_stock,price\nPUMP-01,排水泵,4,0,\n")
    assert (await staffed.api("GET", "/parts/PUMP-01"))[1]["price"] == "120.50"
