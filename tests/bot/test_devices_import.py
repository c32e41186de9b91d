"""`aftersales devices import FILE.csv|.xlsx`: the archive upserted by serial; GBK files and Chinese dates read; a bad
row (or a serial twice) exits 2 naming the line and column, and nothing is imported."""
from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.cli import EXIT_OK, EXIT_USAGE, main
from core.clock import SystemClock
from core.domain.devices import DeviceView
from core.services.unit import Services
from core.storage.db import create_engine, session_factory

HEADER = "serial,model,product,customer_name,customer_phone,address,purchase_date,warranty_months\n"


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "aftersales.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "hub.db"}"\n', "utf-8")
    return path


def _devices(tmp_path: Path, *serials: str) -> dict[str, tuple[DeviceView | None, str]]:
    """Each serial's device and its owner's phone."""
    async def read() -> dict[str, tuple[DeviceView | None, str]]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
        found = {}
        async with session_factory(engine)() as session:
            services = Services.in_transaction(session, SystemClock())
            for serial in serials:
                device = await services.devices.by_serial(serial)
                owner = device and device.customer_id and await services.people.phone_of(device.customer_id)
                found[serial] = (device, owner or "")
        await engine.dispose()
        return found
    return asyncio.run(read())


def test_a_gbk_file_with_chinese_dates_imports_and_a_second_file_updates_by_serial(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    first = tmp_path / "archive.csv"
    first.write_bytes(("序列号,型号,产品,客户姓名,客户电话,地址,购买日期,保修月数\n"
                       "SN-1001,xqg80,滚筒洗衣机,张三,13812345678,上海市浦东新区张江路100号,2024-03-01,24\n"
                       "sn-1002,KFR-35GW,空调,李四,139 0000 0000,北京市朝阳区,2024/3/1,12\n"
                       "SN-1003,,,,,,2024年3月1日,\n"
                       "SN-1004,,燃气灶（镕）,张三,13812345678,,,\n").encode("gbk"))
    assert main(["devices", "import", str(first), "--config", str(config)]) == EXIT_OK
    assert "4 added, 0 updated, 2 new customers" in capsys.readouterr().out
    found = _devices(tmp_path, "SN-1001", "sn-1002", "SN-1003", "SN-1004")
    washer, owner = found["SN-1001"]
    assert washer is not None and (washer.model, washer.product, owner) == ("XQG80", "滚筒洗衣机", "13812345678")
    assert (washer.purchase_date, washer.warranty_end) == (date(2024, 3, 1), date(2026, 2, 28))
    assert found["sn-1002"][0].warranty_end == date(2025, 2, 28) and found["sn-1002"][1] == "13900000000"
    assert found["SN-1003"][0].purchase_date == date(2024, 3, 1) and found["SN-1003"][0].warranty_end is None
    assert found["SN-1004"][0].customer_id == washer.customer_id and found["SN-1004"][0].product == "燃气灶（镕）"
    second = tmp_path / "update.csv"
    second.write_text(HEADER + "SN-1001,,,,,,,36\nSN-2001,AB-1,热水器,王五,13700000000,,2025-01-31,1\n", "utf-8-sig")
    assert main(["devices", "import", str(second), "--config", str(config)]) == EXIT_OK
    assert "1 added, 1 updated, 1 new customers" in capsys.readouterr().out
    found = _devices(tmp_path, "SN-1001", "SN-2001")
    assert found["SN-1001"][0].model == "XQG80" and found["SN-1001"][0].warranty_months == 36
    assert found["SN-1001"][1] == "13812345678", "an empty cell keeps what the archive knew"
    assert found["SN-2001"][0].warranty_end == date(2025, 2, 27)


def test_an_excel_workbook_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["SN-3001", "XQG80", "洗衣机", "赵六", 13612345678, "", date(2023, 5, 6), 12])
    path = tmp_path / "archive.xlsx"
    book.save(path)
    assert main(["devices", "import", str(path), "--config", str(_config(tmp_path))]) == EXIT_OK
    assert "1 added" in capsys.readouterr().out
    device, owner = _devices(tmp_path, "SN-3001")["SN-3001"]
    assert device is not None and owner == "13612345678" and device.warranty_end == date(2024, 5, 5)


@pytest.mark.parametrize(("rows", "problems"), [
    ("SN 1,X,,,,,,\n", ["line 3, column serial: 'SN 1' is not a serial"]),
    ("SN-100,X,,,,,2024-02-30,12\n", ["line 3, column purchase_date: '2024-02-30' is not a day of the calendar"]),
    ("SN-100,X,,,,,03/01/2024,12\n", ["line 3, column purchase_date: '03/01/2024' is not a date"]),
    ("SN-100,X,,,,,,十二\n", ["line 3, column warranty_months: '十二' is not a number of months"]),
    ("SN-100,X,,张三,,,,\n", ["line 3, column customer_phone: required when customer_name is given"]),
    ("SN-100,X,,,,,,\nSN-200,X,,,,,,\nsn-100,Y,,,,,,\n", ["line 5, column serial: SN-100 is also on line 3"]),
    ("SN-100,X,,,,,,\n,X,,,,,,\nSN-300,X,,,,,,,extra\n",
     ["line 4, column serial: required", "line 5: 9 cells, the header has 8"]),
])
def test_a_bad_row_exits_2_naming_line_and_column_and_nothing_is_imported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, problems: list[str]) -> None:
    path = tmp_path / "archive.csv"
    path.write_text(HEADER + "SN-OK-1,X,,,,,,\n" + rows, "utf-8")
    assert main(["devices", "import", str(path), "--config", str(_config(tmp_path))]) == EXIT_USAGE
    err = capsys.readouterr().err
    for problem in problems:
        assert f"archive.csv: {problem}" in err, err
    assert "nothing imported" in err
    assert not (tmp_path / "hub.db").exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"model,product\nX,Y\n", "line 1: no serial column"),
    (b"serial,SN\nA,B\n", "line 1: column serial appears twice"),
    (b"serial\n\xff\xfe\xfa\n", "neither UTF-8 nor GBK"),
])
def test_a_file_that_is_not_an_archive_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
                                               message: str) -> None:
    path = tmp_path / "archive.csv"
    path.write_bytes(content)
    assert main(["devices", "import", str(path), "--config", str(_config(tmp_path))]) == EXIT_USAGE
    assert message in capsys.readouterr().err
