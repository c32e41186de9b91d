"""What the bot says when no job fits: a message without text, or a command this person cannot use."""
from __future__ import annotations

from core.envelopes import Outbound
from handlers.base import Context


class FallbackHandler:
    name = "fallback"
    intents: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()

    async def handle(self, ctx: Context) -> list[Outbound]:
        if not ctx.inbound.text.strip():
            return [ctx.reply("received_media", kinds=[a.kind for a in ctx.inbound.attachments])]
        return [ctx.reply("help", staff=ctx.person.is_staff)]
