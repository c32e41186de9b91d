"""“我的工单到哪了” / `status SR-…`: where a customer's tickets stand (and the warranty of the device each is
about), in their own channel. A customer with no ticket here who complains that nobody came ("师傅说好今天来结果人都
没影，我要投诉") is not told they have none: the complaint is passed on to intake and filed."""
from __future__ import annotations

from core.domain import visits
from core.domain.people import CUSTOMERS
from core.domain.tickets import TicketType, TicketView
from core.envelopes import Outbound
from handlers.base import Context, Handler
from nlp import STATUS_QUERY

RECENT = 3


class StatusHandler(Handler):
    name = "status"
    roles = CUSTOMERS
    commands = frozenset({STATUS_QUERY})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        tickets = ctx.services.tickets
        code = ctx.understanding.ticket_id
        if code:
            ticket = await tickets.get_for_customer(code, ctx.customer_id)
            if ticket is None:
                return [ctx.reply("status_unknown_ticket", code=code)]
            found = [ticket]
        else:
            found = await tickets.for_customer(ctx.customer_id, limit=RECENT)
        if not found:
            u = ctx.understanding
            if u.angry or u.type == TicketType.COMPLAINT.value:
                return None
            return [ctx.reply("status_none")]
        devices = ctx.services.devices
        named = await devices.of_tickets(found)
        cards = []
        for ticket in found:
            device = named.get(ticket.device_id or 0)
            cards.append({**ctx.ticket_card(ticket), "device": None if device is None else {
                "serial": device.serial, "model": device.model, "warranty": devices.warranty(device).value}})
        return [ctx.reply("status_report", tickets=cards, visits=await self._visits(ctx, found))]

    async def _visits(self, ctx: Context, found: list[TicketView]) -> dict[str, dict[str, str]]:
        """Each open ticket's agreed visit with its technician ("王师傅 明天 14:00–16:00 上门")."""
        shown = {}
        for ticket in found:
            if ticket.visit is not None and ticket.assignee_id is not None and ticket.is_open:
                technician = await ctx.services.people.staff_member(ticket.assignee_id)
                shown[ticket.code] = {"technician": technician.name if technician else "",
                                      **visits.shown(ticket.visit, ctx.now)}
        return shown
