"""Devices in conversations: a customer scanning a device's QR code in WeChat (the unit goes on the open ticket of
the thread, or on the next problem they tell; either way they see its warranty), and staff naming the device of a
job — `设备 SR-… 序列号 [型号]` / `device SR-… SERIAL [model]` — which shows it as a free or a paid visit."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.domain.devices import DeviceView, RowError, normalize_serial
from core.domain.people import CUSTOMERS, STAFF_ROLES
from core.envelopes import Outbound
from core.services.devices import FROM_CHAT, DeviceService
from handlers.base import Context, Handler
from nlp import ADD_DEVICE, DEVICE_SCAN, about_warranty

SCANNED = "scanned_serial"
"""The conversation data key holding a scanned serial, or the unit whose warranty was asked about, until the customer
tells the problem (handlers.intake): the ticket then names that device."""
SCAN_KEPT = timedelta(hours=1)


def device_card(devices: DeviceService, device: DeviceView) -> dict[str, Any]:
    """The device as templates show it, with its warranty today."""
    return {"serial": device.serial, "model": device.model, "product": device.product,
            "warranty": devices.warranty(device).value,
            "warranty_end": device.warranty_end.isoformat() if device.warranty_end else ""}


async def unit_warranty(ctx: Context) -> list[Outbound] | None:
    """"我这台还在保修期吗": a warranty question about a unit the archive knows is answered with that unit's warranty,
    not the general policy. The unit is the one whose serial the message gives, else the device of the ticket open
    in the thread, else the customer's only registered device; None when there is none (the knowledge base answers)
    — a serial the archive does not know included, so no other unit's warranty is given for it. A unit not on the
    open ticket is kept as a scan is, so the problem told next is filed for it, as the answer offers."""
    if not about_warranty(ctx.inbound.text):
        return None
    return await warranty_of_unit(ctx)


async def warranty_of_unit(ctx: Context, device: DeviceView | None = None) -> list[Outbound] | None:
    """The warranty of `device`, else of the unit the message names or the thread is about (`unit_warranty`),
    whatever the message asks."""
    devices = ctx.services.devices
    ticket = await ctx.open_ticket()
    on_ticket = ticket.device_id if ticket is not None else None
    device = device or await _asked_unit(ctx, devices, on_ticket)
    if device is None:
        return None
    if device.id != on_ticket:
        ctx.state = ctx.services.conversations.set(ctx.state, ctx.state.state, ttl=SCAN_KEPT,
                                                   **{SCANNED: device.serial})
    return [ctx.reply("warranty_status", device=device_card(devices, device))]


async def _asked_unit(ctx: Context, devices: DeviceService, on_ticket: int | None) -> DeviceView | None:
    serials = ctx.understanding.entities.serial_numbers
    if serials:
        return await devices.by_serial(serials[0])
    if on_ticket is not None:
        return await devices.get(on_ticket)
    owned = await devices.of_customer(ctx.customer_id)
    return owned[0] if len(owned) == 1 else None


class DeviceScanHandler(Handler):
    name = "device_scan"
    roles = CUSTOMERS
    commands = frozenset({DEVICE_SCAN})

    async def handle(self, ctx: Context) -> list[Outbound]:
        try:
            serial = normalize_serial(ctx.inbound.device_serial)
        except RowError:
            return [ctx.reply("not_understood")]
        devices = ctx.services.devices
        ticket = await ctx.open_ticket()
        if ticket is not None:
            linked = await devices.attach(ticket, serial, actor=ctx.person.actor, source=FROM_CHAT)
            return [ctx.reply("device_scanned", device=device_card(devices, linked.device),
                              ticket=ctx.ticket_card(linked.ticket))]
        ctx.state = ctx.services.conversations.set(ctx.state, ctx.state.state, ttl=SCAN_KEPT, **{SCANNED: serial})
        device = await devices.by_serial(serial)
        card = device_card(devices, device) if device is not None else {
            "serial": serial, "model": "", "product": "", "warranty": "unknown", "warranty_end": ""}
        return [ctx.reply("device_scanned", device=card, ticket=None)]


class DeviceCommandHandler(Handler):
    name = "device_command"
    roles = STAFF_ROLES
    commands = frozenset({ADD_DEVICE})

    async def handle(self, ctx: Context) -> list[Outbound]:
        code, words = ctx.understanding.ticket_id, ctx.understanding.note.split()
        if not code or not words:
            return [ctx.reply("device_which", serial="")]
        try:
            serial = normalize_serial(words[0])
        except RowError:
            return [ctx.reply("device_which", serial=words[0])]
        ticket = await ctx.services.dispatch.visible(code, ctx.person)
        if ticket is None:
            return [ctx.reply("ticket_not_visible", code=code)]
        devices = ctx.services.devices
        linked = await devices.attach(ticket, serial, model=words[1] if len(words) > 1 else "",
                                      actor=ctx.person.actor)
        return [ctx.reply("device_added", ticket=ctx.ticket_card(linked.ticket),
                          device=device_card(devices, linked.device), shared=linked.other_owner or 0)]
