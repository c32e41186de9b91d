"""Visit slots: two-hour windows of a technician's working hours in China time, offered to the customer after the
technician accepts a job — from the time the customer mentioned (or the next free window), skipping the technician's
leave days and the windows that overlap their other agreed visits. Windows run back to back from the start of each
stretch of working hours, as many as fit (09:00-13:00 gives 09:00–11:00 and 11:00–13:00)."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Callable, Sequence

from core.clock import CHINA_TZ
from core.domain.calendar import Shift

WORKING_HOURS = ("09:00-13:00", "14:00-18:00")
"""A technician's working hours unless the staff file or `[dispatch] working_hours` say otherwise."""
LENGTH = timedelta(hours=2)
LEAD = timedelta(hours=2)
"""The earliest window starts at least this long after now (time to get there)."""
DAYS_AHEAD = 7
_WRITTEN = re.compile(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})\s*(\d{1,2})[:：](\d{2})")


def openings(hours: Sequence[Shift]) -> list[time]:
    """Where each window of a working day with these `hours` starts."""
    minutes = int(LENGTH.total_seconds() // 60)
    return [time(begin // 60, begin % 60) for shift in hours
            for begin in range(shift.start, shift.end - minutes + 1, minutes)]


def slots(now: datetime, *, wanted: datetime | None, busy: list[tuple[datetime, datetime]],
          hours: Sequence[Shift], off: Callable[[date], bool] = lambda day: False,
          count: int = 3) -> list[tuple[datetime, datetime]]:
    """The first `count` free windows from the one holding `wanted` (when it is still ahead), else from now, on
    days that are not `off`."""
    start = max(now + LEAD, wanted or now)
    found: list[tuple[datetime, datetime]] = []
    day = start.astimezone(CHINA_TZ).date()
    starts = openings(hours)
    while len(found) < count and day <= (now + timedelta(days=DAYS_AHEAD)).astimezone(CHINA_TZ).date():
        for opening in [] if off(day) else starts:
            begin = datetime.combine(day, opening, CHINA_TZ)
            end = begin + LENGTH
            if end <= start or begin < now + LEAD:
                continue
            if any(begin < other_end and other_start < end for other_start, other_end in busy):
                continue
            found.append((begin, end))
            if len(found) == count:
                break
        day += timedelta(days=1)
    return found


def written_start(text: str, today: date) -> datetime | None:
    """`2026-12-01 14:00` or `12-01 14:00` (this year, or next when that day has passed) in China time."""
    m = _WRITTEN.search(text)
    if m is None:
        return None
    year = int(m.group(1)) if m.group(1) else today.year
    try:
        start = datetime(year, int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)), tzinfo=CHINA_TZ)
    except ValueError:
        return None
    if not m.group(1) and start.date() < today:
        start = start.replace(year=year + 1)
    return start


def wanted(value: str) -> tuple[datetime, datetime | None]:
    """A time the customer asked for, as a ticket keeps it (`entities["times"]`, nlp.understanding.TimeMention): a
    moment, or a span in ISO 8601 interval form ("…T09:00:00+08:00/…T12:00:00+08:00") whose end is returned too."""
    start, _, end = value.partition("/")
    return datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None


def window_of(start: datetime) -> tuple[datetime, datetime]:
    return start, start + LENGTH


def written(start: datetime) -> str:
    """How a slot's button writes it (what `written_start` reads back)."""
    return start.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def shown(visit: tuple[datetime, datetime], now: datetime) -> dict[str, str]:
    """A visit as people read it: `day` is today / tomorrow / day_after (said in words) or "" (then `date`)."""
    start, end = (t.astimezone(CHINA_TZ) for t in visit)
    ahead = (start.date() - now.astimezone(CHINA_TZ).date()).days
    return {"day": {0: "today", 1: "tomorrow", 2: "day_after"}.get(ahead, ""), "date": start.strftime("%m-%d"),
            "from": start.strftime("%H:%M"), "to": end.strftime("%H:%M")}
