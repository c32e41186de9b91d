"""One customer across channels, never on a mere claim: a phone or email address someone gives in chat links them
to the customer who owns it only after they pass a one-time code sent over a channel that owner is already known
on (for an email address, the address itself); the owner of a phone must hold it from a trusted source (an import,
staff, an earlier verification). Passing merges the asker into the owner (core.services.merges), or — for an email
address nobody has — adds it as the asker's own channel."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.services.devices import TRUSTED_PHONE_SOURCES
from core.services.merges import MergeRefused, MergeService
from core.services.people import Contact, PeopleService
from core.storage.models import Customer, Identity, Verification

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
PHONE, EMAIL = "phone", "email"
_PHONE = re.compile(r"^\+?\d{7,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Outcome(StrEnum):
    SENT = "sent"
    """A code is out; `to` says where."""
    ALREADY = "already"
    """The asker holds it already."""
    AMBIGUOUS = "ambiguous"
    """Two customers hold this phone: staff must decide."""
    UNKNOWN = "unknown"
    """Nobody holds this phone from a trusted source (it is kept as the asker's own claim)."""
    UNREACHABLE = "unreachable"
    """Its owner is known on no channel this hub sends on: staff must bind it."""
    NO_EMAIL = "no_email"
    """An email address, but this hub sends no mail: staff must bind it."""
    INVALID = "invalid"
    LINKED = "linked"
    WRONG = "wrong"
    NONE = "none"
    EXPIRED = "expired"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class Challenge:
    outcome: Outcome
    kind: str
    value: str
    code: str = ""
    to: Contact | None = None


@dataclass(frozen=True, slots=True)
class Confirmed:
    outcome: Outcome
    kind: str = ""
    value: str = ""
    merged_into: int | None = None
    """The customer the asker now is (their record was merged into it), when it changed."""


class LinkingService:
    def __init__(self, *, session: AsyncSession, clock: Clock, people: PeopleService, merges: MergeService,
                 channels: frozenset[str]) -> None:
        """`channels`: the ones this hub sends on; a code is never sent where it could not be delivered."""
        self._channels = channels
        self._session = session
        self._clock = clock
        self._people = people
        self._merges = merges

    async def start(self, customer_id: int, value: str) -> Challenge:
        """The asker says `value` (a phone or an email address) is theirs: send a code if there is someone to link."""
        value = "".join(value.split())
        if _EMAIL.match(value):
            return await self._start_email(customer_id, value.lower())
        digits = value.replace("-", "")
        if _PHONE.match(digits):
            return await self._start_phone(customer_id, digits)
        return Challenge(Outcome.INVALID, "", value)

    async def _start_phone(self, customer_id: int, phone: str) -> Challenge:
        me = await self._session.get_one(Customer, customer_id)
        if me.phone == phone and me.phone_source in TRUSTED_PHONE_SOURCES:
            return Challenge(Outcome.ALREADY, PHONE, phone)
        owners = list(await self._session.scalars(select(Customer).where(
            Customer.phone == phone, Customer.phone_source.in_(TRUSTED_PHONE_SOURCES),
            Customer.merged_into_id.is_(None), Customer.id != customer_id).order_by(Customer.id).limit(2)))
        if len(owners) > 1:
            return Challenge(Outcome.AMBIGUOUS, PHONE, phone)
        if not owners:
            await self._people.remember_phone(customer_id, phone)
            return Challenge(Outcome.UNKNOWN, PHONE, phone)
        contact = await self._people.reach_customer(owners[0].id, channels=self._channels)
        if contact is None:
            return Challenge(Outcome.UNREACHABLE, PHONE, phone)
        return await self._challenge(customer_id, PHONE, phone, owners[0].id, contact)

    async def _start_email(self, customer_id: int, address: str) -> Challenge:
        identity = await self._session.scalar(select(Identity).where(Identity.channel == EMAIL,
                                                                     Identity.external_id == address))
        if identity is not None and identity.customer_id == customer_id:
            return Challenge(Outcome.ALREADY, EMAIL, address)
        if identity is not None and identity.customer_id is None:
            return Challenge(Outcome.UNREACHABLE, EMAIL, address)
        if EMAIL not in self._channels:
            return Challenge(Outcome.NO_EMAIL, EMAIL, address)
        me = await self._session.get_one(Customer, customer_id)
        to = Contact(customer_id, me.name, me.locale, EMAIL, address)
        return await self._challenge(customer_id, EMAIL, address, identity.customer_id if identity else None, to)

    async def _challenge(self, customer_id: int, kind: str, value: str, owner_id: int | None,
                         to: Contact) -> Challenge:
        code = f"{secrets.randbelow(10 ** 6):06d}"
        now = self._clock.now()
        self._session.add(Verification(customer_id=customer_id, kind=kind, value=value, owner_id=owner_id,
                                       code_digest=_digest(kind, value, code), created_at=now,
                                       expires_at=now + CODE_TTL))
        return Challenge(Outcome.SENT, kind, value, code, to)

    async def confirm(self, customer_id: int, code: str, *, actor: str) -> Confirmed:
        """The asker types the code: the newest one out for them decides."""
        await self._session.flush()
        pending = await self._session.scalar(select(Verification).where(
            Verification.customer_id == customer_id, Verification.verified_at.is_(None))
            .order_by(Verification.id.desc()).limit(1))
        if pending is None:
            return Confirmed(Outcome.NONE)
        now = self._clock.now()
        if pending.expires_at <= now:
            return Confirmed(Outcome.EXPIRED, pending.kind, pending.value)
        if pending.attempts >= MAX_ATTEMPTS:
            return Confirmed(Outcome.LOCKED, pending.kind, pending.value)
        if not hmac.compare_digest(pending.code_digest, _digest(pending.kind, pending.value, code.strip())):
            pending.attempts += 1
            return Confirmed(Outcome.WRONG, pending.kind, pending.value)
        pending.verified_at = now
        if pending.owner_id is not None:
            try:
                await self._merges.merge(source_id=customer_id, target_id=pending.owner_id, actor=actor,
                                         reason=f"verified {pending.kind} {pending.value}")
            except MergeRefused:
                return Confirmed(Outcome.UNREACHABLE, pending.kind, pending.value)
            self._people.forget_customer(customer_id)
            return Confirmed(Outcome.LINKED, pending.kind, pending.value, merged_into=pending.owner_id)
        self._session.add(Identity(channel=EMAIL, external_id=pending.value, display_name="",
                                   customer_id=customer_id, created_at=now))
        return Confirmed(Outcome.LINKED, pending.kind, pending.value)


def _digest(kind: str, value: str, code: str) -> str:
    return hashlib.sha256(f"{kind}:{value}:{code}".encode()).hexdigest()
