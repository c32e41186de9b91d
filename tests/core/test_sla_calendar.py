"""Business-time arithmetic as the SLA clock will use it: nights, weekends, Chinese holidays, 调休 and other zones."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.domain.calendar import AlwaysOpen, BusinessHours
from core.sla.config import parse_sla

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def at(month: int, day: int, hour: int, minute: int = 0, *, year: int = 2026, zone: ZoneInfo = SH) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def china(**sla: object) -> BusinessHours:
    calendar = parse_sla({"calendar": "china", **sla}).calendar
    assert isinstance(calendar, BusinessHours)
    return calendar


@pytest.fixture(scope="module")
def cal() -> BusinessHours:
    """09:00–12:00 and 13:30–18:00 on Chinese workdays, Asia/Shanghai: the contract's example."""
    return china()


def test_friday_evening_plus_two_hours_is_monday_morning(cal: BusinessHours) -> None:
    assert cal.add(at(11, 20, 17), 2 * H) == at(11, 23, 10)
    assert cal.elapsed(at(11, 20, 17), at(11, 23, 10)) == 2 * H


def test_national_day_2026_is_skipped(cal: BusinessHours) -> None:
    # Wednesday 30 September, then 1–7 October off (国庆 with 中秋 nearby): the clock resumes on Thursday the 8th.
    assert cal.add(at(9, 30, 17), 4 * H) == at(10, 8, 12)
    assert cal.elapsed(at(9, 30, 12), at(10, 8, 9)) == timedelta(hours=4, minutes=30)


@pytest.mark.parametrize("saturday", [at(2, 14, 9), at(10, 10, 9)])
def test_a_make_up_saturday_in_2026_is_a_workday(cal: BusinessHours, saturday: datetime) -> None:
    friday_evening = saturday - timedelta(hours=16)
    assert cal.add(friday_evening, 2 * H) == saturday + H
    assert cal.elapsed(saturday, saturday + timedelta(hours=9)) == timedelta(hours=7, minutes=30)


def test_an_ordinary_saturday_and_the_spring_festival_are_not(cal: BusinessHours) -> None:
    assert cal.elapsed(at(11, 21, 0), at(11, 23, 0)) == timedelta(0)
    # Spring Festival 2026: 15–23 February off, Saturday the 14th worked; Tuesday the 24th is the next workday.
    assert cal.add(at(2, 14, 17), 2 * H) == at(2, 24, 10)


def test_split_shifts_leave_the_lunch_break_out(cal: BusinessHours) -> None:
    assert cal.add(at(11, 23, 11), 2 * H) == at(11, 23, 14, 30)
    assert cal.elapsed(at(11, 23, 11, 30), at(11, 23, 14)) == H


def test_an_instant_in_the_lunch_break_starts_counting_at_13_30(cal: BusinessHours) -> None:
    assert cal.add(at(11, 23, 12, 30), H) == at(11, 23, 14, 30)
    assert cal.elapsed(at(11, 23, 12, 10), at(11, 23, 12, 50)) == timedelta(0)


def test_instants_outside_business_hours(cal: BusinessHours) -> None:
    assert cal.add(at(11, 23, 7), H) == at(11, 23, 10)
    assert cal.add(at(11, 21, 15), H) == at(11, 23, 10)            # Saturday → Monday
    assert cal.add(at(11, 23, 22), timedelta(minutes=30)) == at(11, 24, 9, 30)


def test_a_target_that_runs_out_at_closing_time_is_due_then_not_next_morning(cal: BusinessHours) -> None:
    assert cal.add(at(11, 23, 14), 4 * H) == at(11, 23, 18)
    assert cal.add(at(11, 23, 18), timedelta(0)) == at(11, 23, 18)   # a pause of no business time moves nothing


def test_adding_what_elapsed_lands_where_counting_stopped(cal: BusinessHours) -> None:
    starts = [at(11, 20, h, m) for h in (0, 9, 11, 12, 13, 17, 18, 23) for m in (0, 30)] + [at(9, 30, 10), at(2, 13, 16)]
    spans = [timedelta(minutes=1), H, timedelta(hours=7, minutes=30), timedelta(hours=20), timedelta(hours=100)]
    for start in starts:
        for span in spans:
            due = cal.add(start, span)
            assert cal.elapsed(start, due) == span, (start, span)
            assert cal.elapsed(due, start) == -span
            assert cal.add(start, span - timedelta(seconds=1)) < due


