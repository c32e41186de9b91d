"""A person takes over a customer's conversation from the bot.

The customer asks for a person (or is angry and repeating themselves): the conversation waits in the agents'
queue. The first staff member to answer holds it; from then on the customer's messages go to that person, in the
thread they answered from, instead of to the bot's intake. `结束` / `release`, the API, or a stretch of silence
(the timeout, moved on by every message either way) hands it back to the bot. The customer's conversation state
(`WITH_PERSON`) is what routes their messages, and it lapses with the same timeout as the handover row; a durable
timer, moved on with it, puts the lapse on the ticket's audit log (`handover_timed_out`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.people import STAFF_ROLES
from core.domain.tickets import TicketView
from core.services.conversations import ConversationService
from core.services.people import Contact, PeopleService
from core.services.tickets import TicketService
from core.services.timers import TimerService
from core.storage.models import Handover, OutboxRow, Staff, Ticket

WITH_PERSON = "with_person"
"""The customer's conversation state while a handover is open."""
THREAD_TICKET = "thread_ticket"
"""Data key of a message to staff whose thread is about a ticket (a handover alert): a staff member replying in
that thread answers the ticket's customer."""
DEFAULT_TIMEOUT = timedelta(minutes=30)
HANDOVER_TIMEOUT = "handover.timeout"
"""Timer kind; the key `handover.timeout:<handover id>` fires when that handover has lapsed, unless it was handed
back before."""
TIMEOUT_ACTOR = "system:handover"
WAITING, HELD = "waiting", "held"


@dataclass(frozen=True, slots=True, kw_only=True)
class Desk:
    """Where a staff member answers from: their channel, their address on it, and the thread."""

    channel: str
    address: str
    thread: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoverView:
    ticket: str
    state: str
    reason: str
    requested_at: datetime
    holder_id: int | None
    holder_name: str
    holder: Desk | None
    taken_at: datetime | None
    expires_at: datetime


