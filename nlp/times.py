"""Appointment times in Chinese (明天下午三点, 周六上午, 下周一, 12月5号 9:30) resolved against the message time.

Everything is computed in China time (UTC+8), whatever timezone `now` carries. A day without a clock time is the span
of that part of day (上午 09:00–12:00, 下午 14:00–18:00, …; a bare day 09:00–18:00, when service visits are made); a clock
time said as "from then on" spans to the end of its part of day (下午三点以后 15:00–18:00). A clock time with no day
that has already passed today means tomorrow, the way people talk about visits.

Only times a visit could be booked for count: the past (上周三买的, 昨天坏的, 1号买的), times ruled out (明天不在家,
今晚太晚了, 周一到周五上班) and house numbers (4号楼) are dropped. A range (两点到四点) is one mention spanning it; a
clock time without a day (明天上午不在家，下午三点可以) takes the day last named; a vague mention of a day that is named
again more precisely (明天吧，明天下午) gives way to the precise one.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from .holidays import HOLIDAY, holiday_days
from .patterns import quick
from .understanding import TimeMention

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

_NUM = r"(?:[0-9]{1,2}|[零一二两三四五六七八九十]{1,3})"
_WEEK = r"(?:周|星期|礼拜)"
_PART = r"凌晨|一早|早上|早晨|上午|白天|中午|下午|傍晚|晚上|夜里"
# 4号楼, 3号线 and 2号机 are numbers of things, not days of the month.
_DOM = rf"(?P<dom>{_NUM})(?:号(?![楼院门线机位房室床栋幢座仓库]|单元)|日)"
_PATTERN = quick(
    # The past first, so "上周三" or "昨晚12点" is consumed whole instead of read as 周三 / 12点.
    rf"(?:(?P<past>大前天|前天|昨天|昨晚|昨日|昨儿|上上?个?{_WEEK}[一二三四五六日天末1-7]?|上个?月(?:{_NUM}(?:号|日))?"
    rf"|去年(?:{_NUM}月)?(?:{_NUM}(?:号|日))?)"
    r"|(?P<day>大后天|后天|明天|明日|明儿|今天|今日|今儿|今晚|明早|明晚|过两天|过一两天)"
    rf"|(?P<weekend>下下|下|这|本|)个?(?:周末|礼拜末)"
    rf"|(?P<week>下下|下|这|本|)个?{_WEEK}(?P<weekday>[一二三四五六日天1-7])"
    r"|(?P<eom>下个?|这个?|本)?月底"
    rf"|(?<![0-9])(?:(?P<year>20\d\d)年)?(?:(?P<month>{_NUM})月(?:份)?|(?P<next_month>下个?月))?{_DOM}"
    # A part of day or a clock time with no day; the lookahead keeps the pattern from matching empty everywhere.
    rf"|(?P<lone>(?<![0-9])(?=(?:{_PART})|{_NUM}(?:点|时)|[0-2]?[0-9]:[0-5][0-9])))"
    rf"\s*(?P<part>{_PART})?"
    rf"\s*(?:(?P<hour>{_NUM})(?:点|时)(?:(?P<half>半)|(?P<quarter>一刻|1刻)|(?P<minute>{_NUM})分?)?"
    r"|(?P<hh>[0-2]?[0-9]):(?P<mm>[0-5][0-9]))?"
)
# "明天不在家", "今晚太晚了", "周一到周五都上班": a time that does not work is not an appointment.
_RULED_OUT = re.compile(
    r"\s*(?:我|我们|家里|家里人|人)?(?:(?:就|都|也|要|可能|应该|几点)?(?:来|过来|上门|在家|有空|有人|方便)?"
    r"(?:不(?!错|见不散)|没(?!问题|事)|无法|上班|出差)|(?:来不了|去不了|太晚|太早|(?:临时|突然)?有事|(?:就)?要用))"
)
# "有一点漏水", "快一点": 一点/两点 in words is "a bit" unless it reads as a clock time.
_WORDY_HOUR_BEFORE = re.compile(r"[有好快慢大小差少多高低冷热早晚重轻些]$")
_WORDY_HOUR_AFTER = re.compile(r"\s*(?:钟|左右|前后|前|后|以前|以后|之前|之后|到|至|-|~|～|吧|可以|行|来|上门|过来|整|$|[，。,.!?！？])")
# After a bare day or date, what happened then: "1号买的", "今天又坏了", "今天第3次打电话"; or whether the thing
# can be used that day: "今天能用吗", "今天还能看吗".
_PAST_EVENT = re.compile(
    r"[^，。,.!?！？；;\s]{0,6}?(?:买的|买了|坏的|坏了|就坏|又坏|又漏|装的(?!话)|装好的|下的单|下单|收到|到的货|到货|签收|"
    r"报修|报的修|来过|修过|打过|打了|发现|开始|出现|预约的|又|第[0-9一二三四五六七八九十]|"
    r"(?:还)?(?:能|可以|能不能|可不可以)(?:正常)?(?:用|使用|开|洗|看|做饭))"
)
# A part of day alone ("下午可以", "下午吧") is an appointment only when offered as one.
_OFFERED = re.compile(r"[^，。,.!?！？；;]{0,4}?(?:可以|行|吧|有空|有人|在家|方便|来|上门|过来|ok|OK)")
# "约个下周的时间，周二周三都行": weekdays after a bare 下周 are next week's.
_NEXT_WEEK = re.compile(r"(下下|下)个?(?:周|星期|礼拜)(?![一二三四五六日天1-7末])")
_RANGE = re.compile(r"\s*(?:到|至|-|~|～)\s*")
_AFTER = re.compile(r"\s*(?:以后|之后|后)")
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "今儿": 0, "今晚": 0, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1,
                  "后天": 2, "大后天": 3, "过两天": 2, "过一两天": 2}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "7": 6}
# The hours a part of day names, as a visit is booked for it: "明天上午" is 09:00–12:00, not 09:00.
_PART_HOURS = {"凌晨": (3, 6), "一早": (8, 10), "早上": (8, 10), "早晨": (8, 10), "上午": (9, 12), "白天": (9, 18),
               "中午": (12, 14), "下午": (14, 18), "傍晚": (17, 19), "晚上": (19, 21), "夜里": (21, 23)}
_DAY_HOURS = (9, 18)
"""A day named without a part or a clock time ("周六来吧"): the working day, when service visits are made."""
_IMPLIED_PART = {"今晚": "晚上", "明晚": "晚上", "明早": "早上"}
_AFTERNOON = {"下午", "傍晚", "晚上", "夜里"}
# A bare today or date may be the day something happened; 明天 or 下周三 never is. A bare today is a time for the
# visit only when offered as one.
_MAYBE_PAST_DAYS = {"今天", "今日", "今儿"}
_ASKED_WHEN = re.compile(r"\s*(?:大概|大约|具体|会)?(?:几点|什么时候|啥时候|什么时间|几时)(?!都|也|均|随便)")
"""A day followed by "what time?" ("明天几点来取", "周六上午几点到"): the customer asks when, and offers no time."""
_BOOKED_BEFORE = re.compile(r"(?:约了|约的是?|约好了?的?|说好了?的?|本来约(?:的是)?|预约的是|答应(?:了|我)?)\s*$")
"""Words before a time that say it was agreed earlier ("师傅约了今天上午来，等了一上午", "约了明天上午的安装，能改到周日吗"):
the visit told of, which the customer complains of or moves, not a time they offer."""


@dataclass(slots=True)
class _Found:
    at: int
    mention: TimeMention
    day: date
    part: str | None
    clocked: bool


def numeral(text: str) -> int:
    """Arabic or Chinese numerals up to 99 (十一, 二十, 两)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0)
    return _DIGITS.get(text, 0)


