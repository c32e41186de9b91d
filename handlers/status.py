"""“我的工单到哪了” / `status SR-…`: where a customer's tickets stand, in their own channel."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.envelopes import Outbound
from handlers.base import Context, Handler
from nlp import STATUS_QUERY

RECENT = 3


class StatusHandler(Handler):
    name = "status"
    roles = CUSTOMERS
    commands = frozenset({STATUS_QUERY})

    async def handle(self, ctx: Context) -> list[Outbound]:
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
            return [ctx.reply("status_none")]
        return [ctx.reply("status_report", tickets=[ctx.ticket_card(t) for t in found])]
