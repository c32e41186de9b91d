"""The job sheet through the served hub (technicians on the WeCom fake, the customer in the web chat), on SQLite and
PostgreSQL: parts used and labour reported on a job are priced — parts at the catalogue price, labour at
`[pricing] labour_rate` — and the device's warranty decides who pays: the technician's confirmation, the customer's
completion notice and the API's `job_sheet` say free under warranty, or the amount out of it."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.devices_cli import import_devices
from core.domain.devices import DeviceSpec
from testkit.parts import import_catalogue
from tests.e2e.test_parts_served import _job_on_site, _texts

REPAIR = "洗衣机不脱水了，序列号{serial}，电话1381234567{n}，地址上海市浦东新区张江路10{n}号"


@pytest.fixture
def staffed_settings() -> dict[str, Any]:
    return {"pricing": {"labour_rate": "80"}}


async def _done_job(staffed, n: int, serial: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A job on `serial` with a pump, two belts and 1.5 hours of labour, finished; its code and what the customer
    was told when it was done."""
    code, customer = await _job_on_site(staffed, f"customerwebchat00002{n}", "wangshifu",
                                        REPAIR.format(serial=serial, n=n))
    for step in (f"用料 {code} BELT-02 2", f"工时 {code} 1.5", f"完工 {code} 已更换排水泵"):
        assert await staffed.wecom("wangshifu", step) == 200
        await staffed.settled()
    while "问题解决了吗" not in (told := (await customer.next())["text"]):
        pass
    return code, told


@pytest.mark.parametrize("served_database", ["sqlite", "postgresql"], indirect=True)
async def test_warranty_decides_whether_the_customer_pays_for_parts_and_labour(  # type: ignore[no-untyped-def]
        messaging_hub, served_database: str, tmp_path: Path) -> None:
    staffed = messaging_hub
    catalogue = tmp_path / "parts.csv"
    await import_catalogue(served_database, catalogue,
                           "sku,name,stock,low_stock,price\nPUMP-01,排水泵,5,0,120.50\nBELT-02,皮带,9,0,35\n")
    today = date.today()
    await import_devices(served_database, [
        DeviceSpec(serial="SN7770001", model="XQG80", purchase_date=today - timedelta(days=365),
                   warranty_months=36),
        DeviceSpec(serial="SN7770002", model="XQG80", purchase_date=today - timedelta(days=4 * 365),
                   warranty_months=12)])

    covered, told = await _done_job(staffed, 1, "SN7770001")
    assert "保内免费" in told and "工时 1.50 小时" in told and "¥310.50" in told, told
    assert any("保内免费" in t and covered in t for t in _texts(staffed, "wangshifu"))
    status, ticket = await staffed.api("GET", f"/tickets/{covered}")
    sheet = ticket["job_sheet"]
    assert status == 200 and [(x["kind"], x["item"], x["quantity"], x["unit_price"], x["amount"])
                              for x in sheet["lines"]] == [("parts", "PUMP-01", "1", "120.50", "120.50"),
                                                           ("parts", "BELT-02", "2", "35.00", "70.00"),
                                                           ("labour", "labour", "1.50", "80.00", "120.00")]
    assert (sheet["total"], sheet["parts"], sheet["labour"], sheet["charged"], sheet["free"], sheet["warranty"],
            sheet["device"]) == ("310.50", "190.50", "120.00", "0.00", True, "in", "SN7770001")

    paid, told = await _done_job(staffed, 2, "SN7770002")
    assert "应付：¥310.50" in told and "已过保修期" in told and "保内免费" not in told, told
    sheet = (await staffed.api("GET", f"/tickets/{paid}"))[1]["job_sheet"]
    assert (sheet["charged"], sheet["free"], sheet["warranty"]) == ("310.50", False, "out")
    assert any("工时 1.50 小时" in t and paid in t for t in _texts(staffed, "wangshifu")), "the 工时 answer"


async def test_labour_that_is_not_a_working_time_is_refused(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    staffed = messaging_hub
    customer = await staffed.chat("customerwebchat000029")
    await customer.say(REPAIR.format(serial="SN7770009", n=9))
    code = (await customer.next())["ticket"]["id"]
    await staffed.settled()
    for step in (f"接单 {code}", f"工时 {code} 一会儿", f"工时 {code} 30小时"):
        assert await staffed.wecom("wangshifu", step) == 200
        await staffed.settled()
    assert sum("没看懂工时" in t for t in _texts(staffed, "wangshifu")) == 2
    sheet = (await staffed.api("GET", f"/tickets/{code}"))[1]["job_sheet"]
    assert (sheet["lines"], sheet["charged"], sheet["warranty"]) == ([], "0.00", "unknown")
