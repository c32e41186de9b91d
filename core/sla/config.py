"""`[sla]` read and checked: calendars, policies and the escalation chain, each error naming its key.

Without `[[sla.policy]]` tables the hub uses `DEFAULT_POLICIES`; without `[[sla.escalation]]` tables,
`DEFAULT_ESCALATIONS`. Both are written here as they would be in TOML, and go through the same checks.
"""
from __future__ import annotations

from functools import cache
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.calendar import AlwaysOpen, BusinessCalendar, BusinessHours, Shift, parse_shift
from core.domain.sla import ANY, Escalation, Policy, SlaSettings, Target
from core.domain.tickets import Priority, TicketType
from core.domain.workdays import ChinaWorkdays
from core.durations import parse_days
from core.sla.holidays import load_holidays

DEFAULT_POLICIES: tuple[Mapping[str, Any], ...] = (
    {"priorities": ["P1"], "first_response": "30m", "resolution": "8h", "calendar": "24x7"},
    {"priorities": ["P2"], "first_response": "2h", "resolution": "1d"},
    {"priorities": ["P3"], "first_response": "4h", "resolution": "3d"},
    {"priorities": ["P4"], "first_response": "1d", "resolution": "5d"},
)
"""P1 (safety) around the clock; the others in business time of the default calendar."""
DEFAULT_ESCALATIONS: tuple[Mapping[str, Any], ...] = (
    {"after": "0s", "notify": "supervisor"},
    {"after": "2h", "notify": "manager"},
)
CALENDARS = ("china", "24x7")
_KEYS = {"calendar", "business_hours", "timezone", "holidays_file", "warn_at", "policy", "escalation"}
_POLICY_KEYS = {"types", "priorities", "first_response", "resolution", "calendar"}
_ESCALATION_KEYS = {"after", "notify"}


def parse_sla(raw: Mapping[str, Any]) -> SlaSettings:
    """Build the settings from the `[sla]` table; raises ValueError whose message starts with the key at fault."""
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ValueError(f"unknown key sla.{unknown[0]}")
    zone = _zone(raw.get("timezone", "Asia/Shanghai"))
    holidays_file = _text("sla.holidays_file", raw.get("holidays_file", ""))
    workdays = ChinaWorkdays(load_holidays(holidays_file) if holidays_file else None)
    calendars: dict[str, BusinessCalendar] = {
        "china": _china(raw.get("business_hours", ["09:00-12:00", "13:30-18:00"]), zone, workdays),
        "24x7": AlwaysOpen(),
    }
    default = calendars[_calendar_name("sla.calendar", raw.get("calendar", "china"))]
    policies = _tables(raw, "policy", DEFAULT_POLICIES)
    escalations = _tables(raw, "escalation", DEFAULT_ESCALATIONS)
    return SlaSettings(
        calendar=default, timezone=zone, warn_at=_warn_at(raw.get("warn_at", 0.8)),
        policies=tuple(_policy(key, table, calendars, default) for key, table in policies),
        escalations=tuple(_escalation(key, table) for key, table in escalations))


@cache
def builtin_sla() -> SlaSettings:
    """The service levels of a hub whose config has no `[sla]`: the defaults above, built once per process."""
    return parse_sla({})


def _tables(raw: Mapping[str, Any], name: str, defaults: Sequence[Mapping[str, Any]]
            ) -> list[tuple[str | None, Mapping[str, Any]]]:
    """The `[[sla.NAME]]` tables with their keys (1-based, as a reader counts them), or the defaults keyed None."""
    if name not in raw:
        return [(None, table) for table in defaults]
    tables = raw[name]
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"sla.{name}: write one or more [[sla.{name}]] tables, or none for the defaults")
    return [(f"sla.{name}[{number}]", table) for number, table in enumerate(tables, 1)]


