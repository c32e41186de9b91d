"""The holidays file: official schedules for years `chinese-calendar` does not know yet.

```toml
# 国务院办公厅关于2027年部分节假日安排的通知
[2027]
holidays = ["2027-01-01", "2027-02-06", ...]   # days off besides weekends (dates as text or TOML dates)
workdays = ["2027-02-07", ...]                 # 调休: weekend days that are worked
```
"""
from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.domain.workdays import YearSchedule

KEY = "sla.holidays_file"


def load_holidays(path: str | Path) -> dict[int, YearSchedule]:
    """Read and check the file; a ValueError names the key, the file and the table or date at fault."""
    try:
        raw = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ValueError(f"{KEY}: cannot read {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{KEY}: {path} is not valid TOML: {exc}") from exc
    return {year: schedule for year, schedule in (_year(path, name, table) for name, table in raw.items())}


def _year(path: str | Path, name: str, table: Any) -> tuple[int, YearSchedule]:
    where = f"{KEY}: {path} [{name}]"
    if not (name.isdigit() and len(name) == 4):
        raise ValueError(f"{where}: tables are years, e.g. [2027]")
    if not isinstance(table, dict):
        raise ValueError(f"{where}: must be a table with holidays = [...] and workdays = [...]")
    unknown = set(table) - {"holidays", "workdays"}
    if unknown:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]} (expected holidays, workdays)")
    year = int(name)
    holidays = _dates(where, year, "holidays", table.get("holidays", []))
    workdays = _dates(where, year, "workdays", table.get("workdays", []))
    if not holidays:
        raise ValueError(f"{where}: lists no holidays; every official schedule has some")
    both = sorted(holidays & workdays)
    if both:
        raise ValueError(f"{where}: {both[0]} is both a holiday and a workday")
    return year, YearSchedule(holidays=holidays, workdays=workdays)


def _dates(where: str, year: int, key: str, values: Any) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError(f"{where}: {key} must be a list of dates")
    days = set()
    for number, value in enumerate(values, 1):
        day = _date(value)
        if day is None:
            raise ValueError(f"{where}: {key}[{number}] = {value!r} is not a date (YYYY-MM-DD)")
        if day.year != year:
            raise ValueError(f"{where}: {key}[{number}] = {day} is not in {year}")
        days.add(day)
    return frozenset(days)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None
