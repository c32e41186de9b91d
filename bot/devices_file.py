"""Reading a device archive exported from a spreadsheet: CSV (UTF-8, with or without a BOM, or GBK/GB18030 as Excel
on a Chinese Windows saves it) or an Excel workbook (.xlsx, first sheet). Headers are the contract's English names or
the Chinese ones teams use; every bad cell is reported with its line and column, and one bad row rejects the file."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from core.domain.devices import DeviceSpec, RowError, device_spec

COLUMNS = ("serial", "model", "product", "customer_name", "customer_phone", "address", "purchase_date",
           "warranty_months")
ALIASES = {"序列号": "serial", "sn": "serial", "机身号": "serial", "型号": "model", "产品": "product",
           "产品名称": "product", "客户姓名": "customer_name", "客户": "customer_name", "姓名": "customer_name",
           "客户电话": "customer_phone", "电话": "customer_phone", "手机": "customer_phone", "手机号": "customer_phone",
           "地址": "address", "安装地址": "address", "购买日期": "purchase_date", "购机日期": "purchase_date",
           "保修月数": "warranty_months", "保修期(月)": "warranty_months", "保修期（月）": "warranty_months"}
MAX_ERRORS = 20


class DevicesFileError(ValueError):
    """The file cannot be imported; `problems` are the lines to show, each naming the line and the column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_devices_file(path: Path) -> list[DeviceSpec]:
    """Every row checked; raises `DevicesFileError` listing the problems (up to `MAX_ERRORS`) if any row is bad."""
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
        header = next(rows, None)
    except (OSError, ValueError) as exc:
        raise DevicesFileError([f"{path}: {exc}"]) from None
    if header is None:
        raise DevicesFileError([f"{path}: the file is empty"])
    columns = _columns(path, header)
    specs: list[DeviceSpec] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for line, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            problems.append(f"{path}: line {line}: {len(cells)} cells, the header has {len(columns)}")
            continue
        try:
            spec = device_spec({name: cells[i] if i < len(cells) else "" for i, name in enumerate(columns) if name})
        except RowError as exc:
            problems.append(f"{path}: line {line}, column {exc}")
        else:
            first = seen.setdefault(spec.serial, line)
            if first != line:
                problems.append(f"{path}: line {line}, column serial: {spec.serial} is also on line {first}")
            specs.append(spec)
        if len(problems) >= MAX_ERRORS:
            problems.append(f"{path}: stopped after {MAX_ERRORS} problems")
            break
    if problems:
        raise DevicesFileError(problems)
    return specs


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) if it is; else GB18030, the superset of GBK and GB2312 that Chinese Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValueError(f"neither UTF-8 nor GBK text (byte {exc.start})") from None


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = decode(path.read_bytes())
    return iter(csv.reader(io.StringIO(text, newline="")))


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise ValueError(f"not an Excel workbook ({exc})") from None
    sheet = book.worksheets[0]
    return ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))


def _cell(value: object) -> str:
    """Excel cells as the CSV export would write them: dates as YYYY-MM-DD, whole numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(path: Path, header: list[str]) -> list[str]:
    """The column each header cell names ("" for columns that are not imported); `serial` is required."""
    names = []
    for cell in header:
        key = cell.strip().lower().replace(" ", "_")
        names.append(key if key in COLUMNS else ALIASES.get(cell.strip(), ALIASES.get(key, "")))
    if "serial" not in names:
        raise DevicesFileError([f"{path}: line 1: no serial column (the header needs {', '.join(COLUMNS)})"])
    doubled = sorted({n for n in names if n and names.count(n) > 1})
    if doubled:
        raise DevicesFileError([f"{path}: line 1: column {doubled[0]} appears twice"])
    return names
