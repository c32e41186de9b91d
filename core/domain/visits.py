"""Visit slots: two-hour windows of the working day in China time, offered to the customer after a technician
accepts a job — from the time the customer mentioned (or the next free window), skipping windows that overlap the
technician's other agreed visits."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from core.clock import CHINA_TZ

WINDOWS = (time(9), time(11), time(14), time(16))
"""Where each window starts (09:00–11:00, 11:00–13:00, 14:00–16:00, 16:00–18:00)."""
LENGTH = timedelta(hours=2)
LEAD = timedelta(hours=2)
"""The earliest window starts at least this long after now (time to get there)."""
DAYS_AHEAD = 7
_WRITTEN = re.compile(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})\s*(\d{1,2})[:：](\d{2})")


def slots(now: datetime, *, wanted: datetime | None, busy: list[tuple[datetime, datetime]],
          count: int = 3) -> list[tuple[datetime, datetime]]:
    """The first `count` free windows from the one holding `wanted` (when it is still ahead), else from now."""
    start = max(now + LEAD, wanted or now)
    found: list[tuple[datetime, datetime]] = []
    day = start.astimezone(CHINA_TZ).date()
    while len(found) < count and day <= (now + timedelta(days=DAYS_AHEAD)).astimezone(CHINA_TZ).date():
        for opening in WINDOWS:
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
