"""When the customer bought the device, as they tell it ("去年双十一买的", "买了不到一个月就坏了", "用了两年",
"bought it in March"): what decides a free repair, an exchange or a return (三包: 7 days to return, 15 to exchange,
the warranty after that), written down for staff and the technician, who otherwise ask again.

Resolved against the message time in China time, at the precision the words carry: a day ("前天买的", "11月5号买的",
"双十一买的", "买了三天"), a month ("去年3月买的", "上个月买的", "买了两个月") or a year ("去年买的", "用了两年"). A span
("买了不到一个月", "bought 2 weeks ago") counts back from today. The result is ISO 8601 cut to that precision
("2025-11-11", "2025-03", "2024"): how it is kept on a ticket (`entities["purchase_dates"]`).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from .patterns import quick
from .times import CHINA, numeral

_NUM = r"(?:[0-9]{1,4}|[零一二两三四五六七八九十半]{1,3})"
_FESTIVALS = {"双十一": (11, 11), "双11": (11, 11), "双十二": (12, 12), "双12": (12, 12), "618": (6, 18),
              "六一八": (6, 18), "元旦": (1, 1), "国庆": (10, 1), "五一": (5, 1)}
_BOUGHT = (r"(?:(?:买|购买|购入|入手|下单|拍)(?:的|了|回来)|下的单)"
           r"(?!的?话|的?时候|会|能|可以|明天|啥时|什么时|几天|多久|了?(?:会|能|可以|明天|啥|什么|几天|多久))")
"""The buying, unless it is supposed ("今天拍的话", "今天买了明天能发吗", "双十二买回来，…可以退换吧" asks first)."""

# "去年双十一在京东买的", "2024年5月份买的", "上个月买的", "前天刚下的单": a day, month or year, then (a few words on,
# where it was bought) the buying.
_WHEN_BOUGHT = quick(
    rf"(?:(?P<year>20\d\d)年|(?P<rel_year>今年|去年|前年|大前年))?"
    rf"(?:(?P<festival>双十一|双11|双十二|双12|618|六一八|元旦|国庆|五一)"
    rf"|(?P<month>{_NUM})月(?:份)?(?:(?P<day>{_NUM})[号日])?|(?P<rel_month>上个?月|这个?月|本月)(?:(?P<rel_day>{_NUM})[号日])?"
    rf"|(?P<rel_week>上个?(?:周|星期|礼拜))(?P<weekday>[一二三四五六日天])?|(?P<rel_date>前天|昨天|大前天|今天))?"
    rf"(?:的?时候)?(?:刚|才)?(?:在[^，,。.!！?？\s]{{1,8}})?(?:刚|才)?{_BOUGHT}"
)
# "买了不到一个月", "刚买三天", "买回来才两周", "用了两年多", "三个月前买的": a span back from today. Bought for a span
# is a purchase that long ago; used for a span, at least that long ago.
_SPAN = quick(
    rf"(?:买|购买|入手|用)(?:了|回来)?(?:才|刚|还)?(?:不到|没到|没有|快|将近|差不多|大概|大约|刚|才|刚刚)?"
    rf"(?P<count>{_NUM})多?(?:个)?(?P<unit>天|周|星期|礼拜|月|年)(?!的?(?:延保|保修|会员|服务|保险|套餐))"
)
_SPAN_BEFORE = quick(
    rf"(?P<count>{_NUM})多?(?:个)?(?P<unit>天|周|星期|礼拜|月|年)(?:之)?前(?:刚|才)?(?:在[^，,。.!！?？\s]{{1,8}})?"
    rf"{_BOUGHT}"
)
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), 1)}
_ENGLISH = quick(
    r"\b(?:bought|purchased|ordered|got)\b(?: (?:it|this|them|one|(?:the|this|my|our) \w+))?(?: from \w+)?"
    r"(?: (?:in|on|back in|last))? (?:(?P<month>january|february|march|april|may|june|july|august|september|"
    r"october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b(?: (?P<year>20\d\d))?"
    r"|(?P<last>last (?:year|month|week))|(?P<only_year>20\d\d)\b|(?P<ago>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few) "
    r"(?P<unit>days?|weeks?|months?|years?) ago)",
    re.IGNORECASE,
)
_ENGLISH_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                    "eight": 8, "nine": 9, "ten": 10, "a few": 3}


def purchase_dates(text: str, now: datetime) -> tuple[str, ...]:
    """Each purchase date `text` tells of, ISO 8601 at the precision said, in order of appearance."""
    today = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).astimezone(CHINA).date()
    found: list[tuple[int, str]] = []
    for m in _WHEN_BOUGHT.finditer(text):
        if (said := _when_bought(m, today)) is not None:
            found.append((m.start(), said))
    for m in _ENGLISH.finditer(text):
        if (said := _english(m, today)) is not None:
            found.append((m.start(), said))
    if not found:  # "去年双十一买的，用了不到一个月就坏了": the span is how long it worked, not how long ago it was bought
        for pattern in (_SPAN, _SPAN_BEFORE):
            for m in pattern.finditer(text):
                if (said := _span(m, today)) is not None:
                    found.append((m.start(), said))
    dates: list[str] = []
    for _, said in sorted(found):
        if said not in dates:
            dates.append(said)
    return tuple(dates)


def _year(m: re.Match[str], today: date) -> int | None:
    if m.group("year"):
        return int(m.group("year"))
    if m.group("rel_year"):
        return today.year - ("今年", "去年", "前年", "大前年").index(m.group("rel_year"))
    return None


def _past(year: int | None, month: int, day: int, today: date) -> date | None:
    """The day, in `year` or else in the latest year it is not after today; None for an impossible one."""
    try:
        if year is not None:
            said = date(year, month, day)
            return said if said <= today else None
        said = date(today.year, month, day)
        return said if said <= today else date(today.year - 1, month, day)
    except ValueError:
        return None


def _when_bought(m: re.Match[str], today: date) -> str | None:
    year = _year(m, today)
    if m.group("festival"):
        said = _past(year, *_FESTIVALS[m.group("festival")], today)
        return said.isoformat() if said else None
    if m.group("month"):
        month = numeral(m.group("month"))
        if not 1 <= month <= 12:
            return None
        if m.group("day"):
            said = _past(year, month, numeral(m.group("day")), today)
            return said.isoformat() if said else None
        said = _past(year, month, 1, today)
        return said.isoformat()[:7] if said else None
    if m.group("rel_month"):
        month_start = today.replace(day=1)
        if m.group("rel_month").startswith("上"):
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        if m.group("rel_day"):
            try:
                return month_start.replace(day=numeral(m.group("rel_day"))).isoformat()
            except ValueError:
                return None
        return month_start.isoformat()[:7]
    if m.group("rel_week"):
        weekday = "一二三四五六日".find(m.group("weekday").replace("天", "日")) if m.group("weekday") else 0
        return (today - timedelta(days=today.weekday() + 7 - weekday)).isoformat()
    if m.group("rel_date"):
        back = {"今天": 0, "昨天": 1, "前天": 2, "大前天": 3}[m.group("rel_date")]
        return (today - timedelta(days=back)).isoformat()
    if year is not None:
        return str(year) if year <= today.year else None
    return None


def _back(today: date, count: int, unit: str) -> str | None:
    """The day, month or year `count` `unit`s before today, at the precision of the unit."""
    if unit in ("天", "day"):
        return (today - timedelta(days=count)).isoformat()
    if unit in ("周", "星期", "礼拜", "week"):
        return (today - timedelta(weeks=count)).isoformat()
    if unit in ("月", "month"):
        index = today.year * 12 + today.month - 1 - count
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    return str(today.year - count)


def _span(m: re.Match[str], today: date) -> str | None:
    count, unit = numeral(m.group("count")), m.group("unit")
    if m.group("count") == "半":  # 半年: six months; 半个月: two weeks
        count, unit = (6, "月") if unit == "年" else (15, "天") if unit == "月" else (0, unit)
    if count <= 0 or count > 30:
        return None
    return _back(today, count, unit)


def _english(m: re.Match[str], today: date) -> str | None:
    if m.group("month"):
        month = next(i for name, i in _MONTHS.items() if name.startswith(m.group("month").lower()[:3]))
        said = _past(int(m.group("year")) if m.group("year") else None, month, 1, today)
        return said.isoformat()[:7] if said else None
    if m.group("only_year"):
        return m.group("only_year") if int(m.group("only_year")) <= today.year else None
    if m.group("last"):
        unit = m.group("last").split()[-1].lower()
        return _back(today, 1, unit)
    count, unit = m.group("ago"), m.group("unit").lower().rstrip("s")
    number = _ENGLISH_NUMBERS.get(count.lower()) if not count.isdigit() else int(count)
    return _back(today, number, unit) if number else None
