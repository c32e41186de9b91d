"""The device archive: units imported from spreadsheets (upsert by serial, owners found or created by phone, all in
the caller's one transaction), looked up by serial, and named on tickets — from a serial or model in a message, a
WeChat QR scan, or staff — so the warranty shows on the job and every ticket on a unit is its service history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Iterable, Sequence

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import CHINA_TZ, Clock
from core.domain.devices import DeviceSpec, DeviceView, RowError, Warranty, normalize_serial
from core.domain.tickets import TicketView
from core.services.media import AttachmentView, attachment_view
from core.services.tickets import TicketService, view
from core.storage.among import Among, dialect_of
from core.storage.models import Customer, Device, MediaAttachment, Ticket

TRUSTED_PHONE_SOURCES = ("import", "staff", "verified")
"""How a phone can be known so that it identifies its owner (a phone said in chat is only a claim)."""
CHUNK = 2000
"""Values per `IN (…)` list and rows per statement of a bulk import (well under SQLite's variable limit)."""
IMPORTED, FROM_CHAT, FROM_STAFF = "import", "chat", "staff"


@dataclass(frozen=True, slots=True)
class Imported:
    added: int
    updated: int
    customers_added: int


@dataclass(frozen=True, slots=True)
class Nameplate:
    """The photo a unit's serial was read from, under the ticket it came with."""

    ticket_code: str
    photo: AttachmentView


@dataclass(frozen=True, slots=True)
class Linked:
    """A device named on a ticket; `other_owner`: the customer the device belongs to when it is not the ticket's
    (two people reporting the same unit: staff are told on the audit log)."""

    ticket: TicketView
    device: DeviceView
    other_owner: int | None


_DEVICES = Device.__table__
_OWNED = select(_DEVICES.c.id).where(_DEVICES.c.customer_id == bindparam("customer"),
                                    _DEVICES.c.model.in_(bindparam("models", expanding=True))).limit(2)
"""The ids of up to two of a customer's devices of the models given, as a report naming a model asks: built once,
and read without the ORM, since mostly the customer owns none (the one row found is then loaded)."""


@cache
def _owned_by(dialect: str) -> tuple[Select[tuple[int, int, str]], Among]:
    """The id, owner and model of every device of the customers given: a batch's preload for its reports naming a
    model, built once per dialect."""
    customers = Among(dialect, [_DEVICES.c.customer_id])
    return select(_DEVICES.c.id, _DEVICES.c.customer_id, _DEVICES.c.model).where(customers.condition), customers


class DeviceService:
    def __init__(self, *, session: AsyncSession, clock: Clock, tickets: TicketService) -> None:
        self._session = session
        self._clock = clock
        self._tickets = tickets
        self._owned: dict[int, list[tuple[int, str]]] = {}
        """Per customer preloaded (`preload_owned`), the id and model of each of their devices; dropped whole when
        this transaction records a device, gives one a model or moves devices between customers, so what is held is
        what a query would read."""

    async def preload_owned(self, customer_ids: Iterable[int]) -> None:
        """Read the devices of these customers in one query, for the batch's reports naming a model: each such
        report asked for its customer's devices of that model in a query of its own (400 of the 3,000 messages of
        `bench_intake.py`)."""
        wanted = set(customer_ids) - self._owned.keys()
        if not wanted:
            return
        statement, customers = _owned_by(dialect_of(self._session))
        with self._session.no_autoflush:
            rows = (await self._session.execute(statement, customers.given(wanted))).tuples().all()
        for customer_id in wanted:
            self._owned[customer_id] = []
        for device_id, customer_id, model in rows:
            self._owned[customer_id].append((device_id, model))

    def customers_moved(self) -> None:
        """Devices were moved between customers by a statement (a merge): what `preload_owned` read may be wrong."""
        self._owned.clear()

    def today(self) -> date:
        """Warranty is judged by the day in China."""
        return self._clock.now().astimezone(CHINA_TZ).date()

    def warranty(self, device: DeviceView | None) -> Warranty:
        return Warranty.UNKNOWN if device is None else device.warranty(self.today())

    async def import_specs(self, specs: Sequence[DeviceSpec]) -> Imported:
        """Upsert every row by serial in bulk; owners are the customers holding the row's phone from a trusted
        source (the oldest), created when there is none. An empty cell keeps what the archive knew."""
        self._owned.clear()
        now = self._clock.now()
        owners, created = await self._owners(specs)
        serials = [s.serial for s in specs]
        known = 0
        for start in range(0, len(serials), CHUNK):
            known += int(await self._session.scalar(select(func.count()).select_from(Device).where(
                Device.serial.in_(serials[start:start + CHUNK]))) or 0)
        table = Device.__table__
        stmt = (postgresql.insert if dialect_of(self._session) == "postgresql" else sqlite.insert)(table)  # type: ignore[arg-type]
        keep = {name: func.coalesce(stmt.excluded[name], table.c[name])
                for name in ("customer_id", "purchase_date", "warranty_months", "warranty_end")}
        fill = {name: func.coalesce(func.nullif(stmt.excluded[name], ""), table.c[name])
                for name in ("model", "product", "address")}
        stmt = stmt.on_conflict_do_update(index_elements=["serial"],
                                          set_={**keep, **fill, "updated_at": stmt.excluded.updated_at})
        rows = [{"serial": s.serial, "model": s.model, "product": s.product,
                 "customer_id": owners.get(s.customer_phone), "address": s.address,
                 "purchase_date": s.purchase_date, "warranty_months": s.warranty_months,
                 "warranty_end": s.warranty_end, "source": IMPORTED, "created_at": now, "updated_at": now}
                for s in specs]
        for start in range(0, len(rows), CHUNK):
            await self._session.execute(stmt, rows[start:start + CHUNK])
        return Imported(added=len(specs) - known, updated=known, customers_added=created)

    async def _owners(self, specs: Sequence[DeviceSpec]) -> tuple[dict[str, int], int]:
        """phone → customer id for the rows' phones, creating the customers not found; and how many were new."""
        names: dict[str, str] = {}
        for spec in specs:
            if spec.customer_phone and not names.get(spec.customer_phone):
                names[spec.customer_phone] = spec.customer_name
        phones = list(names)
        owners: dict[str, int] = {}
        for start in range(0, len(phones), CHUNK):
            found = await self._session.execute(
                select(Customer.phone, func.min(Customer.id)).where(
                    Customer.phone.in_(phones[start:start + CHUNK]), Customer.merged_into_id.is_(None),
                    Customer.phone_source.in_(TRUSTED_PHONE_SOURCES)).group_by(Customer.phone))
            owners.update({phone: int(cid) for phone, cid in found})
        missing = [p for p in phones if p not in owners]
        now = self._clock.now()
        customers = Customer.__table__
        for start in range(0, len(missing), CHUNK):
            rows = [{"name": names[p], "phone": p, "phone_source": IMPORTED, "locale": "zh", "created_at": now}
                    for p in missing[start:start + CHUNK]]
            added = await self._session.execute(insert(customers).returning(customers.c.id, customers.c.phone), rows)
            owners.update({phone: cid for cid, phone in added})
        return owners, len(missing)

    async def by_serial(self, serial: str) -> DeviceView | None:
        try:
            serial = normalize_serial(serial)
        except RowError:
            return None
        row = await self._session.scalar(select(Device).where(Device.serial == serial))
        return None if row is None else device_view(row)

    async def get(self, device_id: int | None) -> DeviceView | None:
        if device_id is None:
            return None
        row = await self._session.get(Device, device_id)
        return None if row is None else device_view(row)

    async def of_tickets(self, tickets: Iterable[TicketView]) -> dict[int, DeviceView]:
        """The devices these tickets name, by device id, in one query."""
        ids = {t.device_id for t in tickets if t.device_id is not None}
        if not ids:
            return {}
        return {d.id: device_view(d) for d in await self._session.scalars(select(Device).where(Device.id.in_(ids)))}

    async def of_customer(self, customer_id: int) -> list[DeviceView]:
        rows = await self._session.scalars(select(Device).where(Device.customer_id == customer_id)
                                           .order_by(Device.id))
        return [device_view(d) for d in rows]

    async def history(self, device: DeviceView, *, limit: int = 100) -> list[TicketView]:
        """Every ticket on the unit, newest first: its service history."""
        rows = await self._session.scalars(select(Ticket).where(Ticket.device_id == device.id)
                                           .order_by(Ticket.id.desc()).limit(limit))
        return [view(t) for t in rows]

    async def link_from_message(self, ticket: TicketView, *, serials: Sequence[str], models: Sequence[str],
                                actor: str) -> Linked | None:
        """Name the device a message points at, if the ticket has none yet: a serial (a unit first heard of is
        recorded, owned by the ticket's customer), else a model the customer owns exactly one of. The customer's
        devices are those the batch's preload read (`preload_owned`), else read without flushing the batch (a report
        naming a model is common): a device this transaction records or gives a model is flushed there and then
        (`attach`)."""
        if ticket.device_id is not None or not (serials or models):
            return None
        for serial in serials:
            try:
                return await self.attach(ticket, normalize_serial(serial), model=models[0] if models else "",
                                         actor=actor, source=FROM_CHAT)
            except RowError:
                continue
        wanted = [m.upper() for m in models]
        held = self._owned.get(ticket.customer_id)
        with self._session.no_autoflush:
            if held is not None:
                owned = [device_id for device_id, model in held if model in wanted]
            else:
                owned = list(await self._session.scalars(_OWNED, {"customer": ticket.customer_id, "models": wanted}))
            if len(owned) != 1:
                return None
            row = await self._session.get_one(Device, owned[0])
        return await self._link(ticket, row, actor=actor)

    async def attach(self, ticket: TicketView, serial: str, *, model: str = "", actor: str,
                     source: str = FROM_STAFF) -> Linked:
        """Name the unit with this (normalized) serial on the ticket, recording it first when it is new."""
        row = await self._session.scalar(select(Device).where(Device.serial == serial))
        self._owned.clear()
        if row is None:
            now = self._clock.now()
            row = Device(serial=serial, model=model.upper(), product="", customer_id=ticket.customer_id, address="",
                         source=source, created_at=now, updated_at=now)
            self._session.add(row)
            await self._session.flush()
        elif model and not row.model:
            row.model = model.upper()
            await self._session.flush([row])
        return await self._link(ticket, row, actor=actor)

    async def mark_nameplate(self, linked: Linked, attachment_id: int, *, actor: str) -> None:
        """Staff typed the serial off this photo of the ticket: it becomes the unit's nameplate photo (one per unit;
        the audit log keeps the earlier ones)."""
        unit = linked.device.id
        before = await self._session.scalar(select(MediaAttachment.id).where(MediaAttachment.nameplate_of == unit))
        if before == attachment_id:
            return
        await self._session.execute(update(MediaAttachment).where(MediaAttachment.nameplate_of == unit)
                                    .values(nameplate_of=None))
        await self._session.execute(update(MediaAttachment).where(MediaAttachment.id == attachment_id)
                                    .values(nameplate_of=unit))
        await self._tickets.record(linked.ticket, actor, "nameplate", {"attachment": before},
                                   {"attachment": attachment_id, "serial": linked.device.serial})

    async def nameplate(self, device: DeviceView) -> Nameplate | None:
        found = (await self._session.execute(
            select(MediaAttachment, Ticket.code).join(Ticket, Ticket.id == MediaAttachment.ticket_id)
            .where(MediaAttachment.nameplate_of == device.id))).first()
        return None if found is None else Nameplate(ticket_code=found[1], photo=attachment_view(found[0]))

    async def _link(self, ticket: TicketView, row: Device, *, actor: str) -> Linked:
        ticket = await self._tickets.set_device(ticket, row.id, actor=actor, serial=row.serial)
        other = row.customer_id if row.customer_id not in (None, ticket.customer_id) else None
        if other is not None:
            await self._tickets.record(ticket, actor, "device_shared", {}, {"serial": row.serial,
                                                                           "owner_customer_id": other})
        return Linked(ticket, device_view(row), other)


def device_view(row: Device) -> DeviceView:
    return DeviceView(id=row.id, serial=row.serial, model=row.model, product=row.product,
                      customer_id=row.customer_id, address=row.address, purchase_date=row.purchase_date,
                      warranty_months=row.warranty_months, warranty_end=row.warranty_end, source=row.source)
