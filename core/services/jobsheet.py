"""A job's sheet: the parts reported on it (`用料`) and the labour (`工时`), priced — parts at the catalogue's price,
labour at `[pricing] labour_rate` — with the device's warranty deciding whether the customer pays (see
`core.domain.jobsheet`). `JobSheetService.of_ticket` is what the completion notice, the technician's confirmation
and the API's ticket show, and what service-cost totals build on."""
from __future__ import annotations

from decimal import Decimal

from core.clock import CHINA_TZ
from core.domain.devices import Warranty
from core.domain.jobsheet import LABOUR, PARTS, JobLine, JobSheet, hours, labour_cents
from core.domain.tickets import TicketView
from core.services.devices import DeviceService
from core.services.parts import PartsService
from core.services.tickets import TicketService

LABOUR_EVENT = "labour"
"""Audit event: a technician reported working time on the job (`after`: `minutes`)."""


class JobSheetService:
    def __init__(self, *, tickets: TicketService, parts: PartsService, devices: DeviceService,
                 labour_rate_cents: int) -> None:
        self._tickets = tickets
        self._parts = parts
        self._devices = devices
        self._rate = labour_rate_cents

    @property
    def labour_rate_cents(self) -> int:
        """What an hour of labour costs, in fen."""
        return self._rate

    async def report_labour(self, ticket: TicketView, minutes: int, *, actor: str) -> None:
        """Add working time to the job (each report adds; the audit log keeps who and when)."""
        await self._tickets.record(ticket, actor, LABOUR_EVENT, {}, {"minutes": minutes})

    async def labour_minutes(self, ticket: TicketView) -> int:
        return sum(int(after["minutes"]) for after in await self._tickets.events(ticket, LABOUR_EVENT))

    async def of_ticket(self, ticket: TicketView) -> JobSheet:
        """The parts lines (per SKU, in the order first reported), then one labour line when any was reported,
        with the warranty on the day the job was reported."""
        lines = [JobLine(kind=PARTS, item=u.sku, name=u.name, quantity=Decimal(u.quantity), unit_cents=u.price_cents,
                         amount_cents=None if u.price_cents is None else u.price_cents * u.quantity)
                 for u in await self._parts.used_on(ticket)]
        minutes = await self.labour_minutes(ticket)
        if minutes:
            lines.append(JobLine(kind=LABOUR, item=LABOUR, name="", quantity=hours(minutes), unit_cents=self._rate,
                                 amount_cents=labour_cents(minutes, self._rate)))
        device = await self._devices.get(ticket.device_id)
        as_of = ticket.created_at.astimezone(CHINA_TZ).date()
        warranty = (device.warranty(as_of) if device is not None else Warranty.UNKNOWN).value
        return JobSheet(ticket=ticket.code, lines=tuple(lines), warranty=warranty,
                        serial=device.serial if device else "", warranty_end=device.warranty_end if device else None,
                        as_of=as_of)
