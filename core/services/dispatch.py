"""Who does a job: a technician chosen by skill, region, duty and load, or a grab pool (抢单) when nobody fits.

Every assignment, claim and decline goes through the ticket state machine and the audit log, so the log alone tells
who had the job when. Declines are audit events too (`declined`), which is how a ticket remembers whom not to offer
it to again. Database only: notices are built by the handlers from what this returns. A batch of messages shares one
transaction; sessions autoflush, so its earlier assignments and declines count in every query here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.people import Person, PersonKind
from core.domain.tickets import IllegalTransition, Queue, Status, TicketView
from core.services.people import Contact, PeopleService
from core.services.tickets import TicketService
from core.storage.models import Staff, Ticket

DISPATCHER = "system:dispatch"
LOADED = (Status.ASSIGNED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)
"""Statuses that count against a technician's capacity."""
HELD = (*LOADED, Status.PENDING_CUSTOMER, Status.PENDING_PARTS)
"""Statuses in which a job is still the technician's (listed by `我的工单`)."""
_REGION_SUFFIXES = "省市"


class AlreadyTaken(Exception):
    """Another technician holds the job (or it has moved on past dispatch)."""


class NotYourJob(Exception):
    """The job is neither assigned to this technician nor open to them in the grab pool."""


class UnknownTechnician(LookupError):
    """Nobody on staff is a technician by that name."""


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


@dataclass(frozen=True, slots=True)
class Dispatch:
    """The outcome: an assignee, or the technicians told about the job in the grab pool (possibly none, while those
    told earlier still may take it), or why nobody can or will take it (`unassignable`): no technician on duty has
    the skill (`no_skill`), all who have it declined (`all_declined`), or none of them can be told (`unreachable`)."""

    assignee: Contact | None = None
    pool: tuple[Contact, ...] = ()
    unassignable: str = ""


class DispatchService:
    def __init__(self, *, session: AsyncSession, tickets: TicketService, people: PeopleService) -> None:
        self._session = session
        self._tickets = tickets
        self._people = people
        self._on_duty: list[Staff] = []
        self._on_duty_at: int | None = None
        """`PeopleService.staff_changes` when `_on_duty` was read."""
        self._contacts: dict[int, Contact] = {}
        self._load: dict[int, int] = {}
        self._load_at: int | None = None
        """`TicketService.moves` when `_load` was counted; a batch dispatches against one snapshot of the load,
        kept up to date with its own assignments, and counts again only after another change of assignee or
        status."""

    async def dispatch(self, ticket: TicketView, *, actor: str = DISPATCHER) -> Dispatch:
        """Assign the least-loaded fitting technician (ties by id); with none, offer the job to the grab pool. A
        technician with no staff channel at all is never given a job: nobody could tell them of it.

        Each technician is offered a pooled job once: dispatching it again only reaches those not yet told. A job
        nobody can or will take is recorded in the audit log (`unassignable`) for someone to act on. Tickets of the
        agents' queue are no field jobs: they are never dispatched."""
        if ticket.queue is not Queue.TECHNICIANS:
            return Dispatch()
        skilled = [s for s in await self._technicians() if ticket.type in s.skills]
        if not skilled:
            return await self._unassignable(ticket, NO_SKILL, actor=actor)
        declined = await self.declined(ticket)
        skilled = [s for s in skilled if s.id not in declined]
        if not skilled:
            return await self._unassignable(ticket, ALL_DECLINED, actor=actor)
        addresses = list(ticket.entities.get("addresses", []))
        local = [s for s in skilled if serves(s.regions, addresses)]
        local = [s for s in local if s.id in self._contacts]
        load = await self._current_load()
        free = [s for s in local if load.get(s.id, 0) < s.capacity]
        if free:
            chosen = min(free, key=lambda s: (load.get(s.id, 0), s.id))
            await self._assign(ticket, chosen.id, actor=actor)
            load[chosen.id] = load.get(chosen.id, 0) + 1
            self._load_at = self._tickets.moves
            return Dispatch(assignee=self._contacts[chosen.id])
        offered = await self._offered(ticket)
        pool = tuple(self._contacts[s.id] for s in skilled if s.id not in offered and s.id in self._contacts)
        if pool:
            await self._tickets.record(ticket, actor, "pooled", {}, {"notified": [c.person_id for c in pool]})
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
            contact = (await self._people.staff_contacts([staff])).get(staff.id)
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
            await self._assign(ticket, staff_id, actor=actor)
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
        return await self._tickets.transition(ticket, Status.ASSIGNED, actor=actor)

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
        return staff_id in await self._offered(ticket) and staff_id not in await self.declined(ticket)

    async def declined(self, ticket: TicketView) -> set[int]:
        return {int(after["staff_id"]) for after in await self._tickets.events(ticket, "declined")}

    async def _offered(self, ticket: TicketView) -> set[int]:
        return {int(staff_id) for after in await self._tickets.events(ticket, "pooled")
                for staff_id in after["notified"]}

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

    async def _technicians(self) -> list[Staff]:
        """The technicians on duty and where to reach them, read once per transaction."""
        if self._on_duty_at != self._people.staff_changes:
            self._on_duty_at = self._people.staff_changes
            self._load_at = None
            self._on_duty = list(await self._session.scalars(
                select(Staff).where(Staff.role == PersonKind.TECHNICIAN.value, Staff.on_duty.is_(True))
                .order_by(Staff.id)))
            self._contacts = await self._people.staff_contacts(self._on_duty)
        return self._on_duty

    async def _current_load(self) -> dict[int, int]:
        """Open jobs per technician on duty (see `_load_at`)."""
        if self._load_at != self._tickets.moves:
            self._load = await self.load([s.id for s in await self._technicians()])
            self._load_at = self._tickets.moves
        return self._load

    async def _assign(self, ticket: TicketView, staff_id: int, *, actor: str) -> None:
        ticket = await self._tickets.set_assignee(ticket, staff_id, actor=actor)
        await self._tickets.transition(ticket, Status.ASSIGNED, actor=actor)


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
