"""What the bot says when no job fits. A customer: a command they cannot use gets the help (a photo without words
is intake's: handlers.intake). A staff member: the help for their role — their text is never taken for a
customer's — except in the thread of a handover alert, where what they write is their answer to that customer."""
from __future__ import annotations

from core.domain.people import CUSTOMERS, STAFF_ROLES
from core.envelopes import Outbound
from handlers.base import Context, Handler
from handlers.takeover import staff_answer


class FallbackHandler(Handler):
    name = "fallback"
    roles = CUSTOMERS

    async def handle(self, ctx: Context) -> list[Outbound]:
        return [ctx.reply("help")]


class StaffHelpHandler(Handler):
    name = "staff_help"
    roles = STAFF_ROLES

    async def handle(self, ctx: Context) -> list[Outbound]:
        ticket = await ctx.services.handovers.thread_ticket(channel=ctx.inbound.channel,
                                                            thread=ctx.inbound.conversation)
        if ticket is None or not ctx.inbound.text.strip():
            return [ctx.reply("staff_help", role=ctx.person.kind.value)]
        return await staff_answer(ctx, ticket, ctx.inbound.text, confirm=False)
