"""The SLA clock of each ticket: due times from its policy stored on the ticket, and one durable timer per alert —
(ticket, target, level), keyed `sla:{code}:{target}:{level}` — so each alert fires once ever, across restarts and
processes, and the worker wakes at the next due time instead of scanning open tickets.

The ticket service calls in when a ticket opens, changes type or priority, gets its first response, and when its
clock stops (pending customer or parts, resolved, closed, cancelled) or runs again: a pause holds the timers, and
leaving it moves every due time on by the business time spent paused before the timers are scheduled again."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from core.clock import Clock
from core.domain.sla import FIRST_RESPONSE, RESOLUTION, TARGETS, Deadline, Deadlines, SlaSettings, SlaState
from core.services.timers import TimerService
from core.storage.models import Ticket

SLA_TIMER = "sla"
"""The timer kind of SLA alerts; payload `{"ticket", "target", "level"}`."""


def timer_key(code: str, target: str = "", level: int | None = None) -> str:
    """`sla:{code}:{target}:{level}`; without the level (and target), the prefix of a target's (ticket's) timers."""
    if level is not None:
        return f"{SLA_TIMER}:{code}:{target}:{level}"
    return f"{SLA_TIMER}:{code}:{target}:" if target else f"{SLA_TIMER}:{code}:"


class SlaService:
    def __init__(self, *, settings: SlaSettings, timers: TimerService, clock: Clock) -> None:
        self.settings = settings
        self._timers = timers
        self._clock = clock

    async def start(self, ticket: Ticket) -> None:
        """A new ticket: its policy's due times, and its alerts scheduled."""
        _store(ticket, self.settings.deadlines(ticket.type, ticket.priority, ticket.created_at))
        await self._arm(ticket)

    async def retarget(self, ticket: Ticket, pauses: Sequence[tuple[datetime, datetime]]) -> None:
        """The type or priority changed: due times from the policy that now applies, counted from the opening and
        moved on by every pause so far. Alerts already sent stay sent; a paused clock stays paused."""
        deadlines = self.settings.deadlines(ticket.type, ticket.priority, ticket.created_at)
        if deadlines is not None:
            for paused_from, paused_until in pauses:
                deadlines = _extended(deadlines, paused_from, paused_until)
        _store(ticket, deadlines)
        for target in TARGETS:
            if deadline_of(ticket, target) is None:
                await self._timers.cancel_prefix(timer_key(ticket.code, target))
        if ticket.clock_stopped_at is None:
            await self._arm(ticket)

    async def responded(self, ticket: Ticket) -> None:
        """The first response was made: its alerts not yet sent never will be."""
        await self._timers.cancel_prefix(timer_key(ticket.code, FIRST_RESPONSE))

    async def stop(self, ticket: Ticket, *, final: bool) -> None:
        """The clock stops: for now (its alerts held), or for good (closed, cancelled: cancelled)."""
        if ticket.clock_stopped_at is None:
            ticket.clock_stopped_at = self._clock.now()
        prefix = timer_key(ticket.code)
        await (self._timers.cancel_prefix(prefix) if final else self._timers.hold_prefix(prefix))

    async def resume(self, ticket: Ticket) -> None:
        """The clock runs again: due times move on by the business time it stood still, and the alerts not yet
        sent (nor stopped by an acknowledgement) are scheduled at the new times."""
        stopped_at = ticket.clock_stopped_at
        if stopped_at is None:
            return
        ticket.clock_stopped_at = None
        policy = self.settings.policy_for(ticket.type, ticket.priority)
        if policy is None:
            return
        now = self._clock.now()
        for target in TARGETS:
            deadline = deadline_of(ticket, target)
            if deadline is not None:
                _set(ticket, target, Deadline(warn_at=policy.extend(deadline.warn_at, stopped_at, now),
                                              due_at=policy.extend(deadline.due_at, stopped_at, now)))
        await self._arm(ticket)

    async def acknowledge(self, ticket: Ticket) -> list[str]:
        """Someone took charge of a breach: the escalation levels not yet sent of every breached target are
        cancelled. Returns those targets (none when nothing is breached)."""
        at = min(t for t in (ticket.clock_stopped_at, self._clock.now()) if t is not None)
        breached = [target for target in TARGETS if (deadline := deadline_of(ticket, target)) is not None
                    and deadline.state(at) is SlaState.BREACHED
                    and not (target == FIRST_RESPONSE and ticket.first_response_at is not None)]
        for target in breached:
            await self._timers.cancel_prefix(timer_key(ticket.code, target))
        return breached

    async def _arm(self, ticket: Ticket) -> None:
        """Schedule every alert of the targets still open: waiting ones move to their new times, sent and
        cancelled ones are left alone (a key fires once ever)."""
        policy = self.settings.policy_for(ticket.type, ticket.priority)
        if policy is None:
            return
        timers = []
        for target in TARGETS:
            deadline = deadline_of(ticket, target)
            if deadline is None or (target == FIRST_RESPONSE and ticket.first_response_at is not None):
                continue
            for level, due_at in self.settings.alert_times(policy, deadline).items():
                timers.append((timer_key(ticket.code, target, level), due_at,
                               {"ticket": ticket.code, "target": target, "level": level}))
        await self._timers.schedule_many(SLA_TIMER, timers)


def _extended(deadlines: Deadlines, paused_from: datetime, paused_until: datetime) -> Deadlines:
    def moved(deadline: Deadline | None) -> Deadline | None:
        if deadline is None:
            return None
        extend = deadlines.policy.extend
        return Deadline(warn_at=extend(deadline.warn_at, paused_from, paused_until),
                        due_at=extend(deadline.due_at, paused_from, paused_until))

    return Deadlines(policy=deadlines.policy, first_response=moved(deadlines.first_response),
                     resolution=moved(deadlines.resolution))


def _store(ticket: Ticket, deadlines: Deadlines | None) -> None:
    _set(ticket, FIRST_RESPONSE, deadlines.first_response if deadlines else None)
    _set(ticket, RESOLUTION, deadlines.resolution if deadlines else None)


def _set(ticket: Ticket, target: str, deadline: Deadline | None) -> None:
    setattr(ticket, f"{target}_warn_at", deadline.warn_at if deadline else None)
    setattr(ticket, f"{target}_due_at", deadline.due_at if deadline else None)


def deadline_of(ticket: Ticket, target: str) -> Deadline | None:
    due_at = getattr(ticket, f"{target}_due_at")
    return None if due_at is None else Deadline(warn_at=getattr(ticket, f"{target}_warn_at"), due_at=due_at)
