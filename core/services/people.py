"""Who is talking: (channel, sender) → customer or staff member, creating a customer on first contact."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Collection, Iterable, Mapping, Sequence

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.people import Person, PersonKind
from core.domain.tickets import TicketView
from core.storage.among import Among, dialect_of
from core.storage.models import Customer, Identity, Staff


CONTACT_CHANNELS = ("wecom", "slack", "email", "webchat")
"""Where staff are reached, best first: WeCom is the work phone, web chat only if nothing else is known."""


@dataclass(frozen=True, slots=True)
class Contact:
    """Where to reach a person: the channel and their id on it (`address`), plus how to speak to them; `thread` is
    the conversation to write in when it is not the person's own (a customer's ticket thread)."""

    person_id: int
    name: str
    locale: str
    channel: str
    address: str
    thread: str = ""

    @property
    def conversation(self) -> str:
        return self.thread or self.address


class PeopleService:
    """People within one transaction; those named to `preload` are resolved from memory afterwards."""

    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._known: dict[tuple[str, str], Person | None] = {}
        """None: looked up and unknown (a first contact), so it is not asked for again."""
        self._customers: dict[int, Customer] = {}
        """Held here because the session keeps only weak references to unchanged rows."""
        self.created: list[int] = []
        """Customers created in this transaction."""
        self.staff_changes = 0
        """Staff added or changed in this transaction: what was read of the roster before may be out of date."""

    async def preload(self, senders: Iterable[tuple[str, str]]) -> None:
        """Resolve these (channel, sender) pairs in one query (two if staff write); the customers' rows are kept, so
        `phone_of` and `remember_phone` need no query either."""
        wanted = set(senders) - self._known.keys()
        if not wanted:
            return
        self._known.update(dict.fromkeys(wanted))
        statement, senders_among = _identities(dialect_of(self._session))
        identities = (await self._session.execute(statement, senders_among.given(wanted))).all()
        staff_ids = {i.staff_id for i in identities if i.staff_id is not None}
        staff = {s.id: s for s in await self._session.scalars(
            select(Staff).where(Staff.id.in_(staff_ids)))} if staff_ids else {}
        for identity in identities:
            key = (identity.channel, identity.external_id)
            if identity.staff_id is not None:
                self._known[key] = _staff_person(staff[identity.staff_id])
            else:
                self._customers[identity.Customer.id] = identity.Customer
                self._known[key] = _customer_person(identity.Customer)

    async def admit(self, senders: Iterable[tuple[str, str, str]]) -> None:
        """`preload` for a batch's (channel, sender, display name) triples; the senders never seen before become
        customers all at once (one insert per table, then one query for their rows), so a burst of first contacts
        costs a few statements rather than a flush and an insert each."""
        senders = list(senders)
        await self.preload((channel, sender) for channel, sender, _ in senders)
        names: dict[tuple[str, str], str] = {}
        for channel, sender, display_name in senders:
            if self._known.get((channel, sender)) is None:
                names.setdefault((channel, sender), display_name)
        if not names:
            return
        now = self._clock.now()
        customers = Customer.__table__
        created = await self._session.execute(
            insert(customers).returning(customers.c.id, customers.c.name),
            [{"name": name, "phone": "", "locale": "zh", "created_at": now} for name in names.values()])
        ids: dict[str, list[int]] = {}
        for row in created:
            ids.setdefault(row.name, []).append(row.id)
            self.created.append(row.id)
        await self._session.execute(insert(Identity.__table__), [
            {"channel": channel, "external_id": sender, "display_name": name, "customer_id": ids[name].pop(),
             "staff_id": None, "created_at": now} for (channel, sender), name in names.items()])
        for key in names:
            del self._known[key]
        await self.preload(names)

    def customers_among(self, senders: Iterable[tuple[str, str]]) -> list[int]:
        """The customers among these preloaded (channel, sender) pairs, from memory."""
        return [known.id for known in (self._known.get(sender) for sender in senders)
                if known is not None and known.kind is PersonKind.CUSTOMER]

    async def resolve(self, *, channel: str, sender: str, display_name: str = "") -> Person:
        """The person behind (channel, sender); a sender never seen before becomes a new customer."""
        key = (channel, sender)
        await self.preload([key])
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = await self._new_customer(channel=channel, sender=sender,
                                                                display_name=display_name)
        return known

    async def _new_customer(self, *, channel: str, sender: str, display_name: str) -> Person:
        now = self._clock.now()
        customer = Customer(name=display_name, phone="", locale="zh", created_at=now)
        self._session.add(customer)
        await self._session.flush()
        self._customers[customer.id] = customer
        self.created.append(customer.id)
        self._session.add(Identity(channel=channel, external_id=sender, display_name=display_name,
                                   customer_id=customer.id, created_at=now))
        return _customer_person(customer)

    async def add_staff(self, *, name: str, role: PersonKind, skills: list[str], regions: list[str],
                        capacity: int = 5, identities: Mapping[str, str] | None = None, on_duty: bool = True,
                        locale: str = "zh", daily_capacity: int = 0, leave: Sequence[str] = (),
                        working_hours: Sequence[str] = ()) -> Staff:
        now = self._clock.now()
        self.staff_changes += 1
        staff = Staff(name=name, role=role.value, skills=skills, regions=regions, capacity=capacity,
                      daily_capacity=daily_capacity, leave=list(leave), working_hours=list(working_hours),
                      on_duty=on_duty, locale=locale, created_at=now)
        self._session.add(staff)
        await self._session.flush()
        for channel, external_id in (identities or {}).items():
            self._session.add(Identity(channel=channel, external_id=identity_key(channel, external_id),
                                       display_name=name,
                                       staff_id=staff.id, created_at=now))
        await self._session.flush()
        return staff

    async def staff(self, *, roles: Collection[str] = (), names: Collection[str] = ()) -> list[Staff]:
        """Staff holding any of `roles` or named in `names`, by id."""
        if not roles and not names:
            return []
        return list(await self._session.scalars(select(Staff).where(
            or_(Staff.role.in_(list(roles)), Staff.name.in_(list(names)))).order_by(Staff.id)))

    async def roster(self) -> tuple[set[str], set[str]]:
        """The roles staff hold and the names they go by: who an alert addressed by role or name can reach."""
        rows = (await self._session.execute(select(Staff.role, Staff.name))).all()
        return {role for role, _ in rows}, {name for _, name in rows}

    async def staff_member(self, staff_id: int) -> Person | None:
        """The staff member with this id, as a person (None when there is none)."""
        staff = await self._session.get(Staff, staff_id)
        return None if staff is None else _staff_person(staff)

    async def contacts_of(self, staff_ids: Collection[int]) -> dict[int, Contact]:
        """The best channel of each of these staff members (those with none are left out)."""
        if not staff_ids:
            return {}
        staff = await self._session.scalars(select(Staff).where(Staff.id.in_(list(staff_ids))).order_by(Staff.id))
        return await self.staff_contacts(list(staff))

    async def staff_contacts(self, staff: Sequence[Staff], *,
                             channels: Collection[str] | None = None) -> dict[int, Contact]:
        """Each staff member's best channel (`staff_channel`), in the order given, in one query; those with none
        are left out. `channels`: the ones a hub sends on, when only those count (None: any)."""
        if not staff:
            return {}
        identities: dict[int, dict[str, Identity]] = {}
        for identity in await self._session.scalars(
                select(Identity).where(Identity.staff_id.in_([s.id for s in staff])).order_by(Identity.id)):
            identities.setdefault(identity.staff_id or 0, {})[identity.channel] = identity
        found: dict[int, Contact] = {}
        for member in staff:
            held = identities.get(member.id, {})
            channel = staff_channel(held, channels)
            if channel is not None:
                found[member.id] = Contact(member.id, member.name, member.locale, channel,
                                           held[channel].external_id)
        return found

    async def unreachable(self, channels: Collection[str]) -> list[tuple[Staff, list[str]]]:
        """Staff whom none of `channels` (the ones a hub has configured) reaches (`staff_channel`), by id, each with
        the staff channels they do have an identity on: whatever is sent to them goes nowhere, and dispatch passes
        them over."""
        held: dict[int, list[str]] = {}
        for staff_id, channel in await self._session.execute(
                select(Identity.staff_id, Identity.channel).where(Identity.staff_id.is_not(None),
                                                                  Identity.channel.in_(CONTACT_CHANNELS))
                .order_by(Identity.id)):
            held.setdefault(staff_id, []).append(channel)
        return [(member, held.get(member.id, [])) for member in await self._session.scalars(
            select(Staff).order_by(Staff.id)) if staff_channel(held.get(member.id, ()), channels) is None]

    async def staff_at(self, channel: str, address: str) -> Staff | None:
        """The staff member reached at `address` on `channel`, if it is one."""
        return await self._session.scalar(select(Staff).join(Identity, Identity.staff_id == Staff.id).where(
            Identity.channel == channel, Identity.external_id == address).limit(1))

    async def staff_contact(self, staff_id: int) -> Contact | None:
        """Where to reach one staff member (None if they are gone or have no identity)."""
        member = await self._session.get(Staff, staff_id)
        return None if member is None else (await self.staff_contacts([member])).get(staff_id)

    async def customer_contact(self, ticket: TicketView) -> Contact | None:
        """Where the ticket's customer is written to: on the channel and in the thread the ticket came from; for a
        ticket that came another way (phoned in), on the channel they last wrote from, in their own thread."""
        customer = await self._customer(ticket.customer_id)
        identities = list(await self._session.scalars(select(Identity).where(
            Identity.customer_id == customer.id).order_by(Identity.id.desc())))
        same = next((i for i in reversed(identities) if i.channel == ticket.channel), None)
        if same is not None:
            return Contact(customer.id, customer.name, customer.locale, same.channel, same.external_id,
                           ticket.conversation)
        if not identities:
            return None
        other = identities[0]
        return Contact(customer.id, customer.name, customer.locale, other.channel, other.external_id)

    async def reach_customer(self, customer_id: int, *, channels: Collection[str] | None = None) -> Contact | None:
        """Where a customer was last heard from (their own thread there) — of `channels` only, when given; None
        when they are known on no such channel."""
        customer = await self._customer(customer_id)
        query = select(Identity).where(Identity.customer_id == customer_id)
        if channels is not None:
            query = query.where(Identity.channel.in_(channels))
        identity = await self._session.scalar(query.order_by(Identity.id.desc()).limit(1))
        if identity is None:
            return None
        return Contact(customer.id, customer.name, customer.locale, identity.channel, identity.external_id)

    def forget_customer(self, customer_id: int) -> None:
        """The customer's identities moved (a merge): their senders are looked up again."""
        self._customers.pop(customer_id, None)
        for key, person in list(self._known.items()):
            if person is not None and person.kind is PersonKind.CUSTOMER and person.id == customer_id:
                del self._known[key]

    async def remember_phone(self, customer_id: int, phone: str, *, correcting: bool = False) -> None:
        """The customer's phone, from the first they give in chat; a correction in chat replaces one chat gave, not
        one staff or an import recorded."""
        customer = await self._customer(customer_id)
        if not customer.phone or correcting and customer.phone_source == "chat":
            customer.phone = phone
            customer.phone_source = "chat"

    async def remember_locale(self, customer_id: int, locale: str) -> None:
        """The language the customer last wrote in: what their bare "ok" is answered in, and their notices."""
        (await self._customer(customer_id)).locale = locale

    async def phone_of(self, customer_id: int) -> str:
        return (await self._customer(customer_id)).phone

    async def _customer(self, customer_id: int) -> Customer:
        customer = self._customers.get(customer_id)
        if customer is None:
            customer = self._customers[customer_id] = await self._session.get_one(Customer, customer_id)
        return customer


