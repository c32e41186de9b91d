"""Who does a job: a technician chosen by skill, region, duty and load, or a grab pool (抢单) when nobody fits.

Every assignment, claim and decline goes through the ticket state machine and the audit log, so the log alone tells
who had the job when. Declines are audit events too (`declined`), which is how a ticket remembers whom not to offer
it to again. Database only: notices are built by the handlers from what this returns. A batch of messages shares one
transaction; sessions autoflush, so its earlier assignments and declines count in every query here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Collection, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import CHINA_TZ, Clock
from core.domain.people import Person, PersonKind, on_leave
from core.domain.tickets import IllegalTransition, Queue, Status, TicketView
from core.services.people import Contact, PeopleService
from core.services.tickets import TicketService
from core.services.timers import TimerService
from core.storage.models import OutboxRow, Staff, Ticket

_ANSWERS = ("declined", "pooled")
"""The audit events that say who passed on a job and who was offered it in the grab pool."""

DISPATCHER = "system:dispatch"
LOADED = (Status.ASSIGNED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)
"""Statuses that count against a technician's capacity."""
HELD = (*LOADED, Status.PENDING_CUSTOMER, Status.PENDING_PARTS)
"""Statuses in which a job is still the technician's (listed by `我的工单`)."""
_REGION_SUFFIXES = "省市"
_DISTRICT_SUFFIXES = ("区", "县", "旗")
ACCEPT_TIMEOUT = timedelta(minutes=15)
OFFER_TIMEOUT = "offer_timeout"
"""Timer kind: an offer to one technician that nobody answered."""
POOL_TIMEOUT = "pool_timeout"
"""Timer kind: a grab-pool offer that nobody claimed."""
TIMED_OUT = "timeout"
"""The reason of a `declined` event the accept timeout wrote (nobody typed it)."""


class AlreadyTaken(Exception):
    """Another technician holds the job (or it has moved on past dispatch)."""


class NotYourJob(Exception):
    """The job is neither assigned to this technician nor open to them in the grab pool."""


class UnknownTechnician(LookupError):
    """Nobody on staff is a technician by that name."""


@dataclass(frozen=True, slots=True)
class PoolNotice:
    """A grab-pool offer one technician got: where it went, and its platform message id once sent ("" before:
    then it cannot be rewritten, only followed up)."""

    contact: Contact
    platform_id: str


def pool_key(code: str, staff_id: int) -> str:
    """The idempotency key of a grab-pool offer: each technician is offered a pooled job once, so the key names it
    for good, and the job's claim can find the offer to rewrite."""
    return f"pool:{code}:{staff_id}"


@dataclass(frozen=True, slots=True)
class Transfer:
    """A job given to another technician: the ticket now, who had it and who has it (where to tell each; None for
    nobody, or for someone with no staff channel)."""

    ticket: TicketView
    previous: Contact | None
    assignee: Contact | None


NO_SKILL = "no_skill"
ALL_DECLINED = "all_declined"
UNREACHABLE = "unreachable"
POOL_EXPIRED = "pool_timeout"


@dataclass(frozen=True, slots=True)
class Dispatch:
    """The outcome: an assignee, or the technicians told about the job in the grab pool (possibly none, while those
    told earlier still may take it), or why nobody can or will take it (`unassignable`): no technician on duty has
    the skill (`no_skill`), all who have it declined (`all_declined`), or none of them can be told (`unreachable`)."""

    assignee: Contact | None = None
    pool: tuple[Contact, ...] = ()
    unassignable: str = ""
    expired: Contact | None = None


