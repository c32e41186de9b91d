"""Appointment times in Chinese (明天下午三点, 周六上午, 下周一, 12月5号 9:30) resolved against the message time.

Everything is computed in China time (UTC+8), whatever timezone `now` carries. A day without a clock time starts at
the usual start of that part of day (上午 09:00, 下午 14:00, …; a bare day at 09:00, when service visits begin). A
clock time with no day that has already passed today means tomorrow, the way people talk about visits.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .understanding import TimeMention

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

_NUM = r"(?:[0-9]{1,2}|[零一二两三四五六七八九十]{1,3})"
_PATTERN = re.compile(
    r"(?P<day>大后天|后天|明天|明日|明儿|今天|今日|今儿|今晚|明早|明晚"
    r"|(?P<week>下下|下|这|本|)个?(?:周|星期|礼拜)(?P<weekday>[一二三四五六日天1-7])"
    rf"|(?:(?P<month>{_NUM})月)?(?P<dom>{_NUM})(?:号|日))?"
    r"\s*(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?"
    rf"\s*(?:(?P<hour>{_NUM})(?:点|时)(?:(?P<half>半)|(?P<quarter>一刻|1刻)|(?P<minute>{_NUM})分?)?"
    r"|(?P<hh>[0-2]?[0-9]):(?P<mm>[0-5][0-9]))?"
)
# "明天不在家" names a time that does not work; it is not an appointment.
_NEGATED = re.compile(r"\s*(?:不|没|无法)")
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "今儿": 0, "今晚": 0, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1,
                  "后天": 2, "大后天": 3}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "7": 6}
_PART_START = {"凌晨": 3, "早上": 8, "早晨": 8, "上午": 9, "中午": 12, "下午": 14, "傍晚": 17, "晚上": 19, "夜里": 21}
_AFTERNOON = {"下午", "傍晚", "晚上", "夜里"}


def _number(text: str) -> int:
    """Arabic or Chinese numerals up to 99 (十一, 二十, 两)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0)
    return _DIGITS.get(text, 0)


def _day(m: re.Match[str], today: date) -> date | None:
    word = m.group("day")
    if word in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[word])
    if m.group("weekday"):
        target = _WEEKDAYS.get(m.group("weekday"), None)
        if target is None:
            target = int(m.group("weekday")) - 1
        monday = today - timedelta(days=today.weekday())
        week = m.group("week")
        if week in ("下", "下下"):
            return monday + timedelta(days=7 * len(week) + target)
        candidate = monday + timedelta(days=target)
        if week or candidate >= today:
            return candidate
        return candidate + timedelta(days=7)
    if m.group("dom"):
        dom = _number(m.group("dom"))
        month = _number(m.group("month")) if m.group("month") else today.month
        year = today.year
        try:
            candidate = date(year, month, dom)
            if candidate < today:
                candidate = date(year + 1, month, dom) if m.group("month") else _next_month(today, dom)
        except ValueError:
            return None
        return candidate
    return None


def _next_month(today: date, dom: int) -> date:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, dom)


def _clock(m: re.Match[str]) -> tuple[int, int] | None:
    if m.group("hh"):
        return int(m.group("hh")), int(m.group("mm"))
    if not m.group("hour"):
        return None
    hour = _number(m.group("hour"))
    minute = 30 if m.group("half") else 15 if m.group("quarter") else _number(m.group("minute") or "0")
    part = m.group("part") or ("晚上" if m.group("day") in ("今晚", "明晚") else None)
    if (part in _AFTERNOON or (part is None and 1 <= hour <= 6)) and hour < 12:
        hour += 12  # "三点来" for a visit means 15:00; nobody books a technician for 03:00
    elif part == "中午" and hour < 3:
        hour += 12
    return hour, minute


def extract_times(text: str, now: datetime) -> tuple[TimeMention, ...]:
    """Every time expression in `text` with its start, in order of appearance."""
    local = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).astimezone(CHINA)
    today = local.date()
    found: list[TimeMention] = []
    for m in _PATTERN.finditer(text):
        if not (m.group("day") or m.group("hour") or m.group("hh")) or _NEGATED.match(text, m.end()):
            continue
        clock = _clock(m)
        day = _day(m, today) if m.group("day") else today
        if day is None or (clock and not (0 <= clock[0] <= 23 and 0 <= clock[1] <= 59)):
            continue
        if clock is None:
            part = m.group("part") or ("晚上" if m.group("day") in ("今晚", "明晚") else None)
            part = part or ("早上" if m.group("day") == "明早" else None)
            clock = (_PART_START.get(part, 9), 0) if part else (9, 0)
        start = datetime(day.year, day.month, day.day, clock[0], clock[1], tzinfo=CHINA)
        if not m.group("day") and start < local:
            start += timedelta(days=1)
        found.append(TimeMention(text=m.group(0).strip(), start=start))
    return tuple(found)
