"""`确认 SR-…` / `ack SR-…` (or the button on an SLA alert) from any staff member: they take charge of the ticket's
breach. The escalation levels not yet sent stop, the audit log keeps who and when, and an alert whose button was
pressed is rewritten to say who acknowledged it."""
from __future__ import annotations

from core.domain.people import STAFF_ROLES
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Context, Handler
from nlp import ACKNOWLEDGE


class EscalationHandler(Handler):
    name = "escalation"
    roles = STAFF_ROLES
    commands = frozenset({ACKNOWLEDGE})

    async def handle(self, ctx: Context) -> list[Outbound]:
        code = ctx.understanding.ticket_id
        if not code:
            return [ctx.reply("which_ticket", command=ACKNOWLEDGE)]
        ticket = await ctx.services.dispatch.visible(code, ctx.person)
        if ticket is None:
            return [ctx.reply("ticket_not_visible", code=code)]
        stopped = await ctx.services.tickets.acknowledge(ticket, actor=ctx.person.actor, note=ctx.understanding.note)
        card = ctx.ticket_card(ticket)
        return [ctx.reply("ack_done", ticket=card, stopped=stopped),
                *notices.rewrite_pressed(ctx, "alert_acknowledged", "acknowledged", ticket=card,
                                         staff=ctx.person.name)]
