"""Staff answering customers from chat: `回复 SR-… 文本` / `reply SR-… text` on any channel (or in the thread of a
handover alert without the ticket id), and `结束` / `release` to hand the conversation back to the bot. Plain text in
a handover alert's thread is an answer too (handlers.fallback)."""
from __future__ import annotations

from core.domain.people import STAFF_ROLES
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from handlers.base import Context, Handler
from handlers.takeover import give_back, staff_answer
from nlp import RELEASE, REPLY
from nlp.commands import note_as_typed


class StaffDeskHandler(Handler):
    name = "staff_desk"
    roles = STAFF_ROLES
    commands = frozenset({REPLY, RELEASE})

    async def handle(self, ctx: Context) -> list[Outbound]:
        u = ctx.understanding
        if u.ticket_id:
            ticket = await ctx.services.tickets.get(u.ticket_id)
            if ticket is None:
                return [ctx.reply("ticket_unknown", code=u.ticket_id)]
        else:
            ticket = await ctx.services.handovers.thread_ticket(channel=ctx.inbound.channel,
                                                                thread=ctx.inbound.conversation)
            if ticket is None:
                return [ctx.reply("reply_which")]
        if u.intent == RELEASE:
            return await self._release(ctx, ticket)
        text = note_as_typed(ctx.inbound.text) or u.note
        if not text:
            return [ctx.reply("reply_which")]
        return await staff_answer(ctx, ticket, text, confirm=True)

    async def _release(self, ctx: Context, ticket: TicketView) -> list[Outbound]:
        told = await give_back(ctx, ticket, actor=ctx.person.actor)
        if told is None:
            return [ctx.reply("handover_none", ticket=ctx.ticket_card(ticket))]
        return [*told, ctx.reply("release_done", ticket=ctx.ticket_card(ticket))]
