"""Appointment times written in English ("tomorrow afternoon", "Saturday morning", "next Monday at 3pm", "10:30
tomorrow"), as foreign customers write them. Each mention is said again in Chinese ("明天下午", "下周一下午3点") and
resolved by `nlp.times`, so both languages share one calendar: China time, the usual start of a part of day, a clock
time already passed meaning tomorrow. A time ruled out or not for a visit ("not home tomorrow", "call me tomorrow")
is dropped."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from .times import extract_times
from .understanding import TimeMention

_DAYS = {"today": "今天", "tonight": "今晚", "tomorrow": "明天", "the day after tomorrow": "后天"}
_WEEKDAYS = {"monday": "一", "tuesday": "二", "wednesday": "三", "thursday": "四", "friday": "五", "saturday": "六",
             "sunday": "日", "mon": "一", "tue": "二", "tues": "二", "wed": "三", "thu": "四", "thur": "四",
             "thurs": "四", "fri": "五", "sat": "六", "sun": "日"}
_PARTS = {"morning": "上午", "noon": "中午", "afternoon": "下午", "evening": "晚上", "night": "晚上"}
_WEEKDAY_NAMES = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_DAY_WORDS = "|".join(sorted(_DAYS, key=len, reverse=True))
_WEEKDAY_WORDS = rf"(?:(next|this|coming)\s+)?\b({_WEEKDAY_NAMES})\b"
_WEEKEND_WORDS = r"(?:(next|this)\s+)?weekend"
_PART_WORDS = "|".join(_PARTS)
_CLOCK_WORDS = r"\b(1[0-2]|0?[1-9])(?::([0-5][0-9]))?\s*([ap])\.?m\b\.?"
_HHMM_WORDS = r"\b([01]?[0-9]|2[0-3]):([0-5][0-9])\b"
_DAY, _WEEKDAY, _WEEKEND, _PART, _CLOCK, _HHMM = (
    re.compile(words, re.IGNORECASE)
    for words in (_DAY_WORDS, _WEEKDAY_WORDS, _WEEKEND_WORDS, _PART_WORDS, _CLOCK_WORDS, _HHMM_WORDS))
_ANY_CLOCK = f"(?:{_CLOCK_WORDS}|{_HHMM_WORDS})"
_TOKEN = (f"(?:{_DAY_WORDS}|{_WEEKDAY_WORDS}|{_WEEKEND_WORDS}|(?:this\\s+)?(?:{_PART_WORDS})|{_ANY_CLOCK})")
_WHEN = re.compile(rf"\b{_TOKEN}(?:\s+(?:on\s+|at\s+|in the\s+|around\s+|by\s+)?{_TOKEN}|,\s*(?:at\s+)?{_ANY_CLOCK})*"
                   r"(?![\w:])", re.IGNORECASE)
"""Days, parts of day and clock times next to each other, as one mention ("tomorrow afternoon at 3pm")."""
_RULED_OUT = re.compile(r"\b(?:not|n't|cannot|busy|away|call|phone|ring|bought|broke|since|ago|last)\b[^.,;!?]*$",
                        re.IGNORECASE)
"""Before a time, in the same clause: "not home tomorrow", "call me tomorrow", "broke last Saturday"."""
_HOLIDAYS = {"chinese new year": "春节", "lunar new year": "春节", "spring festival": "春节", "new year": "元旦",
             "new years": "元旦", "new year's": "元旦", "new year's day": "元旦", "national day": "国庆",
             "golden week": "国庆", "may day": "五一", "labour day": "五一", "labor day": "五一",
             "mid-autumn": "中秋", "mid autumn": "中秋", "mid-autumn festival": "中秋", "mid autumn festival": "中秋",
             "dragon boat festival": "端午", "qingming": "清明", "tomb-sweeping day": "清明", "tomb sweeping day": "清明"}
_RELATIONS = {"after": "之后", "before": "之前", "during": "期间", "over": "期间"}
_HOLIDAY = re.compile(
    rf"\b(?:({'|'.join(_RELATIONS)})\s+)?(?:the\s+)?({'|'.join(sorted(_HOLIDAYS, key=len, reverse=True))})"
    r"(?:\s+(?:holidays?|break))?\b", re.IGNORECASE)
"""A visit put off until a holiday is over ("after Chinese New Year", "after the National Day holiday"), read as
the Chinese holiday `nlp.times` resolves ("春节之后")."""


def english_times(text: str, now: datetime) -> tuple[TimeMention, ...]:
    """Every appointment time written in English in `text`, resolved against `now`, in order of appearance."""
    found = []
    said = [(m, _in_chinese(m.group(0))) for m in _WHEN.finditer(text)]
    said += [(m, _HOLIDAYS[m.group(2).lower()] + _RELATIONS.get((m.group(1) or "").lower(), ""))
             for m in _HOLIDAY.finditer(text)]
    for m, chinese in sorted(said, key=lambda pair: pair[0].start()):
        if not m.group(0).strip() or _RULED_OUT.search(text, max(0, m.start() - 30), m.start()):
            continue
        resolved = extract_times(chinese, now)
        if resolved:
            found.append(replace(resolved[0], text=m.group(0).strip()))
    return tuple(found)


def _in_chinese(span: str) -> str:
    """The mention as `nlp.times` reads it: "next Monday at 3pm" → "下周一下午3点"."""
    day = ""
    if (named := _DAY.search(span)) is not None:
        day = _DAYS[named.group(0).lower()]
    elif (weekday := _WEEKDAY.search(span)) is not None:
        day = ("下" if (weekday.group(1) or "").lower() == "next" else "") + "周" + _WEEKDAYS[weekday.group(2).lower()]
    elif (weekend := _WEEKEND.search(span)) is not None:
        day = ("下" if (weekend.group(1) or "").lower() == "next" else "") + "周末"
    part = _PARTS[said.group(0).lower()] if (said := _PART.search(span)) is not None else ""
    if part and not day and re.match(r"this\b", span, re.IGNORECASE):
        day = "今天"  # "this afternoon"
    clock = ""
    if (hour := _CLOCK.search(span)) is not None:
        twelve, pm = int(hour.group(1)) % 12, hour.group(3).lower() == "p"
        part = part or ("上午" if not pm else "下午" if twelve < 6 else "晚上")
        clock = f"{twelve or 12}点" + (f"{int(hour.group(2))}分" if hour.group(2) else "")
    elif (hhmm := _HHMM.search(span)) is not None:
        clock = f"{int(hhmm.group(1))}:{hhmm.group(2)}"
    return f"{day}{part}{clock}"