def test_the_result_is_utc_and_instants_may_come_in_any_zone(cal: BusinessHours) -> None:
    due = cal.add(datetime(2026, 11, 20, 9, tzinfo=timezone.utc), 2 * H)   # 17:00 in Shanghai
    assert due.tzinfo is timezone.utc and due == at(11, 23, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add(datetime(2026, 11, 20, 9), H)
    with pytest.raises(ValueError, match="negative"):
        cal.add(at(11, 20, 9), -H)


def test_business_hours_in_a_zone_with_daylight_saving() -> None:
    berlin = china(timezone="Europe/Berlin", business_hours=["09:00-17:00"])
    # Clocks go forward on Sunday 29 March 2026; Monday still opens at 09:00 local time.
    assert berlin.add(at(3, 27, 16, zone=BERLIN), 2 * H) == at(3, 30, 10, zone=BERLIN)
    assert berlin.elapsed(at(3, 27, 9, zone=BERLIN), at(3, 30, 17, zone=BERLIN)) == 16 * H


def test_round_the_clock_counts_real_hours_across_daylight_saving() -> None:
    always = AlwaysOpen()
    assert always.add(at(3, 28, 12, zone=BERLIN), 24 * H) == at(3, 29, 13, zone=BERLIN)
    assert always.elapsed(at(3, 28, 12, zone=BERLIN), at(3, 29, 12, zone=BERLIN)) == 23 * H
    assert always.add(at(11, 20, 17), 2 * H) == at(11, 20, 19)


def test_a_shift_until_midnight() -> None:
    late = china(business_hours=["18:00-24:00"])
    assert late.add(at(11, 23, 23), 2 * H) == at(11, 24, 19)


def test_2027_without_a_holidays_file_falls_back_to_monday_to_friday_with_one_warning_per_year(
        caplog: pytest.LogCaptureFixture) -> None:
    cal = china()
    with caplog.at_level(logging.WARNING, logger="core.domain.workdays"):
        assert cal.add(at(1, 1, 17, year=2027), 2 * H) == at(1, 4, 10, year=2027)   # Friday → Monday
        assert cal.add(at(2, 10, 17, year=2027), 2 * H) == at(2, 11, 10, year=2027)
        assert cal.elapsed(at(1, 1, 0, year=2027), at(12, 31, 23, year=2027)) > timedelta(hours=1900)
        warned = [r.getMessage() for r in caplog.records]
        assert len(warned) == 1 and "2027" in warned[0] and "holidays_file" in warned[0]
        cal.add(at(3, 1, 9, year=2028), H)
        cal.add(at(3, 2, 9, year=2028), H)
    assert len(caplog.records) == 2 and "2028" in caplog.records[1].getMessage()


def test_2027_from_a_holidays_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text('[2027]\nholidays = ["2027-01-01", 2027-02-08, "2027-02-09", "2027-02-10", "2027-02-11", '
                    '"2027-02-12"]\nworkdays = ["2027-02-06"]\n', "utf-8")
    cal = china(holidays_file=str(path))
    with caplog.at_level(logging.WARNING):
        assert cal.add(at(12, 31, 17), 2 * H) == at(1, 4, 10, year=2027)              # New Year's Day off
        assert cal.add(at(2, 5, 17, year=2027), 2 * H) == at(2, 6, 10, year=2027)     # make-up Saturday
        assert cal.add(at(2, 6, 17, year=2027), 2 * H) == at(2, 15, 10, year=2027)    # the holiday week
    assert not caplog.records


def test_the_holidays_file_may_correct_a_year_the_package_knows(tmp_path: Path) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text('[2026]\nholidays = ["2026-11-23"]\n', "utf-8")
    assert china(holidays_file=str(path)).add(at(11, 20, 17), 2 * H) == at(11, 24, 10)
