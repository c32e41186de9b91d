"""A customer withdraws a request: the newest open ticket (or the one named) is cancelled if it still can be."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.domain.tickets import IllegalTransition, Status
from core.envelopes import Outbound
from handlers.base import Context, Handler
from nlp import CANCEL


class CancelHandler(Handler):
    name = "cancel"
    roles = CUSTOMERS
    commands = frozenset({CANCEL})

    async def handle(self, ctx: Context) -> list[Outbound]:
        tickets = ctx.services.tickets
        code = ctx.understanding.ticket_id
        if code:
            ticket = await tickets.get_for_customer(code, ctx.customer_id)
        else:
            newest = await tickets.for_customer(ctx.customer_id, limit=1, open_only=True)
            ticket = newest[0] if newest else None
        if ticket is None:
            return [ctx.reply("cancel_none")]
        try:
            ticket = await tickets.transition(ticket, Status.CANCELLED, actor=ctx.person.actor,
                                              note=ctx.understanding.note)
        except IllegalTransition:
            return [ctx.reply("cancel_refused", ticket=ctx.ticket_card(ticket))]
        ctx.state = ctx.services.conversations.reset(ctx.state)
        return [ctx.reply("ticket_cancelled", ticket=ctx.ticket_card(ticket))]
