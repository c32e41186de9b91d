"""Customers as the API sees them: found by phone or name, one person with identities on several channels and the
tickets they opened; a ticket phoned in finds its customer by phone, or creates one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.tickets import TicketView
from core.services.search import ESCAPE, containing
from core.services.tickets import view
from core.storage.models import Customer, Identity, Ticket

RECENT_TICKETS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerView:
    id: int
    name: str
    phone: str
    locale: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityView:
    channel: str
    external_id: str
    display_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRecord:
    """A customer with every channel identity and their newest tickets."""

    customer: CustomerView
    identities: list[IdentityView]
    tickets: list[TicketView]


class CustomerService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def search(self, *, phone: str | None = None, q: str | None = None, after: int | None = None,
                     limit: int = 50) -> list[CustomerView]:
        """Newest first (ids below `after`): by exact phone, and/or `q` within the name or the phone."""
        query = select(Customer).order_by(Customer.id.desc()).limit(limit)
        if phone:
            query = query.where(Customer.phone == phone)
        if q:
            pattern = containing(q)
            query = query.where(or_(Customer.name.like(pattern, escape=ESCAPE), Customer.phone.like(pattern,
                                                                                                   escape=ESCAPE)))
        if after is not None:
            query = query.where(Customer.id < after)
        return [customer_view(c) for c in await self._session.scalars(query)]

    async def record(self, customer_id: int) -> CustomerRecord | None:
        customer = await self._session.get(Customer, customer_id)
        if customer is None:
            return None
        identities = await self._session.scalars(select(Identity).where(Identity.customer_id == customer_id)
                                                 .order_by(Identity.id))
        tickets = await self._session.scalars(select(Ticket).where(Ticket.customer_id == customer_id)
                                              .order_by(Ticket.id.desc()).limit(RECENT_TICKETS))
        return CustomerRecord(customer=customer_view(customer),
                              identities=[IdentityView(channel=i.channel, external_id=i.external_id,
                                                       display_name=i.display_name) for i in identities],
                              tickets=[view(t) for t in tickets])

    async def by_phone(self, *, phone: str, name: str) -> CustomerView:
        """The oldest customer with this phone (a name given fills an empty one), or a new customer."""
        customer = await self._session.scalar(select(Customer).where(Customer.phone == phone)
                                              .order_by(Customer.id).limit(1))
        if customer is None:
            customer = Customer(name=name, phone=phone, locale="zh", created_at=self._clock.now())
            self._session.add(customer)
            await self._session.flush()
        elif name and not customer.name:
            customer.name = name
        return customer_view(customer)

    async def names(self, customer_ids: list[int]) -> Mapping[int, CustomerView]:
        """Several customers at once, by id."""
        if not customer_ids:
            return {}
        found = await self._session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
        return {c.id: customer_view(c) for c in found}


def customer_view(row: Customer) -> CustomerView:
    return CustomerView(id=row.id, name=row.name, phone=row.phone, locale=row.locale, created_at=row.created_at)
