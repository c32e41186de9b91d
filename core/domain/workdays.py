"""Which days are workdays in mainland China: public holidays and 调休 make-up workdays included.

The State Council publishes each year's schedule late in the year before, so the `chinese-calendar` package only
knows the years up to its release. Newer official schedules come from the operator's holidays file; a year that
neither knows falls back to Monday–Friday, with one loud warning per year instead of a crash.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Mapping, Protocol

import chinese_calendar

log = logging.getLogger(__name__)


class Workdays(Protocol):
    def is_workday(self, day: date) -> bool: ...


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: days off besides weekends, and weekend days worked instead (调休)."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


class ChinaWorkdays:
    """The holidays file first (it may also correct a year the package knows), then `chinese-calendar`, then Mon–Fri.

    The hub builds one per configuration, so the fallback warning appears once per process and year.
    """

    def __init__(self, official: Mapping[int, YearSchedule] | None = None) -> None:
        self._official = dict(official or {})
        self._warned: set[int] = set()

    def is_workday(self, day: date) -> bool:
        schedule = self._official.get(day.year)
        if schedule is not None:
            return schedule.is_workday(day)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self._warn(day.year)
            return day.weekday() < 5

    def _warn(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        log.warning("SLA calendar: no official holiday schedule for %d (chinese-calendar does not know that year and "
                    "[sla] holidays_file has no [%d] table); counting Monday to Friday as workdays, so due times "
                    "around that year's public holidays and 调休 days will be wrong. Add the State Council's %d "
                    "schedule to the holidays file.", year, year, year)
