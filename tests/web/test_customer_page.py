"""One customer's console page in headless Chromium against a served hub: opened from a ticket, it shows the
archive's device with its warranty, the ticket, the survey answer and the parts priced into the total service cost;
an agent binds a channel account to a customer known only from an import (one taken by someone else is explained),
and a supervisor merges another record in and undoes it."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.devices_cli import import_devices
from bot.devices_file import read_devices_file
from bot.parts_cli import import_parts, read_parts_file
from core.clock import CHINA_TZ
from core.storage.models import Staff, Survey, Ticket
from tests.web.test_console_browser import (  # noqa: F401 - fixtures for this module
    browser, database_url, expect, open_page, pytestmark, sign_in)


async def _served_customer(api, tmp_path: Path) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """A customer the device import made (no channel), a ticket phoned in for their washer, a pump fitted on the
    job and a survey answered: (ticket code, customer id)."""
    url = api.hub.config.database.url
    bought = (api.hub.clock.now().astimezone(CHINA_TZ) - timedelta(days=30)).date().isoformat()
    devices = tmp_path / "devices.csv"
    devices.write_text("serial,model,product,customer_name,customer_phone,address,purchase_date,warranty_months\n"
                       f"SN-C360-1,XQG80,洗衣机,李四,13900001111,上海市浦东新区张江路1号,{bought},24\n", "utf-8")
    await import_devices(url, read_devices_file(devices))
    parts = tmp_path / "parts.csv"
    parts.write_text("sku,name,stock,low_stock,price\nPUMP-01,排水泵,3,0,120.50\n", "utf-8")
    await import_parts(url, parts, read_parts_file(parts))
    ticket = await api.phoned_in("洗衣机不脱水了，一直响", phone="13900001111", name="李四")
    status, _ = await api.post(f"/tickets/{ticket['id']}/device", {"serial": "SN-C360-1"})
    assert status == 200
    async with api.hub.sessions() as session, session.begin():
        services = api.hub.services(session)
        job = await services.tickets.get(ticket["id"])
        technician = await session.scalar(select(Staff.id).where(Staff.role == "technician").limit(1))
        await services.parts.report_used(job, [("PUMP-01", 1)], actor=f"technician:{technician}")
        await services.parts.consume(job, technician, actor=f"technician:{technician}")
        row = await session.scalar(select(Ticket).where(Ticket.code == ticket["id"]))
        now = api.hub.clock.now()
        session.add(Survey(ticket_id=row.id, customer_id=row.customer_id, channel="webchat", conversation="-",
                           recipient="-", status="answered", step="done", csat=5, nps=9, comment="师傅很专业",
                           created_at=now, answered_at=now))
    return ticket["id"], ticket["customer"]["id"]


async def test_the_customer_page_from_a_ticket(open_page, api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, customer_id = await _served_customer(api, tmp_path)
    page = await open_page(f"/console?ticket={code}")
    await sign_in(page, "agent")
    await expect(page.get_by_test_id("ticket-code")).to_have_text(code)
    await page.get_by_test_id("customer-link").click()
    await expect(page).to_have_url(f"{api.server.make_url('/console/customers/')}{customer_id}")
    await expect(page.get_by_test_id("customer-name")).to_have_text(f"客户 {customer_id}：李四")
    await expect(page.get_by_test_id("customer-phone")).to_have_text("电话：13900001111（已核实）")
    await expect(page.get_by_test_id("identities")).to_contain_text("验证码无法送达")
    device = page.get_by_test_id("device")
    await expect(device).to_have_attribute("data-warranty", "in")
    await expect(device).to_contain_text("SN-C360-1")
    await expect(device).to_contain_text("在保")
    await expect(page.get_by_test_id("customer-ticket")).to_contain_text(code)
    await expect(page.get_by_test_id("scores")).to_contain_text("满意度 5 · NPS 9 · 师傅很专业")
    await expect(page.get_by_test_id("cost-total")).to_have_text("¥120.50 (配件 ¥120.50)")
    await expect(page.get_by_test_id("cost-lines")).to_contain_text(f"{code} · 排水泵（PUMP-01）× 1 · ¥120.50 · SN-C360-1")
    await expect(page.get_by_test_id("merge")).to_be_hidden()

    await page.get_by_test_id("bind-channel").select_option("email")
    await page.get_by_test_id("bind-account").fill("LiSi@Example.com")
    await page.get_by_test_id("bind-submit").click()
    await expect(page.get_by_test_id("identities")).to_contain_text("lisi@example.com")
    _, record = await api.get(f"/customers/{customer_id}")
    assert [(i["channel"], i["external_id"]) for i in record["identities"]] == [("email", "lisi@example.com")]

    await page.get_by_test_id("customer-ticket").click()
    await expect(page.get_by_test_id("ticket-code")).to_have_text(code)


async def test_a_taken_account_is_explained_and_a_merge_undone(open_page, api, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, owner = await _served_customer(api, tmp_path)
    assert (await api.post(f"/customers/{owner}/identities", {"channel": "email", "external_id": "lisi@example.com"}))[0] == 201
    other = (await api.phoned_in("热水器不出热水", phone="13900002222", name="李四"))["customer"]["id"]

    page = await open_page(f"/console/customers/{other}")
    await sign_in(page, "agent")
    await page.get_by_test_id("bind-channel").select_option("email")
    await page.get_by_test_id("bind-account").fill("lisi@example.com")
    await page.get_by_test_id("bind-submit").click()
    await expect(page.get_by_test_id("bind-explain")).to_contain_text(f"customer {owner}")
    await expect(page.get_by_test_id("bind-explain")).to_contain_text("合并到此客户")

    boss = await open_page(f"/console/customers/{owner}")
    await sign_in(boss, "supervisor")
    await boss.get_by_test_id("merge-source").fill(str(other))
    await boss.get_by_test_id("merge-reason").fill("同一人两个号码")
    await boss.get_by_test_id("merge-submit").click()
    await expect(boss.get_by_test_id("merges")).to_contain_text(f"客户 {other} 由")
    await expect(boss.get_by_test_id("customer-ticket")).to_have_count(2)
    await boss.get_by_test_id("undo-merge").click()
    await expect(boss.get_by_test_id("merges")).to_contain_text("已撤销")
    await expect(boss.get_by_test_id("customer-ticket")).to_have_count(1)
