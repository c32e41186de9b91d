"""Who is talking: (channel, sender) → customer or staff member, creating a customer on first contact."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.people import PersonKind
from core.storage.models import Customer, Identity, Staff


@dataclass(frozen=True, slots=True)
class Person:
    kind: PersonKind
    id: int
    name: str
    locale: str

    @property
    def actor(self) -> str:
        """How the audit log names this person, e.g. `customer:12`."""
        return f"{self.kind.value}:{self.id}"


class PeopleService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def resolve(self, *, channel: str, sender: str, display_name: str = "") -> Person:
        identity = await self._session.scalar(
            select(Identity).where(Identity.channel == channel, Identity.external_id == sender))
        if identity is None:
            return await self._new_customer(channel=channel, sender=sender, display_name=display_name)
        if identity.staff_id is not None:
            staff = await self._session.get_one(Staff, identity.staff_id)
            return Person(PersonKind(staff.role), staff.id, staff.name, staff.locale)
        customer = await self._session.get_one(Customer, identity.customer_id)
        return Person(PersonKind.CUSTOMER, customer.id, customer.name, customer.locale)

    async def _new_customer(self, *, channel: str, sender: str, display_name: str) -> Person:
        now = self._clock.now()
        customer = Customer(name=display_name, phone="", locale="zh", created_at=now)
        self._session.add(customer)
        await self._session.flush()
        self._session.add(Identity(channel=channel, external_id=sender, display_name=display_name,
                                   customer_id=customer.id, created_at=now))
        await self._session.flush()
        return Person(PersonKind.CUSTOMER, customer.id, customer.name, customer.locale)

    async def add_staff(self, *, name: str, role: PersonKind, skills: list[str], regions: list[str],
                        capacity: int = 5, identities: dict[str, str] | None = None) -> Staff:
        now = self._clock.now()
        staff = Staff(name=name, role=role.value, skills=skills, regions=regions, capacity=capacity,
                      on_duty=True, locale="zh", created_at=now)
        self._session.add(staff)
        await self._session.flush()
        for channel, external_id in (identities or {}).items():
            self._session.add(Identity(channel=channel, external_id=external_id, display_name=name,
                                       staff_id=staff.id, created_at=now))
        await self._session.flush()
        return staff

    async def remember_phone(self, customer_id: int, phone: str) -> None:
        customer = await self._session.get_one(Customer, customer_id)
        if not customer.phone:
            customer.phone = phone

    async def phone_of(self, customer_id: int) -> str:
        customer = await self._session.get_one(Customer, customer_id)
        return customer.phone
