"""The end of a job: the customer confirms it is fixed (closed), or says it is not (the same ticket reopens and goes
back to its technician); a resolved job nobody answers for closes by itself when `[survey] reopen_window` ends.
Closing schedules the satisfaction survey. Every step moves the ticket through the state machine (so the SLA clock
resumes on a reopen) and is on its audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.clock import Clock
from core.domain.surveys import SurveySettings
from core.domain.tickets import Status, TicketView
from core.services.dispatch import Dispatch, DispatchService
from core.services.surveys import SurveyService
from core.services.tickets import TicketService
from core.services.timers import TimerService

AUTO_CLOSE = "ticket.auto_close"
"""Timer kind; the key `ticket.auto_close:<code>:<round>` names one resolution of the ticket (round = reopens
before it), so a ticket resolved again after a reopen gets a timer of its own."""
AUTO_CLOSER = "system:auto-close"
RECENT = 10
"""How many of a customer's newest tickets are looked at for one that waits for their word."""


@dataclass(frozen=True, slots=True)
class Reopened:
    ticket: TicketView
    dispatch: Dispatch
    """The technician the job went back to, or the grab pool it was offered to."""


class ClosureService:
    def __init__(self, *, clock: Clock, tickets: TicketService, dispatch: DispatchService, surveys: SurveyService,
                 timers: TimerService, settings: SurveySettings) -> None:
        self._clock = clock
        self._tickets = tickets
        self._dispatch = dispatch
        self._surveys = surveys
        self._timers = timers
        self._settings = settings

    @property
    def reopen_window(self) -> timedelta:
        return self._settings.reopen_window

    async def await_confirmation(self, ticket: TicketView) -> None:
        """A job was resolved: it waits for the customer's word until the reopen window ends, then closes."""
        rounds = await self._rounds(ticket)
        until = (ticket.resolved_at or self._clock.now()) + self._settings.reopen_window
        await self._timers.schedule(AUTO_CLOSE, _key(ticket.code, rounds), until,
                                    {"ticket": ticket.code, "round": rounds})
        await self._tickets.record(ticket, AUTO_CLOSER, "confirmation_asked", {}, {"until": until.isoformat()})

    def reopenable(self, ticket: TicketView) -> bool:
        """Resolved, and the customer's window to say it is not fixed is still open."""
        return (ticket.status == Status.RESOLVED.value and ticket.resolved_at is not None
                and self._clock.now() < ticket.resolved_at + self._settings.reopen_window)

    async def waiting_for(self, customer_id: int, code: str | None = None) -> TicketView | None:
        """The customer's resolved ticket that may still be confirmed or reopened: the one named, else the
        newest."""
        if code:
            ticket = await self._tickets.get_for_customer(code, customer_id)
            return ticket if ticket is not None and self.reopenable(ticket) else None
        recent = await self._tickets.for_customer(customer_id, limit=RECENT)
        return next((t for t in recent if self.reopenable(t)), None)

    async def confirm(self, ticket: TicketView, *, actor: str) -> TicketView:
        """The customer says it is fixed."""
        return await self._close(ticket, actor=actor, note="confirmed")

    async def auto_close(self, code: str, round_: int) -> TicketView | None:
        """The window of resolution `round_` ended without a word; None if the ticket moved on meanwhile."""
        ticket = await self._tickets.get(code)
        if ticket is None or ticket.status != Status.RESOLVED.value or await self._rounds(ticket) != round_:
            return None
        return await self._close(ticket, actor=AUTO_CLOSER, note="no answer")

    async def reopen(self, ticket: TicketView, *, actor: str, note: str) -> Reopened:
        """The customer says it is not fixed: the same ticket goes back to new, then to its technician (when on
        duty) or to dispatch."""
        rounds = await self._rounds(ticket)
        await self._timers.cancel(_key(ticket.code, rounds))
        technician = ticket.assignee_id
        ticket = await self._tickets.transition(ticket, Status.NEW, actor=actor, note=note)
        await self._tickets.record(ticket, actor, "reopened", {}, {"round": rounds + 1, "note": note,
                                                                   "technician": technician})
        result = await self._dispatch.return_to(ticket, technician)
        return Reopened(await self._tickets.refresh(ticket), result)

    async def _close(self, ticket: TicketView, *, actor: str, note: str) -> TicketView:
        await self._timers.cancel(_key(ticket.code, await self._rounds(ticket)))
        closed = await self._tickets.transition(ticket, Status.CLOSED, actor=actor, note=note)
        customer = await self._dispatch.customer_contact(closed)
        if customer is not None:
            await self._surveys.schedule(closed, customer)
        return closed

    async def _rounds(self, ticket: TicketView) -> int:
        return len(await self._tickets.events(ticket, "reopened"))


def _key(code: str, round_: int) -> str:
    return f"{AUTO_CLOSE}:{code}:{round_}"
