"""SLA policies, targets and the escalation chain: which promise applies to a ticket, and when it falls due.

Pure rules, read from `[sla]` by `core.sla.config`. The clock that stores due times and sends alerts builds on them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Iterable
from zoneinfo import ZoneInfo

from core.domain.calendar import BusinessCalendar

ANY = "*"
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, RESOLUTION)
"""The two promises a policy makes, in the order they fall due."""
WARNING_LEVEL = 0
"""The alert level of the warning before a breach; the breach is level 1 of the escalation chain, then 2, 3, …"""


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


@dataclass(frozen=True, kw_only=True)
class Target:
    """A span as written in config: days count as the calendar's business days ("3d" = three workdays on the
    china calendar, 72 hours on 24x7); hours, minutes and seconds count as business time."""

    days: float = 0.0
    time: timedelta = timedelta(0)

    def on(self, calendar: BusinessCalendar) -> timedelta:
        """The business time this target stands for on `calendar`."""
        return calendar.day_length * self.days + self.time


@dataclass(frozen=True, kw_only=True)
class Deadline:
    """When one target warns and when it is breached (UTC)."""

    warn_at: datetime
    due_at: datetime

    def state(self, at: datetime) -> SlaState:
        """Where the target stands at `at`: the time it was met, the clock stopped, or now."""
        if at >= self.due_at:
            return SlaState.BREACHED
        return SlaState.WARNING if at >= self.warn_at else SlaState.OK


@dataclass(frozen=True, kw_only=True)
class Policy:
    types: frozenset[str]
    priorities: frozenset[str]
    first_response: Target | None
    resolution: Target | None
    calendar: BusinessCalendar
    key: str
    """Where it was written (`sla.policy[2]`), or `default P1` for a built-in policy."""

    def matches(self, ticket_type: str, priority: str) -> bool:
        return ((ANY in self.types or ticket_type in self.types)
                and (ANY in self.priorities or priority in self.priorities))

    def deadline(self, target: Target, start: datetime, warn_at: float) -> Deadline:
        """Warning and due time of `target` counted from `start` in this policy's calendar."""
        span = target.on(self.calendar)
        return Deadline(warn_at=self.calendar.add(start, span * warn_at), due_at=self.calendar.add(start, span))

    def extend(self, instant: datetime, paused_from: datetime, paused_until: datetime) -> datetime:
        """Move a warning or due time on by the business time a ticket spent paused (pending customer or parts)."""
        return self.calendar.add(instant, self.calendar.elapsed(paused_from, paused_until))


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """One level of the chain: who is told, and how long after the breach (in the ticket's policy calendar)."""

    after: Target
    notify: str
    """A staff role (`supervisor`, `manager`, …) or one staff member's name."""
    key: str | None
    """Where it was written (`sla.escalation[2]`); None for the built-in chain."""


@dataclass(frozen=True, kw_only=True)
class Deadlines:
    """The SLA a new ticket gets: its policy and the deadline of each target the policy sets."""

    policy: Policy
    first_response: Deadline | None
    resolution: Deadline | None


@dataclass(frozen=True, kw_only=True)
class SlaSettings:
    calendar: BusinessCalendar
    """The default calendar; a policy may name another."""
    timezone: ZoneInfo
    warn_at: float
    policies: tuple[Policy, ...]
    escalations: tuple[Escalation, ...]

    def policy_for(self, ticket_type: str, priority: str) -> Policy | None:
        """The first policy that matches, in the order they were written."""
        return next((p for p in self.policies if p.matches(ticket_type, priority)), None)

    def deadlines(self, ticket_type: str, priority: str, opened_at: datetime) -> Deadlines | None:
        """Deadlines for a ticket opened at `opened_at`, or None when no policy covers it."""
        policy = self.policy_for(ticket_type, priority)
        if policy is None:
            return None
        def deadline(target: Target | None) -> Deadline | None:
            return None if target is None else policy.deadline(target, opened_at, self.warn_at)

        return Deadlines(policy=policy, first_response=deadline(policy.first_response),
                         resolution=deadline(policy.resolution))

    def alert_time(self, policy: Policy, deadline: Deadline, level: int) -> datetime | None:
        """When alert `level` of one target is due: the warning (`WARNING_LEVEL`) at `warn_at`, then each level of
        the chain counted from the due time (level 1 is the breach alert); None past the chain's last level."""
        if level == WARNING_LEVEL:
            return deadline.warn_at
        if level > len(self.escalations):
            return None
        return policy.calendar.add(deadline.due_at, self.escalations[level - 1].after.on(policy.calendar))

    def recipient(self, level: int) -> str:
        """Who hears of alert `level`: the warning and the breach go to the first level of the chain."""
        return self.escalations[max(level, 1) - 1].notify


def unknown_recipients(settings: SlaSettings, *, roles: Iterable[str], names: Iterable[str]) -> dict[str, str]:
    """Configured escalation levels that nobody would receive: `{"sla.escalation[2].notify": "manager"}`.

    Staff live in the database, so this is checked when the hub starts, not when config is read. The built-in
    chain is not checked: a hub with no staff yet still starts, and its alerts still reach the alert channels.
    """
    known = set(roles) | set(names)
    return {f"{level.key}.notify": level.notify for level in settings.escalations
            if level.key is not None and level.notify not in known}
