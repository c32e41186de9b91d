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
from nlp import ADD_DEVICE, DEVICE_SCAN

SCANNED = "scanned_serial"
"""The conversation data key holding a scanned serial until the customer tells the problem (handlers.intake)."""
SCAN_KEPT = timedelta(hours=1)


def device_card(devices: DeviceService, device: DeviceView) -> dict[str, Any]:
    """The device as templates show it, with its warranty today."""
    return {"serial": device.serial, "model": device.model, "product": device.product,
            "warranty": devices.warranty(device).value,
            "warranty_end": device.warranty_end.isoformat() if device.warranty_end else ""}


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
