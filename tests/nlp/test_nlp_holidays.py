"""Visits put off until a public holiday is over ("元旦之后来吧", "过完年再来"): the day after the holiday's days off."""
from datetime import datetime, timezone

import pytest

from nlp.entities import extract_entities
from nlp.normalize import normalize
from nlp.understander import load_understander

DECEMBER = datetime(2026, 12, 3, 4, 0, tzinfo=timezone.utc)  # Thursday 12:00 in China; 2027 not yet in chinese-calendar
OCTOBER = datetime(2026, 10, 3, 4, 0, tzinfo=timezone.utc)  # during the 2026 National Day holiday (1–7 October)
JANUARY = datetime(2026, 1, 20, 4, 0, tzinfo=timezone.utc)  # before the 2026 Spring Festival (15–23 February off)


def said(text: str, now: datetime = DECEMBER) -> list[tuple[str, str, bool]]:
    return [(t.text, t.recorded(), t.bookable) for t in extract_entities(normalize(text), now).times]


def day(iso: str, hours: tuple[str, str] = ("09:00", "18:00")) -> str:
    return f"{iso}T{hours[0]}:00+08:00/{iso}T{hours[1]}:00+08:00"


@pytest.mark.parametrize(("text", "mention", "first_day"), [
    ("元旦之后来吧", "元旦之后", "2027-01-04"),  # statutory 1 January, a Friday, and the weekend after it
    ("国庆节后再说吧", "国庆节后", "2027-10-04"),  # 1–3 October 2027 by law, then a Monday
    ("过完年再来", "过完年", "2027-02-09"),  # 除夕 5 February to 初三 8 February 2027
    ("年后吧", "年后", "2027-02-09"),
    ("过了五一再上门", "过了五一", "2027-05-03"),
    ("清明节后", "清明节后", "2027-04-06"),
    ("中秋那天可以", "中秋那天", "2027-09-15"),
    ("正月初十来", "正月初十", "2027-02-15"),
    ("初八以后", "初八以后", "2027-02-13"),
    ("can someone come after new year?", "after new year", "2027-01-04"),
    ("after Chinese New Year please", "after Chinese New Year", "2027-02-09"),
    ("after the national day holiday", "after the national day holiday", "2027-10-04"),
    ("during the Mid-Autumn festival is fine", "during the Mid-Autumn festival", "2027-09-15"),
])
def test_a_holiday_names_the_day_after_its_days_off_or_its_own_day(text: str, mention: str, first_day: str) -> None:
    """"元旦之后来吧" was answered "抱歉让您不开心了" and no time was put on the ticket."""
    assert said(text) == [(mention, day(first_day), True)]


def test_the_official_schedule_decides_where_it_is_known() -> None:
    assert said("国庆后来吧", OCTOBER) == [("国庆后", day("2026-10-08"), True)]
    assert said("春节后", JANUARY) == [("春节后", day("2026-02-24"), True)]
    assert said("春节期间能上门吗", JANUARY) == [("春节期间", day("2026-02-15"), True)]
    assert said("元旦后", datetime(2027, 1, 2, 4, 0, tzinfo=timezone.utc)) == [("元旦后", day("2027-01-04"), True)]


def test_a_part_of_day_or_a_clock_time_right_after_the_holiday_is_on_its_day() -> None:
    assert said("元旦后上午来") == [("元旦后上午", day("2027-01-04", ("09:00", "12:00")), True)]
    assert said("过完年 下午三点可以") == [("过完年 下午三点", "2027-02-09T15:00:00+08:00", True)]


@pytest.mark.parametrize("text", [
    "一年后就坏了", "两年前买的", "五一路88号3楼", "国庆的时候买的", "元旦不在家", "元旦前能修好吗", "初一学生",
    "I'm not home during the Spring Festival", "it broke before national day", "before Chinese New Year if possible",
])
def test_years_streets_the_past_and_deadlines_are_no_day_to_book(text: str) -> None:
    assert [t for t in said(text) if t[2]] == []


def test_a_holiday_told_as_agreed_before_or_asked_about_is_no_time_offered() -> None:
    assert said("约了元旦后来") == [("元旦后", day("2027-01-04"), False)]
    assert said("年后什么时候能来") == [("年后", day("2027-02-09"), False)]


def test_a_message_that_only_puts_the_visit_off_is_a_detail() -> None:
    understander = load_understander()
    for text in ("元旦之后来吧", "国庆节后再说吧", "过完年再来修吧"):
        assert understander.understand(text, now=DECEMBER).intent == "add_detail", text
