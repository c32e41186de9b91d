"""`[sla]` as operators write it: policies matched in order, the defaults, deadlines, and every mistake named."""
from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.domain.calendar import AlwaysOpen, BusinessHours
from core.domain.sla import Deadline, unknown_recipients
from core.sla.config import parse_sla

SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, tzinfo=SH)

CONTRACT = """
calendar = "china"
business_hours = ["09:00-12:00", "13:30-18:00"]
timezone = "Asia/Shanghai"
holidays_file = ""
warn_at = 0.8
[[policy]]
types = ["*"]
priorities = ["P1"]
first_response = "30m"
resolution = "8h"
calendar = "24x7"
[[policy]]
types = ["complaint", "return"]
priorities = ["*"]
first_response = "1h"
[[policy]]
types = ["*"]
priorities = ["*"]
first_response = "4h"
resolution = "3d"
[[escalation]]
after = "0s"
notify = "supervisor"
[[escalation]]
after = "2h"
notify = "manager"
[[escalation]]
after = "1d"
notify = "王经理"
"""


def sla(text: str = CONTRACT, **extra: object):
    return parse_sla({**tomllib.loads(text), **extra})


def test_the_contract_example() -> None:
    settings = sla()
    assert isinstance(settings.calendar, BusinessHours) and settings.calendar.day_length == timedelta(hours=7.5)
    assert settings.timezone == SH and settings.warn_at == 0.8
    assert [p.key for p in settings.policies] == ["sla.policy[1]", "sla.policy[2]", "sla.policy[3]"]
    assert isinstance(settings.policies[0].calendar, AlwaysOpen)
    assert [(e.notify, e.key) for e in settings.escalations] == [
        ("supervisor", "sla.escalation[1]"), ("manager", "sla.escalation[2]"), ("王经理", "sla.escalation[3]")]


@pytest.mark.parametrize(("ticket_type", "priority", "policy"), [
    ("complaint", "P1", "sla.policy[1]"),      # first match wins, even over a more specific type
    ("repair", "P1", "sla.policy[1]"),
    ("complaint", "P3", "sla.policy[2]"),
    ("return", "P4", "sla.policy[2]"),
    ("repair", "P3", "sla.policy[3]"),
    ("inquiry", "P2", "sla.policy[3]"),
])
def test_first_matching_policy_wins_and_star_matches_anything(ticket_type: str, priority: str, policy: str) -> None:
    assert sla().policy_for(ticket_type, priority).key == policy


def test_no_policy_no_deadlines() -> None:
    settings = sla('[[policy]]\ntypes = ["repair"]\npriorities = ["P1", "P2"]\nresolution = "1d"\n')
    assert settings.policy_for("repair", "P3") is None and settings.deadlines("repair", "P3", MONDAY_9) is None
    assert settings.policy_for("repair", "P2").types == {"repair"}


def test_deadlines_count_business_days_and_warn_at_the_fraction() -> None:
    deadlines = sla().deadlines("repair", "P3", MONDAY_9)
    assert deadlines.first_response.due_at == MONDAY_9 + timedelta(hours=5, minutes=30)    # 4 h with lunch
    assert deadlines.first_response.warn_at == datetime(2026, 11, 23, 13, 42, tzinfo=SH)  # 3.2 h in
    assert deadlines.resolution.due_at == datetime(2026, 11, 25, 18, tzinfo=SH)           # three workdays
    complaint = sla().deadlines("complaint", "P2", MONDAY_9)
    assert complaint.resolution is None and complaint.first_response.due_at == MONDAY_9 + timedelta(hours=1)


def test_p1_runs_round_the_clock_where_days_are_24_hours() -> None:
    settings = sla(CONTRACT.replace('resolution = "8h"', 'resolution = "1d"'))
    saturday_night = datetime(2026, 11, 21, 23, tzinfo=SH)
    deadlines = settings.deadlines("repair", "P1", saturday_night)
    assert deadlines.first_response.due_at == saturday_night + timedelta(minutes=30)
    assert deadlines.resolution.due_at == saturday_night + timedelta(days=1)


