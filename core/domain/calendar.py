"""Business calendars: how much working time lies between two instants, and when a span of working time runs out.

SLA targets count working time, not wall time: a two-hour target set on Friday at 17:00 is due on Monday morning.
Every instant given here must be timezone-aware; every instant returned is in UTC, which is how tickets store them.
Arithmetic runs in UTC so that daylight-saving changes never add or lose an hour.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol, Sequence
from zoneinfo import ZoneInfo

from core.domain.workdays import Workdays

_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_IDLE_LIMIT = 400
"""Days in a row without business hours after which the calendar is wrong, not merely closed (the longest Chinese
holiday is nine days)."""


class BusinessCalendar(Protocol):
    """What the SLA clock needs from a calendar; `day_length` is what a target's "1d" means on it."""

    name: str
    day_length: timedelta

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of business time, counted from `start`, has passed."""

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (negative when `end` is before `start`)."""


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a timezone-aware instant is needed, not {at!r}")
    return at.astimezone(timezone.utc)


def _check(duration: timedelta) -> None:
    if duration < _ZERO:
        raise ValueError(f"business time cannot be negative: {duration}")


class AlwaysOpen:
    """24x7: every second counts, in real (UTC) time."""

    name = "24x7"
    day_length = _DAY

    def add(self, start: datetime, duration: timedelta) -> datetime:
        _check(duration)
        return _utc(start) + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return _utc(end) - _utc(start)


@dataclass(frozen=True)
class Shift:
    """One stretch of business hours in a day, as minutes after local midnight (`end` may be 1440, i.e. 24:00)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 1440:
            raise ValueError(f"a shift must start before it ends, within one day: {self}")

    def __str__(self) -> str:
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"


_SHIFT = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def parse_shift(text: str) -> Shift:
    """`09:00-12:00` as a shift; `ValueError` saying what is wrong with anything else."""
    match = _SHIFT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"{text!r} is not a time of day")
    return Shift(h1 * 60 + m1, h2 * 60 + m2)


@dataclass(frozen=True)
class _Day:
    shifts: tuple[tuple[datetime, datetime], ...]
    """(opens, closes) in UTC, in order."""
    length: timedelta


class BusinessHours:
    """Business hours (possibly split, e.g. 09:00–12:00 and 13:30–18:00) on workdays, in one time zone.

    The engine computes due times for every new ticket, so the work is per shift, never per minute: each day's
    shifts are turned into UTC instants once and kept, and whole days are skipped by their length.
    """

    def __init__(self, *, name: str, shifts: Sequence[Shift], zone: ZoneInfo, workdays: Workdays) -> None:
        ordered = sorted(shifts, key=lambda s: s.start)
        if not ordered:
            raise ValueError("business hours need at least one shift")
        for before, after in zip(ordered, ordered[1:]):
            if after.start < before.end:
                raise ValueError(f"{before} and {after} overlap")
        self.name = name
        self._shifts = tuple(ordered)
        self._zone = zone
        self.day_length = timedelta(minutes=sum(s.end - s.start for s in ordered))
        self._workdays = workdays
        self._days: dict[date, _Day] = {}

    def add(self, start: datetime, duration: timedelta) -> datetime:
        _check(duration)
        at = _utc(start)
        if not duration:
            return at
        remaining = duration
        day = at.astimezone(self._zone).date()
        idle = 0
        while True:
            today = self._day(day)
            if not today.shifts:
                idle += 1
                if idle > _IDLE_LIMIT:
                    raise ValueError(f"{self.name}: no business hours in the {_IDLE_LIMIT} days after {start}")
            elif at <= today.shifts[0][0] and remaining > today.length:
                remaining -= today.length
                idle = 0
            else:
                idle = 0
                for opens, closes in today.shifts:
                    if closes <= at:
                        continue
                    if at < opens:
                        at = opens
                    left = closes - at
                    if remaining <= left:
                        return at + remaining
                    remaining -= left
                    at = closes
            day += _DAY

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        a, b = _utc(start), _utc(end)
        if b < a:
            return -self.elapsed(end, start)
        total = _ZERO
        day, last = a.astimezone(self._zone).date(), b.astimezone(self._zone).date()
        while day <= last:
            today = self._day(day)
            if today.shifts and a <= today.shifts[0][0] and today.shifts[-1][1] <= b:
                total += today.length
            else:
                for opens, closes in today.shifts:
                    overlap = min(closes, b) - max(opens, a)
                    if overlap > _ZERO:
                        total += overlap
            day += _DAY
        return total

    def _day(self, day: date) -> _Day:
        cached = self._days.get(day)
        if cached is None:
            cached = self._days[day] = self._build(day)
        return cached

    def _build(self, day: date) -> _Day:
        if not self._workdays.is_workday(day):
            return _Day((), _ZERO)
        shifts = []
        for shift in self._shifts:
            opens, closes = self._instant(day, shift.start), self._instant(day, shift.end)
            if closes > opens:  # a shift swallowed by a daylight-saving jump has no length that day
                shifts.append((opens, closes))
        return _Day(tuple(shifts), sum((c - o for o, c in shifts), _ZERO))

    def _instant(self, day: date, minute: int) -> datetime:
        if minute == 1440:
            return datetime.combine(day + _DAY, time(0), self._zone).astimezone(timezone.utc)
        return datetime.combine(day, time(minute // 60, minute % 60), self._zone).astimezone(timezone.utc)
