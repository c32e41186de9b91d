"""The SLA clock of each ticket: due times from its policy stored on the ticket, and one durable timer per target —
keyed `sla:{code}:{target}` — that comes due at the target's next alert (the warning, the breach, each escalation)
and moves on to the one after when it fires, in the transaction of the alert (handlers.sla_alerts): so each
(ticket, target, level) alert goes out once ever, across restarts and processes, and the worker wakes at the next due
time instead of scanning open tickets.

The ticket service calls in when a ticket opens, changes type or priority, gets its first response, and when its
clock stops (pending customer or parts, resolved, closed, cancelled) or runs again: a pause holds the timers, and
leaving it moves every due time on by the business time spent paused before the timers are scheduled again at the
level each had reached."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from core.clock import Clock
from core.domain.sla import (FIRST_RESPONSE, RESOLUTION, TARGETS, WARNING_LEVEL, Deadline, Deadlines, SlaSettings,
                             SlaState)
from core.services.timers import TimerService
from core.storage.models import Ticket, TimerStatus

SLA_TIMER = "sla"
"""The timer kind of SLA alerts; payload `{"ticket", "target", "level"}`, the level being the next alert's."""
_WAITING = (TimerStatus.PENDING, TimerStatus.HELD)


def timer_key(code: str, target: str = "") -> str:
    """`sla:{code}:{target}`; without the target, the prefix of the ticket's timers."""
    return f"{SLA_TIMER}:{code}:{target}" if target else f"{SLA_TIMER}:{code}:"


def alert_key(code: str, target: str, level: int) -> str:
    """What names one alert (its messages' idempotency keys and its webhook event start with it)."""
    return f"{timer_key(code, target)}:{level}"


class SlaService:
    def __init__(self, *, settings: SlaSettings, timers: TimerService, clock: Clock) -> None:
        self.settings = settings
        self._timers = timers
        self._clock = clock

    async def start(self, ticket: Ticket) -> None:
        """A new ticket: its policy's due times, and each target's warning scheduled."""
        deadlines = self.settings.deadlines(ticket.type, ticket.priority, ticket.created_at)
        _store(ticket, deadlines)
        if deadlines is not None:
            await self._timers.schedule_many(SLA_TIMER, [
                (timer_key(ticket.code, target), deadline.warn_at, _payload(ticket.code, target, WARNING_LEVEL))
                for target, deadline in ((FIRST_RESPONSE, deadlines.first_response),
                                         (RESOLUTION, deadlines.resolution)) if deadline is not None])

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
                await self._timers.cancel(timer_key(ticket.code, target))
        if ticket.clock_stopped_at is None:
            await self._arm(ticket)

    async def responded(self, ticket: Ticket) -> None:
        """The first response was made: its alerts not yet sent never will be."""
        await self._timers.cancel(timer_key(ticket.code, FIRST_RESPONSE))

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
            await self._timers.cancel(timer_key(ticket.code, target))
        return breached

    async def _arm(self, ticket: Ticket) -> None:
        """Schedule the next alert of each target still open at its time now, at the level its timer had reached
        (a new timer starts at the warning); a timer whose chain is done or that was cancelled stays so."""
        policy = self.settings.policy_for(ticket.type, ticket.priority)
        if policy is None:
            return
        targets = {timer_key(ticket.code, target): (target, deadline) for target in TARGETS
                   if (deadline := deadline_of(ticket, target)) is not None
                   and not (target == FIRST_RESPONSE and ticket.first_response_at is not None)}
        standing = await self._timers.standing(list(targets))
        timers = []
        for key, (target, deadline) in targets.items():
            status, payload = standing.get(key, (TimerStatus.PENDING, {"level": WARNING_LEVEL}))
            level = int(payload["level"])
            due_at = self.settings.alert_time(policy, deadline, level)
            if status in _WAITING and due_at is not None:
                timers.append((key, due_at, _payload(ticket.code, target, level)))
        await self._timers.schedule_many(SLA_TIMER, timers)


def _payload(code: str, target: str, level: int) -> dict[str, str | int]:
    return {"ticket": code, "target": target, "level": level}


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


DEADLINE_COLUMNS = tuple((target, f"{target}_warn_at", f"{target}_due_at") for target in TARGETS)
"""Each target's columns on a ticket row: (target, when it warns, when it is due)."""


def deadline_of(ticket: Ticket, target: str) -> Deadline | None:
    due_at = getattr(ticket, f"{target}_due_at")
    return None if due_at is None else Deadline(warn_at=getattr(ticket, f"{target}_warn_at"), due_at=due_at)
