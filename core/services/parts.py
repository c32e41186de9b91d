"""Spare parts: the catalogue, stock per place (warehouses, technicians' vans), the parts a job uses and the ledger.

Parts a technician reports (`用料`) are taken from stock when the job is done, all of them or none: each line is a
conditional UPDATE (`quantity >= n`), so of two technicians using the last part exactly one gets it — on PostgreSQL
the second UPDATE waits for the first to commit and then finds nothing left — and a line that cannot be met gives
back the lines taken before it. Every change of stock is a row of the ledger with who, which ticket and which device.
A part at or below its `low_stock` is reported once per crossing (a conditional UPDATE of `low_alerted`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.tickets import Status, TicketView
from core.services.tickets import TicketService
from core.storage.models import Device, Part, PartMovement, PartStock, Staff, Ticket, TicketEvent, TicketPart

MAIN_WAREHOUSE = "warehouse:main"
PARTS_ACTOR = "system:parts"
USED = "used"
"""Ledger reason: taken from stock for a job (the ticket and the device it went into are on the row)."""
SHORT = "parts_short"
"""Audit event: a job waits for a part (`缺料`); the part arriving resumes it."""


class UnknownPart(LookupError):
    """No part of the catalogue has this SKU."""

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.sku = sku


class OutOfStock(Exception):
    """Not enough of a part anywhere the technician may take it from; nothing was taken."""

    def __init__(self, sku: str, name: str, wanted: int) -> None:
        super().__init__(sku)
        self.sku, self.name, self.wanted = sku, name, wanted


@dataclass(frozen=True, slots=True)
class PartRow:
    """One line of a catalogue import: stock is what `location` holds now (a stock-take)."""

    sku: str
    name: str
    stock: int
    low_stock: int
    location: str = MAIN_WAREHOUSE
    price_cents: int | None = None
    """The unit price in fen; None keeps the one the catalogue has."""


@dataclass(frozen=True, slots=True)
class Used:
    sku: str
    name: str
    quantity: int
    price_cents: int | None = None
    """The catalogue's unit price in fen, where the caller asked for it (`used_on`)."""


@dataclass(frozen=True, slots=True)
class Movement:
    at: datetime
    location: str
    delta: int
    balance: int
    reason: str
    actor: str
    ticket: str | None
    device: str


@dataclass(frozen=True, slots=True)
class PartView:
    sku: str
    name: str
    stock: int
    low_stock: int
    price_cents: int | None
    locations: dict[str, int]
    movements: list[Movement]


@dataclass(frozen=True, slots=True)
class LowStock:
    """A part that just fell to its low-stock level or below."""

    sku: str
    name: str
    stock: int
    low_stock: int


@dataclass(frozen=True, slots=True)
class Consumed:
    used: list[Used]
    low: list[LowStock]


def van(staff_id: int) -> str:
    return f"van:{staff_id}"