class DispatchService:
    def __init__(self, *, session: AsyncSession, tickets: TicketService, people: PeopleService, timers: TimerService,
                 clock: Clock, channels: Collection[str], accept_timeout: timedelta = ACCEPT_TIMEOUT) -> None:
        """`channels`: the ones the hub sends on. A technician no staff channel among them reaches is offered no
        job: the offer would be dead-lettered, and the job would wait on someone who never heard of it."""
        self._session = session
        self._tickets = tickets
        self._people = people
        self._timers = timers
        self._clock = clock
        self._accept_timeout = accept_timeout
        self._channels = channels
        self._on_duty: list[Staff] = []
        self._on_duty_at: int | None = None
        """`PeopleService.staff_changes` when `_on_duty` was read."""
        self._contacts: dict[int, Contact] = {}
        self._load: dict[int, int] = {}
        self._load_at: int | None = None
        """`TicketService.moves` when `_load` was counted; a batch dispatches against one snapshot of the load,
        kept up to date with its own assignments, and counts again only after another change of assignee or
        status."""

    @property
    def accept_timeout(self) -> timedelta:
        """How long an offer waits for the technician's answer."""
        return self._accept_timeout

    async def dispatch(self, ticket: TicketView, *, actor: str = DISPATCHER) -> Dispatch:
        """Assign a fitting technician with room (under their open-job capacity and, when they have one, their daily
        capacity; on duty and not on leave) — one serving the customer's district before one serving only the
        city, then the least loaded (ties by id); with none, offer the job to the grab pool. A technician no
        channel of this hub reaches is neither given a job nor pooled: nobody could tell them of it.

        Each technician is offered a pooled job once: dispatching it again only reaches those not yet told. A job
        nobody can or will take is recorded in the audit log (`unassignable`) for someone to act on. Tickets of the
        agents' queue are no field jobs: they are never dispatched."""
        if ticket.queue is not Queue.TECHNICIANS:
            return Dispatch()
        skilled = [s for s in await self._technicians() if ticket.type in s.skills]
        if not skilled:
            return await self._unassignable(ticket, NO_SKILL, actor=actor)
        declined, offered = await self._answers(ticket)
        skilled = [s for s in skilled if s.id not in declined]
        if not skilled:
            return await self._unassignable(ticket, ALL_DECLINED, actor=actor)
        addresses = list(ticket.entities.get("addresses", []))
        local = [s for s in skilled if serves(s.regions, addresses)]
        local = [s for s in local if s.id in self._contacts]
        load = await self._current_load()
        given = await self.given_today([s.id for s in local if s.daily_capacity])
        free = [s for s in local if load.get(s.id, 0) < s.capacity
                and not (s.daily_capacity and given.get(s.id, 0) >= s.daily_capacity)]
        if free:
            chosen = min(free, key=lambda s: (closeness(s.regions, addresses), load.get(s.id, 0), s.id))
            await self._assign(ticket, chosen.id, actor=actor)
            load[chosen.id] = load.get(chosen.id, 0) + 1
            self._load_at = self._tickets.moves
            return Dispatch(assignee=self._contacts[chosen.id])
        pool = tuple(self._contacts[s.id] for s in skilled if s.id not in offered and s.id in self._contacts)
        if pool:
            await self._tickets.record(ticket, actor, "pooled", {}, {"notified": [c.person_id for c in pool]})
            await self._timers.schedule(POOL_TIMEOUT, f"pool-timeout:{ticket.code}:{self._stamp()}",
                                        self._clock.now() + self._accept_timeout, {"ticket": ticket.code})
        elif not offered & {s.id for s in skilled}:
            return await self._unassignable(ticket, UNREACHABLE, actor=actor)
        return Dispatch(pool=pool)

    async def _unassignable(self, ticket: TicketView, reason: str, *, actor: str) -> Dispatch:
        await self._tickets.record(ticket, actor, "unassignable", {}, {"reason": reason})
        return Dispatch(unassignable=reason)

    async def return_to(self, ticket: TicketView, staff_id: int | None, *, actor: str = DISPATCHER) -> Dispatch:
        """A reopened job goes back to the technician who did it, if they are still a technician on duty and can be
        told (the customer knows them, and they know the job); otherwise it is dispatched anew."""
        staff = await self._session.get(Staff, staff_id) if staff_id is not None else None
        if staff is not None and staff.on_duty and staff.role == PersonKind.TECHNICIAN.value:
            contact = (await self._contacts_of([staff])).get(staff.id)
            if contact is not None:
                await self._assign(ticket, staff.id, actor=actor)
                return Dispatch(assignee=contact)
        if ticket.assignee_id is not None:
            ticket = await self._tickets.set_assignee(ticket, None, actor=actor)
        return await self.dispatch(ticket, actor=actor)

    async def accept(self, ticket: TicketView, staff_id: int) -> TicketView:
        """The assignee accepts, or the first technician to claim a pooled job gets it. Accepting is the company's
        first response to the customer (the SLA's first-response clock stops)."""
        actor = f"{PersonKind.TECHNICIAN.value}:{staff_id}"
        if ticket.assignee_id != staff_id:
            if ticket.assignee_id is not None or ticket.status != Status.NEW.value:
                raise AlreadyTaken(ticket.code)
            staff = await self._session.get_one(Staff, staff_id)
            if ticket.type not in staff.skills or staff_id in await self.declined(ticket):
                raise NotYourJob(ticket.code)
            if not await self._tickets.claim(ticket, staff_id):
                raise AlreadyTaken(ticket.code)
            await self._assign(ticket, staff_id, actor=actor, offer=False)
        ticket = await self._tickets.transition(ticket, Status.ACCEPTED, actor=actor)
        return await self._tickets.mark_responded(ticket)

    async def decline(self, ticket: TicketView, staff_id: int, *, reason: str) -> Dispatch:
        """The assignee hands the job back, or a pooled technician passes on it; either way it is dispatched again
        (to someone else, or to nobody new: then the outcome says whether anyone still may take it)."""
        actor = f"{PersonKind.TECHNICIAN.value}:{staff_id}"
        pooled = ticket.assignee_id is None and ticket.status == Status.NEW.value
        if ticket.assignee_id != staff_id and not pooled:
            raise NotYourJob(ticket.code)
        if not pooled:
            ticket = await self._tickets.transition(ticket, Status.NEW, actor=actor, note=reason)
            ticket = await self._tickets.set_assignee(ticket, None, actor=actor)
        await self._tickets.record(ticket, actor, "declined", {}, {"staff_id": staff_id, "reason": reason})
        return await self.dispatch(ticket)

    async def reassign(self, ticket: TicketView, staff_id: int | None, *, actor: str) -> TicketView:
        """A person gives an open job to `staff_id` (None: to nobody): back to new first when someone had it, then
        assigned — each step through the state machine, which may refuse (`IllegalTransition`). `LookupError`
        when there is no such staff member."""
        if staff_id == ticket.assignee_id:
            return ticket
        if not ticket.is_open:
            raise IllegalTransition(Status(ticket.status), Status.ASSIGNED)
        if staff_id is not None and await self._session.get(Staff, staff_id) is None:
            raise LookupError(f"staff member {staff_id} does not exist")
        if ticket.status != Status.NEW.value:
            ticket = await self._tickets.transition(ticket, Status.NEW, actor=actor)
        ticket = await self._tickets.set_assignee(ticket, staff_id, actor=actor)
        if staff_id is None:
            return ticket
        ticket = await self._tickets.transition(ticket, Status.ASSIGNED, actor=actor)
        await self._offer(ticket, staff_id)
        return ticket

    async def expire_offer(self, code: str, staff_id: int) -> tuple[TicketView, Dispatch] | None:
        """The accept timeout of an offer came due: if the technician still has not answered, the job leaves them
        (audited as `offer_expired`, and as a decline so it is not offered to them again) and is dispatched anew —
        the next candidate, else the grab pool, else the supervisors. None when the offer was answered meanwhile."""
        ticket = await self._tickets.get(code)
        if ticket is None or ticket.assignee_id != staff_id or ticket.status != Status.ASSIGNED.value:
            return None
        await self._tickets.record(ticket, DISPATCHER, "offer_expired", {"assignee_id": staff_id},
                                   {"timeout_seconds": self._accept_timeout.total_seconds()})
        ticket = await self._tickets.transition(ticket, Status.NEW, actor=DISPATCHER, note=TIMED_OUT)
        ticket = await self._tickets.set_assignee(ticket, None, actor=DISPATCHER)
        await self._tickets.record(ticket, DISPATCHER, "declined", {}, {"staff_id": staff_id, "reason": TIMED_OUT})
        staff = await self._session.get_one(Staff, staff_id)
        expired = (await self._contacts_of([staff])).get(staff_id)
        result = await self.dispatch(ticket)
        return await self._tickets.refresh(ticket), Dispatch(
            assignee=result.assignee, pool=result.pool, unassignable=result.unassignable, expired=expired)

    async def expire_pool(self, code: str) -> tuple[TicketView, Dispatch] | None:
        """The grab pool's accept timeout came due: a job still nobody's goes to the supervisors (audited as
        `unassignable`, and listed in their queue as unassigned). None when someone claimed it meanwhile."""
        ticket = await self._tickets.get(code)
        if ticket is None or ticket.assignee_id is not None or ticket.status != Status.NEW.value:
            return None
        return ticket, await self._unassignable(ticket, POOL_EXPIRED, actor=DISPATCHER)

    async def transfer(self, ticket: TicketView, name: str, *, actor: str) -> Transfer:
        """A supervisor gives the job to the technician named, whatever skills, region, load or declines say; it is
        theirs to accept as if dispatched to them. Raises `UnknownTechnician`, and `IllegalTransition` for a job
        that is closed or under way (the technician on the road, on site or waiting for parts)."""
        chosen = await self._session.scalar(select(Staff).where(
            Staff.role == PersonKind.TECHNICIAN.value, Staff.name == name.strip()).order_by(Staff.id).limit(1))
        if chosen is None:
            raise UnknownTechnician(name)
        previous = ticket.assignee_id
        ticket = await self.reassign(ticket, chosen.id, actor=actor)
        others = [] if previous in (None, chosen.id) else [await self._session.get_one(Staff, previous)]
        contacts = await self._people.staff_contacts([chosen, *others])
        return Transfer(ticket, contacts.get(others[0].id) if others else None, contacts.get(chosen.id))

    async def visible(self, code: str, person: Person) -> TicketView | None:
        """The ticket named `code` if this person may see it, else None — the same answer whether it does not exist
        or is not theirs, so asking tells nothing. Customers see their own tickets; technicians the jobs assigned or
        offered to them; agents, supervisors, managers and admins every ticket."""
        ticket = await self._tickets.get(code)
        if ticket is None:
            return None
        if person.kind is PersonKind.CUSTOMER:
            return ticket if ticket.customer_id == person.id else None
        if person.kind is PersonKind.TECHNICIAN and not await self.offered_to(ticket, person.id):
            return None
        return ticket

    async def offered_to(self, ticket: TicketView, staff_id: int) -> bool:
        """Whether the job is the technician's to see: assigned to them (now or when they did it), or waiting in
        the grab pool with an offer to them they did not pass on."""
        if ticket.assignee_id == staff_id:
            return True
        if ticket.assignee_id is not None or ticket.status != Status.NEW.value:
            return False
        declined, offered = await self._answers(ticket)
        return staff_id in offered and staff_id not in declined

    async def pool_notices(self, ticket: TicketView, *, claimed_by: int) -> list[PoolNotice]:
        """The grab-pool offers of this job to everyone but the technician who claimed it (to tell them it is gone)."""
        others = sorted((await self._answers(ticket))[1] - {claimed_by})
        if not others:
            return []
        staff = list(await self._session.scalars(select(Staff).where(Staff.id.in_(others))))
        contacts = await self._contacts_of(staff)
        rows = await self._session.execute(select(OutboxRow.idempotency_key, OutboxRow.platform_message_id).where(
            OutboxRow.idempotency_key.in_([pool_key(ticket.code, i) for i in others])))
        sent = {key: platform_id for key, platform_id in rows.all()}
        return [PoolNotice(contacts[i], sent.get(pool_key(ticket.code, i), "")) for i in others if i in contacts]

    async def declined(self, ticket: TicketView) -> set[int]:
        return (await self._answers(ticket))[0]

    async def preload_answers(self, threads: Iterable[tuple[str, str]]) -> None:
        """Read together who declined and who was offered each job of these threads that a detail may dispatch (a
        batch's preload)."""
        await self._tickets.preload_events(self._tickets.awaiting_details(threads), _ANSWERS)

    async def _answers(self, ticket: TicketView) -> tuple[set[int], set[int]]:
        """The technicians who passed on the job and those offered it in the grab pool, from one read of its audit
        log."""
        events = await self._tickets.events_of(ticket, _ANSWERS)
        return ({int(after["staff_id"]) for after in events["declined"]},
                {int(staff_id) for after in events["pooled"] for staff_id in after["notified"]})

    async def load(self, staff_ids: Sequence[int]) -> dict[int, int]:
        """Open jobs per technician that count against capacity."""
        if not staff_ids:
            return {}
        rows = await self._session.execute(
            select(Ticket.assignee_id, func.count()).where(
                Ticket.assignee_id.in_(staff_ids), Ticket.status.in_([s.value for s in LOADED]))
            .group_by(Ticket.assignee_id))
        return {int(staff_id): int(count) for staff_id, count in rows.all()}

    async def jobs_of(self, staff_id: int) -> list[TicketView]:
        """The technician's jobs still in hand, oldest first."""
        return await self._tickets.assigned_to(staff_id, HELD)


    async def customer_contact(self, ticket: TicketView) -> Contact | None:
        """Where the job's customer hears of it (see `PeopleService.customer_contact`)."""
        return await self._people.customer_contact(ticket)

    async def given_today(self, staff_ids: Sequence[int]) -> dict[int, int]:
        """Jobs each technician was given today (China time) and still holds, whatever their status: what a daily
        capacity counts."""
        if not staff_ids:
            return {}
        midnight = datetime.combine(self._clock.now().astimezone(CHINA_TZ).date(), time(), CHINA_TZ)
        rows = await self._session.execute(
            select(Ticket.assignee_id, func.count()).where(Ticket.assignee_id.in_(staff_ids),
                                                           Ticket.assigned_at >= midnight)
            .group_by(Ticket.assignee_id))
        return {int(staff_id): int(count) for staff_id, count in rows.all()}

    async def _technicians(self) -> list[Staff]:
        """The technicians on duty and not on leave today (China time), and where to reach them: read once per
        transaction and again after any staff change in it (`上班`/`下班`, leave), so a change counts for the very
        next decision."""
        if self._on_duty_at != self._people.staff_changes:
            self._on_duty_at = self._people.staff_changes
            self._load_at = None
            today = self._clock.now().astimezone(CHINA_TZ).date()
            self._on_duty = [s for s in await self._session.scalars(
                select(Staff).where(Staff.role == PersonKind.TECHNICIAN.value, Staff.on_duty.is_(True))
                .order_by(Staff.id)) if not on_leave(s.leave, today)]
            self._contacts = await self._contacts_of(self._on_duty)
        return self._on_duty

    async def _contacts_of(self, staff: Sequence[Staff]) -> dict[int, Contact]:
        """Where each of these technicians is told of a job, on a channel this hub sends on; those it cannot reach
        are left out."""
        return await self._people.staff_contacts(staff, channels=self._channels)

    async def _current_load(self) -> dict[int, int]:
        """Open jobs per technician on duty (see `_load_at`)."""
        if self._load_at != self._tickets.moves:
            self._load = await self.load([s.id for s in await self._technicians()])
            self._load_at = self._tickets.moves
        return self._load

    async def _assign(self, ticket: TicketView, staff_id: int, *, actor: str, offer: bool = True) -> None:
        """Give the job to the technician; as an `offer` it waits for their answer only `accept_timeout` long."""
        ticket = await self._tickets.set_assignee(ticket, staff_id, actor=actor)
        ticket = await self._tickets.transition(ticket, Status.ASSIGNED, actor=actor)
        if offer:
            await self._offer(ticket, staff_id)

    async def _offer(self, ticket: TicketView, staff_id: int) -> None:
        """Start the offer's accept timeout (an earlier offer of the same job no longer counts)."""
        await self._timers.cancel_prefix(f"offer:{ticket.code}:", new=self._tickets.opened_here(ticket.code))
        await self._timers.schedule(OFFER_TIMEOUT, f"offer:{ticket.code}:{staff_id}:{self._stamp()}",
                                    self._clock.now() + self._accept_timeout,
                                    {"ticket": ticket.code, "staff_id": staff_id})

    def _stamp(self) -> str:
        """Part of a timer key that makes each offer's timer its own (a key fires once ever)."""
        return str(int(self._clock.now().timestamp() * 1_000_000))


def serves(regions: Iterable[str], addresses: Sequence[str]) -> bool:
    """A job without an address is not tied to a region; otherwise one of the technician's regions must appear in
    an address, written with or without its 省/市 suffix (上海市 matches “上海浦东…”)."""
    if not addresses:
        return True
    for region in regions:
        names = {region, region.rstrip(_REGION_SUFFIXES)} - {""}
        if any(name in address for name in names for address in addresses):
            return True
    return False


def closeness(regions: Iterable[str], addresses: Sequence[str]) -> int:
    """0 when one of the technician's regions is a district (区/县/旗) named in an address, else 1: the nearer
    technician is preferred."""
    return 0 if any(region.endswith(_DISTRICT_SUFFIXES) and region in address
                    for region in regions for address in addresses) else 1
