"""`确认 SR-…` / `ack SR-…`: a supervisor takes note of an escalated job, recorded in the ticket's audit log."""
from __future__ import annotations

from core.domain.people import SUPERVISING_ROLES
from core.envelopes import Outbound
from handlers.base import Context, Handler
from nlp import ACKNOWLEDGE


class SupervisorHandler(Handler):
    name = "supervisor"
    roles = SUPERVISING_ROLES
    commands = frozenset({ACKNOWLEDGE})

    async def handle(self, ctx: Context) -> list[Outbound]:
        code = ctx.understanding.ticket_id
        if not code:
            return [ctx.reply("ack_which")]
        ticket = await ctx.services.tickets.get(code)
        if ticket is None:
            return [ctx.reply("ticket_unknown", code=code)]
        await ctx.services.tickets.acknowledge(ticket, actor=ctx.person.actor, note=ctx.understanding.note)
        return [ctx.reply("ack_done", ticket=ctx.ticket_card(ticket))]