class PartsService:
    def __init__(self, *, session: AsyncSession, clock: Clock, tickets: TicketService) -> None:
        self._session = session
        self._clock = clock
        self._tickets = tickets

    async def import_rows(self, rows: Sequence[PartRow], *, actor: str) -> list[str]:
        """Add or update parts by SKU and set each place's stock to the row's (the difference is on the ledger).
        Returns the SKUs whose stock went up: jobs waiting for them may go on."""
        now = self._clock.now()
        risen: list[str] = []
        for row in rows:
            part = await self._session.get(Part, row.sku)
            if part is None:
                part = Part(sku=row.sku, name=row.name, low_stock=row.low_stock, low_alerted=False,
                            price_cents=row.price_cents, created_at=now, updated_at=now)
                self._session.add(part)
                await self._session.flush([part])
            else:
                part.name, part.low_stock, part.updated_at = row.name, row.low_stock, now
                if row.price_cents is not None:
                    part.price_cents = row.price_cents
            held = await self._session.scalar(select(PartStock).where(PartStock.sku == row.sku,
                                                                      PartStock.location == row.location))
            if held is None:
                held = PartStock(sku=row.sku, location=row.location, quantity=0)
                self._session.add(held)
            delta = row.stock - held.quantity
            held.quantity = row.stock
            if delta:
                self._ledger(row.sku, row.location, delta, row.stock, "stocktake", actor, None, "")
            if delta > 0:
                risen.append(row.sku)
            if await self._total(row.sku) > part.low_stock:
                part.low_alerted = False
        return risen

    async def place(self, location: str) -> str:
        """A place as the catalogue file names it — `warehouse:<name>`, or `van:<technician's name>` — as stored
        (`van:<staff id>`). `LookupError` for a van of nobody on staff, `ValueError` for anything else."""
        kind, _, name = location.strip().partition(":")
        if kind == "warehouse" and name.strip():
            return f"warehouse:{name.strip()}"
        if kind == "van" and name.strip():
            staff_id = await self._session.scalar(select(Staff.id).where(Staff.name == name.strip()).limit(1))
            if staff_id is None:
                raise LookupError(f"no staff member named {name.strip()!r}")
            return van(staff_id)
        raise ValueError(f"{location!r} is neither warehouse:<name> nor van:<technician>")

    async def arrived(self, skus: Sequence[str]) -> list[TicketView]:
        """Jobs waiting for parts whose every missing part is in stock again (some of `skus` just arrived) go on
        where they stood before the wait; returns them."""
        resumed = []
        for ticket in await self.waiting_for(skus):
            wanted = {after["sku"] for after in await self._tickets.events(ticket, SHORT)}
            if all([await self._total(sku) > 0 for sku in wanted]):
                resumed.append(await self._tickets.resume(ticket, actor=PARTS_ACTOR))
        return resumed

    async def view(self, sku: str, *, movements: int = 50) -> PartView | None:
        """The part with its stock per place and its latest movements, newest first."""
        part = await self._session.get(Part, sku)
        if part is None:
            return None
        places = dict((await self._session.execute(select(PartStock.location, PartStock.quantity).where(
            PartStock.sku == sku).order_by(PartStock.location))).tuples().all())
        rows = await self._session.execute(
            select(PartMovement, Ticket.code).outerjoin(Ticket, Ticket.id == PartMovement.ticket_id)
            .where(PartMovement.sku == sku).order_by(PartMovement.id.desc()).limit(movements))
        return PartView(sku=part.sku, name=part.name, stock=sum(places.values()), low_stock=part.low_stock,
                        price_cents=part.price_cents, locations=places, movements=[
                            Movement(m.at, m.location, m.delta, m.balance, m.reason, m.actor, code, m.device_serial)
                            for m, code in rows.all()])

    async def report_used(self, ticket: TicketView, lines: Sequence[tuple[str, int]], *, actor: str) -> list[Used]:
        """Parts a technician used on a job (taken from stock when the job is done). `UnknownPart` for a SKU not in
        the catalogue, and then nothing is recorded."""
        parts = {sku: await self._session.get(Part, sku) for sku, _ in lines}
        for sku, part in parts.items():
            if part is None:
                raise UnknownPart(sku)
        ticket_id = await self._tickets.row_id(ticket)
        now = self._clock.now()
        for sku, quantity in lines:
            self._session.add(TicketPart(ticket_id=ticket_id, sku=sku, quantity=quantity, reported_by=actor,
                                         created_at=now))
        await self._tickets.record(ticket, actor, "parts_used", {}, {"parts": [[s, q] for s, q in lines]})
        return [Used(sku, parts[sku].name, q) for sku, q in lines]  # type: ignore[union-attr]

    async def used_on(self, ticket: TicketView) -> list[Used]:
        """Every part reported on the job, per SKU, in the order first reported."""
        rows = await self._session.execute(
            select(TicketPart.sku, Part.name, func.sum(TicketPart.quantity), Part.price_cents)
            .join(Part, Part.sku == TicketPart.sku)
            .where(TicketPart.ticket_id == await self._tickets.row_id(ticket))
            .group_by(TicketPart.sku, Part.name, Part.price_cents).order_by(func.min(TicketPart.id)))
        return [Used(sku, name, int(total), price) for sku, name, total, price in rows.all()]

    async def consume(self, ticket: TicketView, staff_id: int, *, actor: str) -> Consumed:
        """Take the job's reported parts from stock — the technician's van first, then the warehouses — all or
        none (`OutOfStock` names the first that cannot be met, after giving back what was taken)."""
        ticket_id = await self._tickets.row_id(ticket)
        pending = list(await self._session.scalars(select(TicketPart).where(
            TicketPart.ticket_id == ticket_id, TicketPart.consumed_at.is_(None)).order_by(TicketPart.id)))
        device = await self._device_serial(ticket)
        wanted: dict[str, int] = {}
        for line in pending:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        taken: list[tuple[str, str, int]] = []
        for sku, quantity in wanted.items():
            place = await self._take(sku, quantity, staff_id)
            if place is None:
                for sku, location, quantity in taken:
                    await self._session.execute(update(PartStock).where(
                        PartStock.sku == sku, PartStock.location == location)
                        .values(quantity=PartStock.quantity + quantity).execution_options(synchronize_session=False))
                part = await self._session.get_one(Part, sku)
                raise OutOfStock(sku, part.name, quantity)
            taken.append((sku, place, quantity))
        now = self._clock.now()
        for line in pending:
            line.consumed_at = now
        for sku, location, quantity in taken:
            balance = await self._session.scalar(select(PartStock.quantity).where(
                PartStock.sku == sku, PartStock.location == location))
            self._ledger(sku, location, -quantity, int(balance or 0), USED, actor, ticket_id, device)
        low = [found for sku in dict.fromkeys(s for s, _, _ in taken) if (found := await self._crossed(sku))]
        names = {p.sku: p.name for p in await self._session.scalars(select(Part).where(
            Part.sku.in_([s for s, _, _ in taken])))}
        return Consumed(used=[Used(s, names[s], q) for s, _, q in taken], low=low)

    async def mark_short(self, ticket: TicketView, sku: str, *, actor: str) -> Part:
        """The job waits for a part (`UnknownPart` if there is no such part); audited so its arrival resumes it."""
        part = await self._session.get(Part, sku)
        if part is None:
            raise UnknownPart(sku)
        await self._tickets.record(ticket, actor, SHORT, {}, {"sku": sku})
        return part

    async def waiting_for(self, skus: Sequence[str]) -> list[TicketView]:
        """Jobs waiting for parts (`pending_parts`) that said they lack one of these."""
        if not skus:
            return []
        rows = await self._session.execute(
            select(Ticket.code, TicketEvent.after).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(Ticket.status == Status.PENDING_PARTS.value, TicketEvent.action == SHORT).order_by(Ticket.id))
        codes = list(dict.fromkeys(code for code, after in rows.all() if after.get("sku") in skus))
        found = [await self._tickets.get(code) for code in codes]
        return [t for t in found if t is not None]

    async def _take(self, sku: str, quantity: int, staff_id: int) -> str | None:
        """Take `quantity` from one place that has that many (van first); None when no place has."""
        places = [van(staff_id), *await self._session.scalars(select(PartStock.location).where(
            PartStock.sku == sku, PartStock.location.like("warehouse:%")).order_by(PartStock.id))]
        for location in places:
            taken = await self._session.execute(
                update(PartStock).where(PartStock.sku == sku, PartStock.location == location,
                                        PartStock.quantity >= quantity)
                .values(quantity=PartStock.quantity - quantity).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                return location
        return None

    async def _crossed(self, sku: str) -> LowStock | None:
        """The part if its stock is now at or below its low-stock level and nobody was told yet."""
        part = await self._session.get_one(Part, sku)
        total = await self._total(sku)
        if total > part.low_stock:
            return None
        flagged = await self._session.execute(update(Part).where(Part.sku == sku, Part.low_alerted.is_(False))
                                              .values(low_alerted=True).execution_options(synchronize_session=False))
        return LowStock(sku, part.name, total, part.low_stock) if flagged.rowcount == 1 else None

    async def _device_serial(self, ticket: TicketView) -> str:
        """The serial of the device the job is about: the one named on the ticket, else the first one its messages
        mentioned."""
        if ticket.device_id is not None:
            serial = await self._session.scalar(select(Device.serial).where(Device.id == ticket.device_id))
            if serial:
                return serial
        return next(iter(ticket.entities.get("serial_numbers") or []), "")

    async def _total(self, sku: str) -> int:
        return int(await self._session.scalar(select(func.coalesce(func.sum(PartStock.quantity), 0)).where(
            PartStock.sku == sku)) or 0)

    def _ledger(self, sku: str, location: str, delta: int, balance: int, reason: str, actor: str,
                ticket_id: int | None, device: str) -> None:
        self._session.add(PartMovement(sku=sku, location=location, delta=delta, balance=balance, reason=reason,
                                       actor=actor, ticket_id=ticket_id, device_serial=device, at=self._clock.now()))
