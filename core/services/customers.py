"""Customers as the API sees them: found by phone or name, one person with identities on several channels, the
tickets they opened and what they said of the service; a ticket phoned in finds its customer by phone, or creates
one; staff bind a channel account to a customer."""
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
from core.services.devices import TRUSTED_PHONE_SOURCES
from core.storage.models import Customer, Identity, Survey, Ticket

RECENT_TICKETS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerView:
    id: int
    name: str
    phone: str
    locale: str
    created_at: datetime
    phone_verified: bool = False
    """The phone comes from a trusted source (an import, staff, a passed code), not only a claim in chat."""
    merged_into: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityView:
    channel: str
    external_id: str
    display_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreView:
    """A satisfaction survey the customer answered."""

    ticket: str
    csat: int | None
    nps: int | None
    comment: str
    answered_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRecord:
    """A customer with every channel identity, their newest tickets and their survey answers (newest first)."""

    customer: CustomerView
    identities: list[IdentityView]
    tickets: list[TicketView]
    scores: list[ScoreView]


class IdentityTaken(ValueError):
    """The channel account belongs to someone else already (a staff member, or another customer: merge them)."""


class CustomerService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def search(self, *, phone: str | None = None, q: str | None = None, after: int | None = None,
                     limit: int = 50) -> list[CustomerView]:
        """Newest first (ids below `after`): by exact phone, and/or `q` within the name or the phone."""
        query = select(Customer).where(Customer.merged_into_id.is_(None)).order_by(Customer.id.desc()).limit(limit)
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
        scores = await self._session.execute(
            select(Survey, Ticket.code).join(Ticket, Ticket.id == Survey.ticket_id)
            .where(Survey.customer_id == customer_id, Survey.answered_at.is_not(None))
            .order_by(Survey.answered_at.desc()).limit(RECENT_TICKETS))
        return CustomerRecord(customer=customer_view(customer),
                              identities=[IdentityView(channel=i.channel, external_id=i.external_id,
                                                       display_name=i.display_name) for i in identities],
                              tickets=[view(t) for t in tickets],
                              scores=[ScoreView(ticket=code, csat=s.csat, nps=s.nps, comment=s.comment,
                                                answered_at=s.answered_at) for s, code in scores if s.answered_at])

    async def bind(self, customer_id: int, *, channel: str, external_id: str) -> IdentityView:
        """Staff say this channel account is this customer's; raises `IdentityTaken` when it is someone else's."""
        identity = await self._session.scalar(select(Identity).where(Identity.channel == channel,
                                                                     Identity.external_id == external_id))
        if identity is not None and identity.customer_id != customer_id:
            owner = (f"staff member {identity.staff_id}" if identity.staff_id is not None
                     else f"customer {identity.customer_id}")
            raise IdentityTaken(f"{channel} {external_id} belongs to {owner}")
        if identity is None:
            identity = Identity(channel=channel, external_id=external_id, display_name="", customer_id=customer_id,
                                created_at=self._clock.now())
            self._session.add(identity)
        return IdentityView(channel=channel, external_id=external_id, display_name=identity.display_name)

    async def by_phone(self, *, phone: str, name: str) -> CustomerView:
        """The customer holding this phone — from a trusted source first, then the oldest (a name given fills an
        empty one) — or a new customer, whose phone staff entered (trusted)."""
        customer = await self._session.scalar(
            select(Customer).where(Customer.phone == phone, Customer.merged_into_id.is_(None))
            .order_by(Customer.phone_source.not_in(TRUSTED_PHONE_SOURCES), Customer.id).limit(1))
        if customer is None:
            customer = Customer(name=name, phone=phone, phone_source="staff", locale="zh",
                                created_at=self._clock.now())
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
    return CustomerView(id=row.id, name=row.name, phone=row.phone, locale=row.locale, created_at=row.created_at,
                        phone_verified=row.phone_source in TRUSTED_PHONE_SOURCES, merged_into=row.merged_into_id)
