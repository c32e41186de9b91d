"""Staff files (`aftersales staff import FILE.toml`, the demo): `[[staff]]` tables of `name, role, skills, regions,
capacity, daily_capacity, leave, working_hours, on_duty, locale, identities = { wecom = …, slack = …, email = …,
wechat = … }`, read whole and checked before anything is written, every mistake named by its table and key."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Mapping

from core.domain.people import StaffSpec

KEYS = frozenset({"name", "role", "skills", "regions", "capacity", "daily_capacity", "leave", "working_hours",
                  "on_duty", "locale",
                  "identities"})


class StaffFileError(ValueError):
    """A staff file that cannot be imported; the message says where."""


def read_staff_file(path: Path) -> list[StaffSpec]:
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise StaffFileError(f"{path}: no such file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StaffFileError(f"{path}: {exc}") from exc
    tables = raw.get("staff")
    if not isinstance(tables, list) or not tables:
        raise StaffFileError(f"{path}: no [[staff]] tables")
    specs = [_spec(f"{path}: staff[{n}]", table) for n, table in enumerate(tables, 1)]
    names = [s.name for s in specs]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise StaffFileError(f"{path}: {duplicate!r} is listed twice")
    return specs


def _spec(where: str, table: Any) -> StaffSpec:
    if not isinstance(table, Mapping):
        raise StaffFileError(f"{where}: must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise StaffFileError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("name", "role"):
        if not isinstance(table.get(key), str):
            raise StaffFileError(f"{where}.{key}: required text")
    try:
        return StaffSpec(name=table["name"], role=table["role"], skills=_texts(table, "skills"),
                         regions=_texts(table, "regions"), capacity=_number(table, "capacity"),
                         daily_capacity=_number(table, "daily_capacity"), leave=_texts(table, "leave"),
                         working_hours=_texts(table, "working_hours"),
                         on_duty=_flag(table, "on_duty"), locale=table.get("locale"),
                         identities=_identities(table)).to_create()
    except (TypeError, ValueError) as exc:
        raise StaffFileError(f"{where}: {exc}") from exc


def _texts(table: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{key}: must be a list of text")
    return tuple(value)


def _number(table: Mapping[str, Any], key: str) -> int | None:
    value = table.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{key}: must be a whole number")
    return value


def _flag(table: Mapping[str, Any], key: str) -> bool | None:
    value = table.get(key)
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{key}: must be true or false")
    return value


def _identities(table: Mapping[str, Any]) -> dict[str, str] | None:
    value = table.get("identities")
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise TypeError("identities: must be a table of channel = \"id\"")
    return dict(value)