class HandoverService:
    def __init__(self, *, session: AsyncSession, clock: Clock, tickets: TicketService, people: PeopleService,
                 conversations: ConversationService, timers: TimerService,
                 timeout: timedelta = DEFAULT_TIMEOUT) -> None:
        self._session = session
        self._clock = clock
        self._tickets = tickets
        self._people = people
        self._conversations = conversations
        self._timers = timers
        self._timeout = timeout

    async def request(self, ticket: TicketView, *, channel: str, conversation: str, sender: str, reason: str,
                      actor: str) -> tuple[HandoverView, bool]:
        """Put the customer's conversation in the agents' queue; True when it was not there already."""
        current = await self._open(ticket)
        if current is not None:
            await self._keep_alive(current, ticket.code)
            return await self._view(current, ticket.code), False
        now = self._clock.now()
        row = Handover(ticket_id=await self._tickets.row_id(ticket), channel=channel, conversation=conversation,
                       sender=sender, reason=reason, requested_at=now, holder_channel="", holder_address="",
                       holder_thread="", expires_at=now + self._timeout)
        self._session.add(row)
        await self._tickets.record(ticket, actor, "handover_requested", {}, {"reason": reason})
        await self._keep_alive(row, ticket.code)
        return await self._view(row, ticket.code), True

    async def current(self, ticket: TicketView) -> HandoverView | None:
        row = await self._open(ticket)
        return None if row is None else await self._view(row, ticket.code)

    async def take(self, ticket: TicketView, *, staff_id: int | None, desk: Desk | None,
                   actor: str) -> HandoverView | None:
        """A person takes the conversation (asked for or not); None when the customer cannot be reached."""
        row = await self._open(ticket)
        if row is None:
            customer = await self._people.customer_contact(ticket)
            if customer is None:
                return None
            now = self._clock.now()
            row = Handover(ticket_id=await self._tickets.row_id(ticket), channel=customer.channel,
                           conversation=customer.conversation, sender=customer.address, reason="staff",
                           requested_at=now, holder_channel="", holder_address="", holder_thread="",
                           expires_at=now + self._timeout)
            self._session.add(row)
        row.holder_id = staff_id
        row.holder_channel, row.holder_address, row.holder_thread = (
            (desk.channel, desk.address, desk.thread) if desk is not None else ("", "", ""))
        row.taken_at = self._clock.now()
        await self._tickets.record(ticket, actor, "handover_taken", {},
                                   {"staff_id": staff_id, "channel": row.holder_channel})
        await self._keep_alive(row, ticket.code)
        return await self._view(row, ticket.code)

    async def answered(self, ticket: TicketView, *, actor: str, desk: Desk | None) -> None:
        """Someone on the company side answered the customer: an open handover nobody holds becomes theirs (a staff
        member's when `actor` names one), and it stays open."""
        row = await self._open(ticket)
        if row is None:
            return
        if row.taken_at is None:
            await self.take(ticket, staff_id=staff_id_of(actor), desk=desk, actor=actor)
        else:
            await self._keep_alive(row, ticket.code)

    async def customer_wrote(self, ticket: TicketView) -> HandoverView | None:
        """The customer wrote while the conversation is with a person: it stays so; the handover, if still open."""
        row = await self._open(ticket)
        if row is None:
            return None
        await self._keep_alive(row, ticket.code)
        return await self._view(row, ticket.code)

    async def release(self, ticket: TicketView, *, actor: str) -> HandoverView | None:
        """Hand the conversation back to the bot; None when it was not with a person."""
        row = await self._open(ticket)
        if row is None:
            return None
        row.released_at = self._clock.now()
        await self._tickets.record(ticket, actor, "handover_released", {}, {})
        await self._timers.cancel(_timer_key(row.id))
        await self._hand_back(row)
        return await self._view(row, ticket.code)

    async def time_out(self, code: str, handover_id: int) -> HandoverView | None:
        """The timer of handover `handover_id` of ticket `code` fired: a handover that has lapsed (nobody wrote for
        the whole timeout) is handed back to the bot as of its lapse, on the audit log; None when it was handed
        back before or is still open."""
        row = await self._session.get(Handover, handover_id, with_for_update=True)
        ticket = await self._tickets.get(code)
        if row is None or ticket is None or row.released_at is not None or row.expires_at > self._clock.now():
            return None
        row.released_at = row.expires_at
        await self._tickets.record(ticket, TIMEOUT_ACTOR, "handover_timed_out", {},
                                   {"held_by": row.holder_id, "silent_for": int(self._timeout.total_seconds())})
        await self._hand_back(row)
        return await self._view(row, ticket.code)

    async def _hand_back(self, row: Handover) -> None:
        """The customer's conversation goes back to the bot, if it is still with a person."""
        state = await self._conversations.load(channel=row.channel, thread=row.conversation, sender=row.sender)
        if state.state == WITH_PERSON:
            self._conversations.reset(state)

    async def thread_ticket(self, *, channel: str, thread: str) -> TicketView | None:
        """The ticket a staff thread is about: one held from this thread, or one whose handover alert started it."""
        now = self._clock.now()
        ticket_id = await self._session.scalar(select(Handover.ticket_id).where(
            Handover.holder_channel == channel, Handover.holder_thread == thread,
            Handover.holder_thread != Handover.holder_address, Handover.released_at.is_(None),
            Handover.expires_at > now).order_by(Handover.id.desc()).limit(1))
        if ticket_id is not None:
            code = await self._session.scalar(select(Ticket.code).where(Ticket.id == ticket_id))
            return None if code is None else await self._tickets.get(code)
        payload = await self._session.scalar(select(OutboxRow.payload).where(
            OutboxRow.channel == channel, OutboxRow.platform_message_id == thread).limit(1))
        code = ((payload or {}).get("data") or {}).get(THREAD_TICKET)
        return None if not isinstance(code, str) else await self._tickets.get(code)

    async def customer_of(self, ticket: TicketView) -> Contact | None:
        """Where the customer is answered: the conversation of an open handover, else the ticket's."""
        row = await self._open(ticket)
        customer = await self._people.customer_contact(ticket)
        if row is None or customer is None:
            return customer
        return Contact(customer.person_id, customer.name, customer.locale, row.channel, row.sender, row.conversation)

    async def _open(self, ticket: TicketView) -> Handover | None:
        return await self._session.scalar(select(Handover).where(
            Handover.ticket_id == await self._tickets.row_id(ticket), Handover.released_at.is_(None),
            Handover.expires_at > self._clock.now()).order_by(Handover.id.desc()).limit(1))

    async def _keep_alive(self, row: Handover, code: str) -> None:
        """Move the timeout on, for the handover, its timer and the customer's conversation state alike."""
        row.expires_at = self._clock.now() + self._timeout
        if row.id is None:
            await self._session.flush([row])
        await self._timers.schedule(HANDOVER_TIMEOUT, _timer_key(row.id), row.expires_at,
                                    {"ticket": code, "handover": row.id})
        state = await self._conversations.load(channel=row.channel, thread=row.conversation, sender=row.sender)
        self._conversations.set(state, WITH_PERSON, ttl=self._timeout, ticket=code)

    async def _view(self, row: Handover, code: str) -> HandoverView:
        holder = await self._session.get(Staff, row.holder_id) if row.holder_id is not None else None
        desk = Desk(channel=row.holder_channel, address=row.holder_address,
                    thread=row.holder_thread) if row.holder_channel else None
        return HandoverView(ticket=code, state=HELD if row.taken_at is not None else WAITING,
                            reason=row.reason, requested_at=row.requested_at, holder_id=row.holder_id,
                            holder_name=holder.name if holder is not None else "", holder=desk,
                            taken_at=row.taken_at, expires_at=row.expires_at)


def _timer_key(handover_id: int) -> str:
    return f"{HANDOVER_TIMEOUT}:{handover_id}"


def staff_id_of(actor: str) -> int | None:
    """The staff member an audit actor names (`agent:3` → 3); None for customers, the system and API tokens."""
    role, _, number = actor.partition(":")
    return int(number) if role in STAFF_ROLES and number.isdigit() else None