def _add_month(day: date, months: int = 1) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _day(m: re.Match[str], today: date, next_week: str = "") -> date | None:
    """The day `m` names, or None for a past or impossible one; `next_week` is the 下/下下 said before it."""
    word = m.group("day")
    if word in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[word])
    monday = today - timedelta(days=today.weekday())
    if m.group("weekend") is not None and "末" in m.group(0):
        weeks = len(m.group("weekend")) if m.group("weekend").startswith("下") else 0
        return monday + timedelta(days=7 * weeks + 5)
    if m.group("weekday"):
        target = _WEEKDAYS.get(m.group("weekday"))
        if target is None:
            target = int(m.group("weekday")) - 1
        week = m.group("week") or next_week
        if week in ("下", "下下"):
            return monday + timedelta(days=7 * len(week) + target)
        candidate = monday + timedelta(days=target)
        if week or candidate >= today:
            return candidate
        return candidate + timedelta(days=7)
    if "月底" in m.group(0) and not m.group("dom"):
        year, month = _add_month(today, 1 if (m.group("eom") or "").startswith("下") else 0)
        return date(year, month, calendar.monthrange(year, month)[1])
    if m.group("dom"):
        return _date(m, today)
    return None


def _date(m: re.Match[str], today: date) -> date | None:
    dom = numeral(m.group("dom"))
    try:
        if m.group("year"):
            candidate = date(int(m.group("year")), numeral(m.group("month") or str(today.month)), dom)
            return candidate if candidate >= today else None
        if m.group("next_month"):
            return date(*_add_month(today), dom)
        if m.group("month"):
            candidate = date(today.year, numeral(m.group("month")), dom)
            return candidate if candidate >= today else date(today.year + 1, candidate.month, dom)
        candidate = date(today.year, today.month, dom)
        return candidate if candidate >= today else date(*_add_month(today), dom)
    except ValueError:
        return None