def test_a_pause_moves_the_due_time_by_the_business_time_spent_paused() -> None:
    settings = sla()
    deadlines = settings.deadlines("repair", "P3", MONDAY_9)
    paused_from, paused_until = datetime(2026, 11, 23, 11, tzinfo=SH), datetime(2026, 11, 24, 10, tzinfo=SH)
    moved = deadlines.policy.extend(deadlines.first_response.due_at, paused_from, paused_until)
    # 2 h were left at 11:00 on Monday (11:00–12:00 and 13:30–14:30); they run from 10:00 on Tuesday.
    assert moved == datetime(2026, 11, 24, 12, tzinfo=SH)


def test_escalation_times_follow_the_breach_in_the_policy_calendar() -> None:
    settings = sla()
    friday_evening = datetime(2026, 11, 20, 17, 30, tzinfo=SH)
    breached = Deadline(warn_at=friday_evening - timedelta(hours=1), due_at=friday_evening)
    business = settings.policy_for("repair", "P3")
    assert [settings.alert_time(business, breached, level) for level in range(5)] == [
        friday_evening - timedelta(hours=1), friday_evening, datetime(2026, 11, 23, 10, 30, tzinfo=SH),
        datetime(2026, 11, 23, 17, 30, tzinfo=SH), None]
    always = settings.policy_for("repair", "P1")
    assert [settings.alert_time(always, breached, level) for level in (2, 3)] == [
        friday_evening + timedelta(hours=2), friday_evening + timedelta(days=1)]


def test_defaults_without_policies_or_escalations() -> None:
    settings = parse_sla({})
    assert isinstance(settings.calendar, BusinessHours) and settings.warn_at == 0.8
    summary = [(p.key, sorted(p.priorities), sorted(p.types), p.first_response, p.resolution, p.calendar.name)
               for p in settings.policies]
    assert [(key, calendar) for key, *_, calendar in summary] == [
        ("default P1", "24x7"), ("default P2", "china"), ("default P3", "china"), ("default P4", "china")]
    p1, p2, p3, p4 = settings.policies
    assert p1.first_response.time == timedelta(minutes=30) and p1.resolution.time == timedelta(hours=8)
    assert (p2.first_response.time, p2.resolution.days) == (timedelta(hours=2), 1)
    assert (p3.first_response.time, p3.resolution.days) == (timedelta(hours=4), 3)
    assert (p4.first_response.days, p4.resolution.days) == (1, 5)
    assert all(p.types == {"*"} for p in settings.policies)
    assert [(e.after.time, e.notify, e.key) for e in settings.escalations] == [
        (timedelta(0), "supervisor", None), (timedelta(hours=2), "manager", None)]


def test_escalation_to_nobody_is_named_and_the_default_chain_is_not_checked() -> None:
    settings = sla()
    assert unknown_recipients(settings, roles={"supervisor", "technician"}, names={"张三"}) == {
        "sla.escalation[2].notify": "manager", "sla.escalation[3].notify": "王经理"}
    assert unknown_recipients(settings, roles={"supervisor", "manager"}, names={"王经理"}) == {}
    assert unknown_recipients(parse_sla({}), roles=set(), names=set()) == {}


def test_business_hours_and_warn_at_from_environment_strings() -> None:
    settings = parse_sla({"business_hours": "08:30-12:00, 13:00-17:30", "warn_at": "0.5"})
    assert settings.calendar.day_length == timedelta(hours=8) and settings.warn_at == 0.5


POLICY = '[[policy]]\nfirst_response = "1h"\n'


