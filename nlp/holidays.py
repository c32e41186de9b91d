"""Days named by a public holiday ("元旦之后", "国庆节后", "过完年", "中秋那天", "正月初八以后"), as customers put a
visit off until the holiday is over.

A holiday is its stretch of days off: the official schedule where `chinese-calendar` knows the year (the days off run
on through the adjacent weekend and the 调休 days), else its statutory days (全国年节及纪念日放假办法: 元旦 1, 春节 除夕 to
初三, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) run on through an adjacent weekend. After the holiday is the first day
after its stretch; the holiday named alone ("国庆期间", "中秋那天") is its first day still to come; a day of the lunar
new year ("初八以后") is that day. "Before the holiday" ("元旦前") is a deadline, not a day to book.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import chinese_calendar
from lunardate import LunarDate

_NEW_YEAR = r"(?<![0-9一二两三四五六七八九十半几多今明去前后整每当])年"
_NAMES = {
    "元旦": ("new_year", 1), "春节": ("spring", 4), "过年": ("spring", 4),
    "除夕": ("eve", 1), "大年三十": ("eve", 1), "年三十": ("eve", 1), "清明": ("qingming", 1),
    "五一": ("labour", 2), "劳动节": ("labour", 2), "端午": ("dragon_boat", 1), "中秋": ("mid_autumn", 1),
    "国庆": ("national", 3),
}
"""Each name's holiday and its statutory days off."""
HOLIDAY = re.compile(
    r"(?P<over>过完|过了)?"
    rf"(?:(?P<name>{'|'.join(sorted(_NAMES, key=len, reverse=True))})"
    # 初八 alone only as a day ("初八以后"): 初一 is also the first year of junior high.
    r"|(?:大年|正月|(?=初(?:十|[一二三四五六七八九])(?:以后|之后|后|那天|再|来|吧)))初(?P<lunar_day>十|[一二三四五六七八九])"
    rf"|(?P<year>(?<=过完|过了)年|{_NEW_YEAR}(?=前|后|之前|之后|以前|以后|过后)))"
    r"(?:节)?(?:小长假|长假|假期|放假|假)?"
    r"(?P<when>(?:结束|过完|过了)?(?:之后|以后|过后|后)|之前|以前|前|期间|那几天|那天|当天|的时候)?"
    # 五一路, 国庆大道: a street named after the holiday is no time.
    r"(?![路街道巷村广桥])"
)
_BEFORE = ("之前", "以前", "前")
_LUNAR_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True, slots=True)
class HolidayDay:
    """The day a holiday mention names (None for a deadline: "元旦前"), and where it is in the text."""

    start: int
    end: int
    text: str
    day: date | None


def holiday_days(text: str, today: date) -> list[HolidayDay]:
    """Every holiday mention in `text`, resolved to the next such day from `today` (China time)."""
    found = []
    for m in HOLIDAY.finditer(text):
        when = m.group("when") or ""
        day = None if when in _BEFORE else _resolve(m, today, after=bool(m.group("over")) or when.endswith("后"))
        found.append(HolidayDay(m.start(), m.end(), m.group(0), day))
    return found


def _resolve(m: re.Match[str], today: date, *, after: bool) -> date | None:
    if m.group("lunar_day"):
        return _next(today, lambda year: _lunar(year, 1, _LUNAR_DAYS[m.group("lunar_day")]))
    holiday, statutory = _NAMES[m.group("name")] if m.group("name") else _NAMES["春节"]
    for year in (today.year - 1, today.year, today.year + 1):
        day = _day_of(holiday, year)
        first, last = (day, day) if holiday == "eve" else _stretch(day, statutory, eve_first=holiday == "spring")
        if after and last + timedelta(days=1) >= today:
            return last + timedelta(days=1)
        if not after and last >= today:
            return max(first, today)
    return None


def _next(today: date, day_in: Callable[[int], date]) -> date:
    this_year = day_in(today.year)
    return this_year if this_year >= today else day_in(today.year + 1)


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


def _day_of(holiday: str, year: int) -> date:
    """The holiday's own day in `year`."""
    if holiday in ("spring", "eve"):
        new_year = _lunar(year, 1, 1)
        return new_year - timedelta(days=1) if holiday == "eve" else new_year
    if holiday == "dragon_boat":
        return _lunar(year, 5, 5)
    if holiday == "mid_autumn":
        return _lunar(year, 8, 15)
    if holiday == "qingming":
        return next(day for day, term in chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
                    if term == "清明")
    return {"new_year": date(year, 1, 1), "labour": date(year, 5, 1), "national": date(year, 10, 1)}[holiday]


def _stretch(day: date, statutory: int, *, eve_first: bool) -> tuple[date, date]:
    """The days off around the holiday's `day`: the official ones when known, else the statutory ones (from the eve
    for the spring festival) and the weekend next to them."""
    try:
        if chinese_calendar.is_holiday(day):
            return _while_off(day, -1), _while_off(day, 1)
    except NotImplementedError:
        pass
    first = day - timedelta(days=1) if eve_first else day
    last = first + timedelta(days=statutory - 1)
    while (first - timedelta(days=1)).weekday() >= 5:
        first -= timedelta(days=1)
    while (last + timedelta(days=1)).weekday() >= 5:
        last += timedelta(days=1)
    return first, last


def _while_off(day: date, step: int) -> date:
    """The last day off reached from `day` going `step` days at a time, within the years the package knows."""
    try:
        while chinese_calendar.is_holiday(day + timedelta(days=step)):
            day += timedelta(days=step)
    except NotImplementedError:
        pass
    return day
