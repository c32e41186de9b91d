"""What the bot says when no job fits. A customer: a message without text is asked to describe the problem, a
command they cannot use gets the help. A staff member: always the help for their role — their text is never taken
for a customer's."""
from __future__ import annotations

from core.domain.people import CUSTOMERS, STAFF_ROLES
from core.envelopes import Outbound
from handlers.base import Context, Handler


class FallbackHandler(Handler):
    name = "fallback"
    roles = CUSTOMERS

    async def handle(self, ctx: Context) -> list[Outbound]:
        if not ctx.inbound.text.strip():
            return [ctx.reply("received_media", kinds=[a.kind for a in ctx.inbound.attachments])]
        return [ctx.reply("help")]


class StaffHelpHandler(Handler):
    name = "staff_help"
    roles = STAFF_ROLES

    async def handle(self, ctx: Context) -> list[Outbound]:
        return [ctx.reply("staff_help", role=ctx.person.kind.value)]
