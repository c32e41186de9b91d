"""The staff directory: list, add and change staff members and their channel identities, and import a staff file
(matched by name). The API, `aftersales staff import` and `aftersales demo` all go through here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.people import PersonKind, StaffConflict, StaffSpec, StaffView
from core.services.people import PeopleService
from core.storage.models import Identity, Staff


@dataclass(frozen=True, slots=True)
class Imported:
    added: list[str]
    updated: list[str]


class StaffService:
    def __init__(self, *, session: AsyncSession, clock: Clock, people: PeopleService) -> None:
        self._session = session
        self._clock = clock
        self._people = people

    async def list(self, *, role: str | None = None, on_duty: bool | None = None, after: int | None = None,
                   limit: int = 50) -> list[StaffView]:
        """Staff by id (from `after` on), optionally of one role or duty state."""
        query = select(Staff).order_by(Staff.id).limit(limit)
        if role is not None:
            query = query.where(Staff.role == role)
        if on_duty is not None:
            query = query.where(Staff.on_duty.is_(on_duty))
        if after is not None:
            query = query.where(Staff.id > after)
        return await self._views(list(await self._session.scalars(query)))

    async def get(self, staff_id: int) -> StaffView | None:
        row = await self._session.get(Staff, staff_id)
        return None if row is None else (await self._views([row]))[0]

    async def by_name(self, name: str) -> StaffView | None:
        row = await self._session.scalar(select(Staff).where(Staff.name == name).order_by(Staff.id).limit(1))
        return None if row is None else (await self._views([row]))[0]

    async def create(self, spec: StaffSpec) -> StaffView:
        """A new staff member; raises `StaffConflict` when the name or an identity is taken."""
        spec = spec.to_create()
        assert spec.name is not None and spec.role is not None
        if await self.by_name(spec.name) is not None:
            raise StaffConflict(f"name: a staff member named {spec.name!r} exists")
        await self._check_identities(None, spec.identities or {})
        row = await self._people.add_staff(name=spec.name, role=PersonKind(spec.role), skills=list(spec.skills or ()),
                                           regions=list(spec.regions or ()), capacity=spec.capacity or 0,
                                           identities=spec.identities, on_duty=bool(spec.on_duty),
                                           locale=spec.locale or "zh", daily_capacity=spec.daily_capacity or 0,
                                           leave=spec.leave or (), working_hours=spec.working_hours or ())
        return (await self._views([row]))[0]

    async def update(self, staff_id: int, spec: StaffSpec) -> StaffView | None:
        """Change what `spec` names; None when there is no such staff member. Raises `StaffConflict` as `create`."""
        row = await self._session.get(Staff, staff_id)
        if row is None:
            return None
        self._people.staff_changes += 1
        if spec.name is not None and spec.name != row.name:
            other = await self.by_name(spec.name)
            if other is not None:
                raise StaffConflict(f"name: a staff member named {spec.name!r} exists")
            row.name = spec.name
        for field in ("role", "capacity", "daily_capacity", "on_duty", "locale"):
            value = getattr(spec, field)
            if value is not None:
                setattr(row, field, value)
        if spec.skills is not None:
            row.skills = list(spec.skills)
        if spec.regions is not None:
            row.regions = list(spec.regions)
        if spec.leave is not None:
            row.leave = list(spec.leave)
        if spec.working_hours is not None:
            row.working_hours = list(spec.working_hours)
        if spec.identities is not None:
            await self._replace_identities(row, spec.identities)
        await self._session.flush()
        return (await self._views([row]))[0]

    async def import_specs(self, specs: Sequence[StaffSpec]) -> Imported:
        """Add or update each staff member, matched by name (a staff file, the demo)."""
        added: list[str] = []
        updated: list[str] = []
        for spec in specs:
            assert spec.name is not None
            existing = await self.by_name(spec.name)
            if existing is None:
                await self.create(spec)
                added.append(spec.name)
            else:
                await self.update(existing.id, spec)
                updated.append(spec.name)
        return Imported(added, updated)

    async def _replace_identities(self, row: Staff, identities: Mapping[str, str]) -> None:
        await self._check_identities(row.id, identities)
        await self._session.execute(delete(Identity).where(
            Identity.staff_id == row.id, Identity.channel.not_in(list(identities))))
        current = {i.channel: i for i in await self._session.scalars(
            select(Identity).where(Identity.staff_id == row.id))}
        now = self._clock.now()
        for channel, address in identities.items():
            identity = current.get(channel)
            if identity is None:
                self._session.add(Identity(channel=channel, external_id=address, display_name=row.name,
                                           staff_id=row.id, created_at=now))
            elif identity.external_id != address:
                identity.external_id = address

    async def _check_identities(self, staff_id: int | None, identities: Mapping[str, str]) -> None:
        for channel, address in identities.items():
            holder = await self._session.scalar(select(Identity).where(
                Identity.channel == channel, Identity.external_id == address))
            if holder is not None and (holder.staff_id is None or holder.staff_id != staff_id):
                who = "a customer" if holder.staff_id is None else f"staff member {holder.staff_id}"
                raise StaffConflict(f"identities.{channel}: {address!r} already belongs to {who}")

    async def _views(self, rows: Sequence[Staff]) -> list[StaffView]:
        identities: dict[int, dict[str, str]] = {}
        if rows:
            for identity in await self._session.scalars(select(Identity).where(
                    Identity.staff_id.in_([r.id for r in rows])).order_by(Identity.id)):
                identities.setdefault(identity.staff_id or 0, {})[identity.channel] = identity.external_id
        return [StaffView(id=r.id, name=r.name, role=r.role, skills=tuple(r.skills), regions=tuple(r.regions),
                          capacity=r.capacity, daily_capacity=r.daily_capacity, leave=tuple(r.leave),
                          working_hours=tuple(r.working_hours), on_duty=r.on_duty, locale=r.locale,
                          identities=identities.get(r.id, {}), created_at=r.created_at) for r in rows]