@pytest.mark.parametrize(("text", "extra", "message"), [
    ("", {"tick": "1s"}, r"unknown key sla\.tick"),
    ("", {"calendar": "moon"}, r"sla\.calendar: unknown calendar 'moon'"),
    (POLICY + POLICY + 'calendar = "weekdays"\n', {}, r"sla\.policy\[2\]\.calendar: unknown calendar"),
    ("", {"business_hours": ["09:00-12:00", "11:00-13:00"]}, r"sla\.business_hours: 09:00-12:00 and 11:00-13:00 overlap"),
    ("", {"business_hours": ["13:30-18:00", "09:00-14:00"]}, r"sla\.business_hours: .* overlap"),
    ("", {"business_hours": ["09:00-12:00", "18:00-09:00"]}, r"sla\.business_hours\[2\]: .*start before it ends"),
    ("", {"business_hours": ["9-12"]}, r"sla\.business_hours\[1\]: '9-12' is not HH:MM-HH:MM"),
    ("", {"business_hours": ["09:00-24:30"]}, r"sla\.business_hours\[1\]: .* not a time of day"),
    ("", {"business_hours": []}, r"sla\.business_hours: a list"),
    (POLICY + '[[policy]]\ntypes = ["repair"]\n', {}, r"sla\.policy\[2\]: sets neither first_response nor resolution"),
    (POLICY + POLICY.replace('"1h"', '"soon"'), {}, r"sla\.policy\[2\]\.first_response: bad duration 'soon'"),
    (POLICY + 'resolution = "0s"\n', {}, r"sla\.policy\[1\]\.resolution: a target must be longer than 0"),
    (POLICY + 'types = ["repiar"]\n', {}, r"sla\.policy\[1\]\.types: unknown 'repiar'"),
    (POLICY + 'priorities = ["P5"]\n', {}, r"sla\.policy\[1\]\.priorities: unknown 'P5'"),
    (POLICY + 'priorities = [{ p = 1 }]\n', {}, r"sla\.policy\[1\]\.priorities: unknown \{'p': 1\}"),
    (POLICY + 'priorities = []\n', {}, r"sla\.policy\[1\]\.priorities: a list"),
    (POLICY + 'target = "1h"\n', {}, r"unknown key sla\.policy\[1\]\.target"),
    ("policy = []\n", {}, r"sla\.policy: write one or more \[\[sla\.policy\]\] tables"),
    ("", {"policy": "P1"}, r"sla\.policy: write one or more"),
    ("", {"warn_at": 1.0}, r"sla\.warn_at: a fraction between 0 and 1"),
    ("", {"warn_at": 0}, r"sla\.warn_at"),
    ("", {"warn_at": "soon"}, r"sla\.warn_at"),
    ("", {"timezone": "Asia/Beijing"}, r"sla\.timezone: unknown time zone 'Asia/Beijing'"),
    ('[[escalation]]\nafter = "0s"\nnotify = "supervisor"\n[[escalation]]\nafter = "2 hours"\nnotify = "manager"\n',
     {}, r"sla\.escalation\[2\]\.after: bad duration"),
    ('[[escalation]]\nafter = "0s"\n', {}, r"sla\.escalation\[1\]\.notify: name a staff role"),
    ('[[escalation]]\nnotify = "manager"\n', {}, r"sla\.escalation\[1\]\.after: missing"),
    ("escalation = []\n", {}, r"sla\.escalation: write one or more"),
    ("", {"holidays_file": "/nonexistent/holidays.toml"}, r"sla\.holidays_file: cannot read /nonexistent/holidays\.toml"),
])
def test_every_mistake_names_its_key(text: str, extra: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sla(text, **extra)


@pytest.mark.parametrize(("content", "message"), [
    ('[2027]\nholidays = ["2027-02-07"]\nworkdays = ["2027-02-07"]\n', r"\[2027\]: 2027-02-07 is both a holiday and a workday"),
    ("[2027\nholidays = []\n", r"is not valid TOML"),
    ('[2027]\nholidays = ["2027-02-30"]\n', r"\[2027\]: holidays\[1\] = '2027-02-30' is not a date"),
    ('[2027]\nholidays = ["2027-01-01", "2028-01-01"]\n', r"\[2027\]: holidays\[2\] = 2028-01-01 is not in 2027"),
    ('[2027]\nholidays = [2027-01-01T00:00:00]\n', r"holidays\[1\] = .* is not a date"),
    ('[2027]\nholidays = "2027-01-01"\n', r"\[2027\]: holidays must be a list"),
    ('[2027]\nworkdays = ["2027-02-07"]\n', r"\[2027\]: lists no holidays"),
    ('[2027]\nholiday = ["2027-01-01"]\n', r"\[2027\]: unknown key holiday"),
    ('[next]\nholidays = ["2027-01-01"]\n', r"\[next\]: tables are years"),
    ('2027 = ["2027-01-01"]\n', r"\[2027\]: must be a table"),
])
def test_a_bad_holidays_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(ValueError, match=r"^sla\.holidays_file: .*" + message):
        parse_sla({"holidays_file": str(path)})
