"""People the hub talks to: customers (one person, many channel identities) and staff."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Mapping, Sequence

from core.domain.calendar import parse_shift
from core.domain.tickets import TicketType


class PersonKind(StrEnum):
    """A customer, or a staff member by role: technicians do field jobs, agents answer customers, supervisors and
    managers oversee (escalations go to them), admins run the hub."""

    CUSTOMER = "customer"
    TECHNICIAN = "technician"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


CUSTOMERS = frozenset({PersonKind.CUSTOMER})
STAFF_ROLES = frozenset(PersonKind) - CUSTOMERS
TECHNICIANS = frozenset({PersonKind.TECHNICIAN})
SUPERVISING_ROLES = frozenset({PersonKind.SUPERVISOR, PersonKind.MANAGER, PersonKind.ADMIN})
"""Roles that may acknowledge escalations and reassign jobs."""


@dataclass(frozen=True, slots=True)
class Person:
    """Who sent a message: a customer or a staff member, by kind and id."""

    kind: PersonKind
    id: int
    name: str
    locale: str

    @property
    def actor(self) -> str:
        """How the audit log names this person, e.g. `customer:12`."""
        return f"{self.kind.value}:{self.id}"


STAFF_CHANNELS = ("wecom", "slack", "email", "wechat", "webchat")
"""Channels a staff member can be known on (the keys of a staff file's `identities`)."""
TICKET_SKILLS = tuple(t.value for t in TicketType if t is not TicketType.OTHER)
"""Ticket types a staff member can be skilled in (`other` is never a job)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffView:
    """A staff member as the API and the staff file show them, with their identity on each channel."""

    id: int
    name: str
    role: str
    skills: tuple[str, ...]
    regions: tuple[str, ...]
    capacity: int
    daily_capacity: int
    leave: tuple[str, ...]
    working_hours: tuple[str, ...]
    on_duty: bool
    locale: str
    identities: Mapping[str, str]
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffSpec:
    """A staff member as written in a staff file or an API request. On an update, a field left None stays as it is;
    `identities` replaces the whole set. Bad values raise `ValueError` naming the field."""

    name: str | None = None
    role: str | None = None
    skills: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    capacity: int | None = None
    daily_capacity: int | None = None
    leave: tuple[str, ...] | None = None
    working_hours: tuple[str, ...] | None = None
    """`HH:MM-HH:MM` stretches in which visits are offered; empty for the hub's default."""
    on_duty: bool | None = None
    locale: str | None = None
    identities: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.name is not None and not self.name.strip():
            raise ValueError("name: must not be empty")
        if self.role is not None and self.role not in {r.value for r in STAFF_ROLES}:
            raise ValueError(f"role: {self.role!r} is not one of {', '.join(sorted(r.value for r in STAFF_ROLES))}")
        unknown = sorted(set(self.skills or ()) - set(TICKET_SKILLS))
        if unknown:
            raise ValueError(f"skills: unknown ticket types {', '.join(unknown)}")
        if self.capacity is not None and not 0 <= self.capacity <= 1000:
            raise ValueError("capacity: must be between 0 and 1000")
        if self.daily_capacity is not None and not 0 <= self.daily_capacity <= 1000:
            raise ValueError("daily_capacity: must be between 0 and 1000")
        for entry in self.leave or ():
            if not leave_days(entry):
                raise ValueError(f"leave: {entry!r} is not YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD (first day first)")
        for entry in self.working_hours or ():
            try:
                parse_shift(entry)
            except ValueError as exc:
                raise ValueError(f"working_hours: {exc}") from None
        if self.locale is not None and self.locale not in ("zh", "en"):
            raise ValueError("locale: must be zh or en")
        for channel, address in (self.identities or {}).items():
            if channel not in STAFF_CHANNELS:
                raise ValueError(f"identities: unknown channel {channel!r} (one of {', '.join(STAFF_CHANNELS)})")
            if not str(address).strip():
                raise ValueError(f"identities.{channel}: must not be empty")

    def to_create(self) -> StaffSpec:
        """The spec with the defaults of a new staff member filled in; a new member needs a name and a role."""
        if self.name is None or self.role is None:
            raise ValueError("name and role are required for a new staff member")
        return StaffSpec(name=self.name, role=self.role, skills=self.skills or (), regions=self.regions or (),
                         capacity=5 if self.capacity is None else self.capacity,
                         daily_capacity=self.daily_capacity or 0, leave=self.leave or (),
                         working_hours=self.working_hours or (),
                         on_duty=True if self.on_duty is None else self.on_duty, locale=self.locale or "zh",
                         identities=self.identities or {})


class StaffConflict(ValueError):
    """A staff member's name or a channel identity already belongs to someone else."""


def leave_days(entry: str) -> tuple[date, date] | None:
    """A leave entry as (first, last) day, or None when it is neither `YYYY-MM-DD` nor `YYYY-MM-DD/YYYY-MM-DD`."""
    first, _, last = entry.strip().partition("/")
    try:
        begin, end = date.fromisoformat(first), date.fromisoformat(last or first)
    except ValueError:
        return None
    return (begin, end) if begin <= end else None


def on_leave(leave: Sequence[str], day: date) -> bool:
    return any((span := leave_days(entry)) is not None and span[0] <= day <= span[1] for entry in leave)