@cache
def _identities(dialect: str) -> tuple[Select[tuple[str, str, int | None, Customer]], Among]:
    """The identities of the (channel, sender) pairs given, with their customers: every batch's first query, so
    built once per dialect."""
    senders = Among(dialect, [Identity.channel, Identity.external_id])
    return (select(Identity.channel, Identity.external_id, Identity.staff_id, Customer)
            .outerjoin(Customer, Customer.id == Identity.customer_id).where(senders.condition)), senders


def staff_channel(held: Collection[str], channels: Collection[str] | None = None) -> str | None:
    """Where a staff member holding identities on the channels `held` is told things: the first of
    `CONTACT_CHANNELS` they hold that is among `channels` (those a hub sends on; None: any). None when there is no
    such channel: whatever is sent to them would go nowhere."""
    return next((c for c in CONTACT_CHANNELS if c in held and (channels is None or c in channels)), None)


def identity_key(channel: str, external_id: str) -> str:
    """An id as the channel reports senders: mail addresses are case-insensitive and arrive lowercased, so a staff
    address written `Chen@Example.com` must be stored as the mail channel will look it up; other platforms' ids are
    exact."""
    external_id = external_id.strip()
    return external_id.lower() if channel == "email" else external_id


def _staff_person(staff: Staff) -> Person:
    return Person(PersonKind(staff.role), staff.id, staff.name, staff.locale)


def _customer_person(customer: Customer) -> Person:
    return Person(PersonKind.CUSTOMER, customer.id, customer.name, customer.locale)