def _policy(key: str | None, table: Any, calendars: Mapping[str, BusinessCalendar],
            default: BusinessCalendar) -> Policy:
    label = key or f"default {table['priorities'][0]}"
    _check_table(label, table, _POLICY_KEYS)
    first_response = _target(f"{label}.first_response", table.get("first_response"))
    resolution = _target(f"{label}.resolution", table.get("resolution"))
    if first_response is None and resolution is None:
        raise ValueError(f"{label}: sets neither first_response nor resolution")
    calendar = table.get("calendar")
    return Policy(
        types=_names(f"{label}.types", table.get("types", [ANY]), TicketType),
        priorities=_names(f"{label}.priorities", table.get("priorities", [ANY]), Priority),
        first_response=first_response, resolution=resolution, key=label,
        calendar=default if calendar is None else calendars[_calendar_name(f"{label}.calendar", calendar)])


def _escalation(key: str | None, table: Any) -> Escalation:
    label = key or "default escalation"
    _check_table(label, table, _ESCALATION_KEYS)
    notify = table.get("notify")
    if not isinstance(notify, str) or not notify.strip():
        raise ValueError(f"{label}.notify: name a staff role (e.g. supervisor) or a staff member")
    if "after" not in table:
        raise ValueError(f"{label}.after: missing (\"0s\" = at the breach)")
    return Escalation(after=_span(f"{label}.after", table["after"]), notify=notify.strip(), key=key)


def _check_table(label: str, table: Any, keys: set[str]) -> None:
    if not isinstance(table, Mapping):
        raise ValueError(f"{label}: must be a table")
    unknown = sorted(set(table) - keys)
    if unknown:
        raise ValueError(f"unknown key {label}.{unknown[0]}")


def _target(key: str, value: Any) -> Target | None:
    if value is None:
        return None
    target = _span(key, value)
    if not target.days and not target.time:
        raise ValueError(f"{key}: a target must be longer than 0")
    return target


def _span(key: str, value: Any) -> Target:
    try:
        days, time = parse_days(value)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from exc
    return Target(days=days, time=time)


def _names(key: str, value: Any, vocabulary: type) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(f"{key}: a list such as [\"*\"]")
    allowed = {member.value for member in vocabulary} | {ANY}
    for item in items:
        if not isinstance(item, str) or item not in allowed:
            raise ValueError(f"{key}: unknown {item!r} (one of {', '.join(sorted(allowed))})")
    return frozenset(items)


def _calendar_name(key: str, value: Any) -> str:
    if value not in CALENDARS:
        raise ValueError(f"{key}: unknown calendar {value!r} (one of {', '.join(CALENDARS)})")
    return value


def _zone(value: Any) -> ZoneInfo:
    try:
        return ZoneInfo(_text("sla.timezone", value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"sla.timezone: unknown time zone {value!r} (e.g. Asia/Shanghai)") from exc


def _warn_at(value: Any) -> float:
    try:
        fraction = None if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        fraction = None
    if fraction is None or not 0 < fraction < 1:
        raise ValueError(f"sla.warn_at: a fraction between 0 and 1 (e.g. 0.8), not {value!r}")
    return fraction


def _china(business_hours: Any, zone: ZoneInfo, workdays: ChinaWorkdays) -> BusinessHours:
    shifts = _shifts(business_hours)
    try:
        return BusinessHours(name="china", shifts=shifts, zone=zone, workdays=workdays)
    except ValueError as exc:
        raise ValueError(f"sla.business_hours: {exc}") from exc


def _shifts(value: Any) -> list[Shift]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError("sla.business_hours: a list such as [\"09:00-12:00\", \"13:30-18:00\"]")
    shifts = []
    for number, item in enumerate(items, 1):
        key = f"sla.business_hours[{number}]"
        if not isinstance(item, str):
            raise ValueError(f"{key}: {item!r} is not HH:MM-HH:MM")
        try:
            shifts.append(parse_shift(item))
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from exc
    return shifts


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key}: text expected, not {value!r}")
    return value
