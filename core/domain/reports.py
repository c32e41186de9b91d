"""The daily and weekly summaries posted to the alert rooms: when each goes out and which local days it covers.
Pure rules on `[reports]`; the timers that send them and the figures live in services.

A report is named by its kind and the local date it goes out on (`daily 2026-12-01` covers 30 November; `weekly
2026-11-30`, on a Monday, covers the seven days before it). That name is its timer's key, so each report goes out
once ever, whichever process fires it and however often the hub restarts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REPORT_LOCALES = ("zh", "en")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


SPAN = {ReportKind.DAILY: 1, ReportKind.WEEKLY: 7}
"""Local days each report covers, ending the day before it goes out (and days from one to the next)."""


@dataclass(frozen=True, slots=True)
class Due:
    """One report to send: its kind, the local date it goes out on, and when (UTC)."""

    kind: ReportKind
    day: date
    at: datetime

    @property
    def key(self) -> str:
        return f"report:{self.kind.value}:{self.day.isoformat()}"


@dataclass(frozen=True, kw_only=True)
class ReportSettings:
    """`[reports]`: every value is checked here, so a bad one stops `serve` naming its key. The time zone is the
    SLA's (`[sla] timezone`)."""

    daily_at: str = ""
    """Local time ("08:30") the daily summary of the day before goes out; "" sends none."""
    weekly_on: str = ""
    """Weekday ("monday") the weekly summary of the seven days before goes out; "" sends none."""
    weekly_at: str = "08:30"
    """Local time the weekly summary goes out on `weekly_on`."""
    locale: str = "zh"
    """Language of the summaries (`zh` or `en`): the rooms are shared, so they have one."""

    def __post_init__(self) -> None:
        if self.daily_at:
            _time_of_day("reports.daily_at", self.daily_at)
        _time_of_day("reports.weekly_at", self.weekly_at)
        if self.weekly_on and self.weekly_on.lower() not in WEEKDAYS:
            raise ValueError(f"reports.weekly_on: {self.weekly_on!r} is not a weekday ({', '.join(WEEKDAYS)}) "
                             "or \"\" for none")
        if self.locale not in REPORT_LOCALES:
            raise ValueError(f"reports.locale: {self.locale!r} is not one of {', '.join(REPORT_LOCALES)}")

    @property
    def enabled(self) -> bool:
        return bool(self.daily_at or self.weekly_on)

    def sends(self, kind: ReportKind) -> bool:
        return bool(self.daily_at if kind is ReportKind.DAILY else self.weekly_on)

    def next_due(self, now: datetime, zone: ZoneInfo) -> list[Due]:
        """The next report of each kind that is on, at or after `now`."""
        return [self.next_of(kind, now, zone) for kind in ReportKind if self.sends(kind)]

    def next_of(self, kind: ReportKind, now: datetime, zone: ZoneInfo) -> Due:
        """The first report of `kind` at or after `now`."""
        due = self._first(kind, now.astimezone(zone).date(), zone)
        return due if due.at >= now else self.following(kind, due.day, zone)

    def following(self, kind: ReportKind, day: date, zone: ZoneInfo, *, now: datetime | None = None) -> Due:
        """The report of `kind` after the one sent on local `day`; with `now`, none that is already past (a hub
        that was down for days sends the report it missed, not a backlog)."""
        due = self._at(kind, day + timedelta(days=SPAN[kind]), zone)
        return due if now is None or due.at >= now else self.next_of(kind, now, zone)

    def _first(self, kind: ReportKind, today: date, zone: ZoneInfo) -> Due:
        if kind is ReportKind.DAILY:
            return self._at(kind, today, zone)
        ahead = (WEEKDAYS.index(self.weekly_on.lower()) - today.weekday()) % 7
        return self._at(kind, today + timedelta(days=ahead), zone)

    def _at(self, kind: ReportKind, day: date, zone: ZoneInfo) -> Due:
        written = self.daily_at if kind is ReportKind.DAILY else self.weekly_at
        local = datetime.combine(day, _time_of_day("", written), tzinfo=zone)
        return Due(kind=kind, day=day, at=local.astimezone(timezone.utc))


def covered(kind: ReportKind, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period a report sent on local `day` covers: [since, until) in UTC, whole local days."""
    until = datetime.combine(day, time(0), tzinfo=zone)
    since = datetime.combine(day - timedelta(days=SPAN[kind]), time(0), tzinfo=zone)
    return since.astimezone(timezone.utc), until.astimezone(timezone.utc)


def _time_of_day(key: str, value: str) -> time:
    match = _TIME.fullmatch(value.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"{key}: {value!r} is not a time of day (HH:MM)")
    return time(int(match.group(1)), int(match.group(2)))