def _clock(m: re.Match[str], part: str | None) -> tuple[int, int] | None:
    if m.group("hh"):
        return int(m.group("hh")), int(m.group("mm"))
    if not m.group("hour"):
        return None
    hour = numeral(m.group("hour"))
    minute = 30 if m.group("half") else 15 if m.group("quarter") else numeral(m.group("minute") or "0")
    if (part in _AFTERNOON or (part in (None, "中午") and 1 <= hour <= 6)) and hour < 12:
        hour += 12  # "三点来" for a visit means 15:00; nobody books a technician for 03:00
    return hour, minute


def _until(end: re.Match[str], part: str | None) -> tuple[int, int] | None:
    """Where a range closes ("到四点", "-11:30", "到下午"): its clock time (in the part of day said at the start
    when it says none: "下午两点到四点"), else the end of its part of day; None when it names neither."""
    clock = _clock(end, end.group("part") or part)
    if clock is not None:
        return clock if 0 <= clock[0] <= 23 and 0 <= clock[1] <= 59 else None
    return (_PART_HOURS[end.group("part")][1], 0) if end.group("part") else None


def _rest_of(part: str | None, clock: tuple[int, int]) -> tuple[int, int] | None:
    """Where a window opened by a clock time said as "from then on" ("三点以后都在家") closes: the end of its part of
    day, or of the working day when none is said; None when that is not later. A time said as "before" ("5点前能到吗")
    stays the moment: it is as often a deadline as a window."""
    end = (_PART_HOURS[part] if part else _DAY_HOURS)[1], 0
    return end if end > clock else None


def _past_event(m: re.Match[str], text: str) -> bool:
    """A bare today or a date followed by what happened then ("1号买的", "今天又坏了")."""
    if m.group("hour") or m.group("hh"):
        return False
    if not (m.group("dom") or m.group("day") in _MAYBE_PAST_DAYS or (m.group("weekday") and not m.group("week"))):
        return False
    return _PAST_EVENT.match(text, m.end()) is not None


def extract_times(text: str, now: datetime) -> tuple[TimeMention, ...]:
    """Every appointment time in `text` with its start, in order of appearance."""
    if _PATTERN.search(text) is None and HOLIDAY.search(text) is None:  # most messages name no time
        return ()
    local = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).astimezone(CHINA)
    today = local.date()
    found, holiday_ends = _holidays(text, local)
    last_day: date | None = None
    skip_until = -1
    said = _NEXT_WEEK.search(text)
    said_next_week = None if said is None or _RULED_OUT.match(text, said.end()) else said
    for m in _PATTERN.finditer(text):
        if m.start() < skip_until or not m.group(0).strip():
            continue
        if m.group("past"):
            last_day = None
            continue
        dated = m.group("lone") is None
        clocked = bool(m.group("hour") or m.group("hh"))
        part = m.group("part") or _IMPLIED_PART.get(m.group("day") or "")
        # "元旦后上午来": the morning of the day the holiday just named gives.
        holiday = None if dated else holiday_ends.get(len(text[:m.start()].rstrip()))
        narrows = not dated and (holiday is not None or bool(found) and found[-1].day == last_day)
        if not dated and not clocked and not (part and part != "白天" and (_OFFERED.match(text, m.end()) or narrows)):
            continue  # a part of day alone is a time when offered, or when it narrows the day just named ("周六吧，下午")
        # "今天还要洗澡" says why it is urgent, where "今天能来吗" offers the day: a time, but none to book.
        unoffered = (m.group("day") in _MAYBE_PAST_DAYS and not clocked and not part
                     and not _OFFERED.match(text, m.end())) or bool(_ASKED_WHEN.match(text, m.end())) or bool(
            _BOOKED_BEFORE.search(text, max(0, m.start() - 6), m.start()))
        if not dated and not part and m.group("hour") and not m.group("hour").isdigit() and (
                _WORDY_HOUR_BEFORE.search(text, 0, m.start()) or not _WORDY_HOUR_AFTER.match(text, m.end())):
            continue
        next_week = said_next_week.group(1) if said_next_week and said_next_week.end() <= m.start() else ""
        day = _day(m, today, next_week) if dated else holiday[0] if holiday else last_day
        if dated and day is None:
            continue
        if dated:
            last_day = day
        ruled_out = _RULED_OUT.match(text, m.end())
        range_end = _RANGE.match(text, m.end())
        until: tuple[int, int] | None = None
        if range_end is not None:
            # "两点到四点": the end of the window is not a second appointment; "周一到周五都上班" rules out both.
            end = _PATTERN.match(text, range_end.end())
            if end is not None and end.group(0).strip() and not end.group("past"):
                skip_until = end.end()
                ruled_out = ruled_out or _RULED_OUT.match(text, end.end())
                until = _until(end, part)
        if ruled_out or _past_event(m, text):
            continue
        clock = _clock(m, part)
        if clock and not (0 <= clock[0] <= 23 and 0 <= clock[1] <= 59):
            continue
        if clock and until is None and _AFTER.match(text, m.end()):
            until = _rest_of(part, clock)
        if clock is None:
            hours = _PART_HOURS[part] if part else _DAY_HOURS
            clock, until = (hours[0], 0), until or (hours[1], 0)
        base = day or today
        start = datetime(base.year, base.month, base.day, clock[0], clock[1], tzinfo=CHINA)
        if day is None and start < local:
            start += timedelta(days=1)
        closes = start.replace(hour=until[0], minute=until[1]) if until else None
        # "能不能今天来人看看" at half past six: the day's hours are over, no time to book either.
        bookable = not unoffered and (closes or start) >= local
        said = text[holiday[1]:m.end()] if holiday else m.group(0)
        mention = TimeMention(text=said.strip(), start=start, end=closes if closes and closes > start else None,
                              bookable=bookable)
        found.append(_Found(m.start(), mention, start.date(), part, clocked))
    return tuple(f.mention for f in _precise(sorted(found, key=lambda f: f.at)))


