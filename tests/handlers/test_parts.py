"""Spare parts in chat: `用料` records parts on a job (several lines), `完工` takes them from stock (van first, then
the warehouse) onto the ledger with ticket and device, the last part goes to one job only, low stock alerts the
supervisors once per crossing, and `缺料` holds a job (SLA paused, supervisors alerted) until the part arrives."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.import_cli import EXIT_USAGE
from bot.parts_cli import import_parts, read_parts_file
from bot.cli import main
from core.storage.models import PartMovement, PartStock
from tests.handlers.test_dispatch_flow import _open, _templates

REPAIR_WITH_SERIAL = "洗衣机不脱水了，序列号SN12345678，电话13812345678，地址上海市浦东新区张江路100号3栋"


async def _stock(desk, tmp_path: Path, text: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "parts.csv"
    path.write_text(text, "utf-8")
    await import_parts(str(desk.hub.engine.url.render_as_string(hide_password=False)), path, read_parts_file(path))


async def _on_site(desk, customer: str = "web:c1", technician: str = "wangshifu",  # type: ignore[no-untyped-def]
                   text: str = REPAIR_WITH_SERIAL) -> str:
    code, _ = await _open(desk, text, customer=customer)
    holder = "wangshifu" if (await desk.ticket(code)).assignee_id == await desk.staff_id("王师傅") else "lishifu"
    if holder != technician:
        await desk.say("wecom", "chenzhuguan", f"转派 {code} {'王师傅' if technician == 'wangshifu' else '李师傅'}")
    for step in (f"接单 {code}", f"出发 {code}", f"到达 {code}"):
        await desk.say("wecom", technician, step)
    return code


async def _quantities(desk, sku: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        return dict((await session.execute(select(PartStock.location, PartStock.quantity).where(
            PartStock.sku == sku))).tuples().all())


async def test_parts_used_are_taken_from_stock_on_completion_onto_the_ledger(desk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await _stock(desk, tmp_path, "sku,name,stock,low_stock,location\npump-01,排水泵,5,1,\nBELT-2,皮带,10,2,\n"
                                 "PUMP-01,排水泵,1,1,van:王师傅\n")
    code = await _on_site(desk)
    [reply] = await desk.say("wecom", "wangshifu", f"用料 {code} PUMP-01 2\nBELT-2 ×1个")
    assert reply["template"] == "parts_recorded"
    assert [(p["sku"], p["quantity"]) for p in reply["data"]["parts"]] == [("PUMP-01", 2), ("BELT-2", 1)]
    [reply] = await desk.say("wecom", "wangshifu", f"parts {code} belt-2")
    assert [(p["sku"], p["quantity"]) for p in reply["data"]["parts"]] == [("PUMP-01", 2), ("BELT-2", 2)]
    wang = await desk.staff_id("王师傅")
    out = await desk.say("wecom", "wangshifu", "完工 换了排水泵和皮带")
    assert out[0]["template"] == "job_status"
    assert [(p["sku"], p["quantity"]) for p in out[0]["data"]["parts"]] == [("PUMP-01", 2), ("BELT-2", 2)]
    assert await _quantities(desk, "PUMP-01") == {"warehouse:main": 3, f"van:{wang}": 1}, \
        "the van had one, not two: both came from the warehouse"
    async with desk.hub.sessions() as session:
        used = list(await session.scalars(select(PartMovement).where(PartMovement.reason == "used")
                                          .order_by(PartMovement.id)))
    assert [(m.sku, m.delta, m.balance, m.actor, m.device_serial) for m in used] == [
        ("PUMP-01", -2, 3, f"technician:{wang}", "SN12345678"), ("BELT-2", -2, 8, f"technician:{wang}", "SN12345678")]
    ticket_id = (await desk.ticket(code)).id
    assert all(m.ticket_id == ticket_id for m in used)


async def test_the_last_part_goes_to_one_job_and_low_stock_alerts_once_per_crossing(desk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await _stock(desk, tmp_path, "sku,name,stock,low_stock\nPUMP-01,排水泵,2,1\n")
    first = await _on_site(desk, "web:c1", "wangshifu")
    second = await _on_site(desk, "web:c2", "lishifu")
    third = await _on_site(desk, "web:c3", "wangshifu")
    for technician, code in (("wangshifu", first), ("lishifu", second), ("wangshifu", third)):
        await desk.say("wecom", technician, f"用料 {code} PUMP-01 1")
    out = await desk.say("wecom", "wangshifu", f"完工 {first}")
    assert [o["template"] for o in out if o["template"] == "low_stock_alert"] == ["low_stock_alert"]
    alert = next(o for o in out if o["template"] == "low_stock_alert")
    assert (alert["recipient"], alert["data"]["stock"], alert["data"]["low_stock"]) == ("chenzhuguan", 1, 1)
    out = await desk.say("wecom", "lishifu", f"完工 {second}")
    assert "low_stock_alert" not in _templates(out), "once per crossing"
    [refused] = await desk.say("wecom", "wangshifu", f"完工 {third}")
    assert (refused["template"], refused["data"]["sku"]) == ("part_out_of_stock", "PUMP-01")
    assert (await desk.ticket(third)).status == "on_site"
    assert await _quantities(desk, "PUMP-01") == {"warehouse:main": 0}

    out = await desk.say("wecom", "wangshifu", f"缺料 {third} PUMP-01")
    assert _templates(out)[0] == "parts_short_done" and "parts_shortage_alert" in _templates(out)
    assert "ticket_progress" in _templates(out)
    ticket = await desk.ticket(third)
    assert ticket.status == "pending_parts" and ticket.clock_stopped_at is not None

    await _stock(desk, tmp_path, "sku,name,stock,low_stock\nPUMP-01,排水泵,3,1\n")
    assert (await desk.ticket(third)).status == "on_site", "the part arriving resumes the job"
    out = await desk.say("wecom", "wangshifu", f"完工 {third}")
    assert "low_stock_alert" not in _templates(out), "3 → 2 is above the level"
    fourth = await _on_site(desk, "web:c4", "wangshifu")
    await desk.say("wecom", "wangshifu", f"用料 {fourth} PUMP-01 1")
    out = await desk.say("wecom", "wangshifu", f"完工 {fourth}")
    assert "low_stock_alert" in _templates(out), "restocked above the level, then down again: a new crossing"


async def test_unknown_parts_bad_lines_and_jobs_not_under_way(desk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await _stock(desk, tmp_path, "sku,name,stock,low_stock\nPUMP-01,排水泵,2,1\n")
    code, _ = await _open(desk, REPAIR_WITH_SERIAL)
    [reply] = await desk.say("wecom", "wangshifu", f"用料 {code} PUMP-01 1")
    assert (reply["template"], reply["data"]["command"]) == ("job_illegal", "parts_used")
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    [reply] = await desk.say("wecom", "wangshifu", f"用料 {code} PUMP-99 1")
    assert (reply["template"], reply["data"]["sku"]) == ("part_unknown", "PUMP-99")
    [reply] = await desk.say("wecom", "wangshifu", f"用料 {code} 两个")
    assert (reply["template"], reply["data"]["word"]) == ("parts_bad_line", "两个")
    [reply] = await desk.say("wecom", "lishifu", f"用料 {code} PUMP-01 1")
    assert reply["template"] == "ticket_not_visible"
    [reply] = await desk.say("slack", "U0TECHWANG", f"parts {code}")
    assert (reply["template"], reply["locale"]) == ("parts_bad_line", "en")


@pytest.mark.parametrize(("rows", "problem"), [
    ("sku,name,stock,low_stock\nPUMP-01,排水泵,2,1\nBELT-2,皮带,many,1\n", "parts.csv:3"),
    ("sku,name,stock,low_stock,price\nPUMP-01,排水泵,2,1,12.5\nBELT-2,皮带,1,1,12.345\n", "parts.csv:3: price:"),
])
def test_parts_import_refuses_a_bad_row_naming_its_line(tmp_path, capsys, rows: str,  # type: ignore[no-untyped-def]
                                                         problem: str) -> None:
    path = tmp_path / "parts.csv"
    path.write_text(rows, "utf-8")
    config = tmp_path / "aftersales.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n', "utf-8")
    assert main(["parts", "import", "--config", str(config), str(path)]) == EXIT_USAGE
    assert problem in capsys.readouterr().err
