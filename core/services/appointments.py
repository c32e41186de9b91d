"""Visits agreed with the customer: the slots to offer (from the technician's working calendar), the one agreed (on
the ticket, audited), and a reminder to both sides an hour before (a durable timer, moved when the visit is)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain import visits
from core.domain.calendar import Shift, parse_shift
from core.domain.people import on_leave
from core.domain.tickets import TicketView
from core.services.tickets import TicketService
from core.services.timers import TimerService
from core.storage.models import Staff

VISIT_REMINDER = "visit_reminder"
REMIND_BEFORE = timedelta(hours=1)
DEFAULT_HOURS = tuple(parse_shift(entry) for entry in visits.WORKING_HOURS)


class AppointmentService:
    def __init__(self, *, session: AsyncSession, clock: Clock, tickets: TicketService, timers: TimerService,
                 working_hours: Sequence[Shift] = DEFAULT_HOURS) -> None:
        self._session = session
        self._clock = clock
        self._tickets = tickets
        self._timers = timers
        self._hours = tuple(working_hours)

    def now(self) -> datetime:
        return self._clock.now()

    async def offer(self, ticket: TicketView, staff_id: int) -> list[tuple[datetime, datetime]]:
        """Free windows of the technician's working hours (their own, else the hub's) on days they are not on
        leave, from the time the customer mentioned last when there was one ("改到周日上午吧" moves it)."""
        now = self._clock.now()
        times = ticket.entities.get("times") or []
        wanted = visits.wanted(times[-1])[0] if times else None
        busy = [v for v in await self._tickets.visits_of(staff_id, now) if v != ticket.visit]
        staff = await self._session.get_one(Staff, staff_id)
        hours = tuple(parse_shift(entry) for entry in staff.working_hours) or self._hours
        return visits.slots(now, wanted=wanted, busy=busy, hours=hours, off=lambda day: on_leave(staff.leave, day))

    async def agree(self, ticket: TicketView, start: datetime, *, actor: str) -> TicketView:
        """The visit is set (or moved) to the window starting at `start`; the reminder follows it."""
        begin, end = visits.window_of(start)
        ticket = await self._tickets.set_visit(ticket, begin, end, actor=actor)
        await self._timers.cancel_prefix(f"visit:{ticket.code}:")
        remind_at = begin - REMIND_BEFORE
        if remind_at > self._clock.now():
            await self._timers.schedule(VISIT_REMINDER, f"visit:{ticket.code}:{int(begin.timestamp())}", remind_at,
                                        {"ticket": ticket.code, "start": begin.isoformat()})
        return ticket