def _holidays(text: str, local: datetime) -> tuple[list[_Found], dict[int, tuple[date, int]]]:
    """The days holidays name ("元旦之后来吧"), each the working day's hours unless ruled out, past or told as agreed
    before; and by where each ends, the day it names and where it starts, for a part of day or a clock time said
    right after it."""
    found: list[_Found] = []
    ends: dict[int, tuple[date, int]] = {}
    for h in holiday_days(text, local.date()):
        if h.day is None or _RULED_OUT.match(text, h.end) or _PAST_EVENT.match(text, h.end):
            continue
        ends[h.end] = h.day, h.start
        start = datetime(h.day.year, h.day.month, h.day.day, _DAY_HOURS[0], tzinfo=CHINA)
        closes = start.replace(hour=_DAY_HOURS[1])
        unoffered = bool(_ASKED_WHEN.match(text, h.end) or _BOOKED_BEFORE.search(text, max(0, h.start - 6), h.start))
        mention = TimeMention(text=h.text, start=start, end=closes, bookable=not unoffered and closes >= local)
        found.append(_Found(h.start, mention, h.day, None, False))
    return found, ends


_BARE_WEEKDAY = re.compile(rf"{_WEEK}[一二三四五六日天1-7](?P<part>{_PART})?")
"""A weekday said without 下/这/本 ("周日", "星期天上午"): which week it falls in depends on what is being talked about."""


def moved(mention: TimeMention, before: tuple[datetime, datetime | None]) -> TimeMention:
    """`mention` as it moves a visit already set for `before` (its start, and its end when it is a span). A bare
    weekday means that day in the visit's week when the visit is in a later week than it resolved to ("下周六上午"
    then "能改到周日吗": the Sunday after that Saturday, not this one), and a day said without a part of day or a clock
    time keeps the hours of the visit ("周日" for a morning visit is Sunday morning). Anything else stands as said."""
    bare = _BARE_WEEKDAY.fullmatch(mention.text)
    if bare is None:
        return mention
    old_start, old_end = before[0].astimezone(CHINA), before[1].astimezone(CHINA) if before[1] is not None else None
    start = mention.start.astimezone(CHINA)
    shift = timedelta(weeks=max((_monday(old_start.date()) - _monday(start.date())).days // 7, 0))
    bookable = mention.bookable or shift > timedelta(0)  # "周四" said on a Thursday night, moved to next week's
    if bare.group("part") is not None:
        return replace(mention, start=mention.start + shift, end=mention.end + shift if mention.end else None,
                       bookable=bookable)
    day = start.date() + shift
    return replace(mention, start=datetime.combine(day, old_start.timetz()),
                   end=datetime.combine(day, old_end.timetz()) if old_end is not None else None, bookable=bookable)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def without_times(text: str) -> str:
    """`text` with every day, holiday, part of day and clock time written in it taken out, appointments or not: what
    is left of "不好意思，还是周六吧，下午" once its time is read is "不好意思，还是吧，"."""
    return _PATTERN.sub("", HOLIDAY.sub("", text))


def _precise(found: list[_Found]) -> list[_Found]:
    """Drop repeats and a vague mention of a day that another mention names more precisely."""
    kept: list[_Found] = []
    for f in found:
        if any(k.mention.start == f.mention.start for k in kept):
            continue
        finer = any(
            o is not f and o.day == f.day and (
                (o.clocked and not f.clocked and (f.part is None or o.part is None or o.part == f.part))
                or (o.part and not f.part and not f.clocked and not o.clocked))
            for o in found
        )
        if not finer:
            kept.append(f)
    return kept
