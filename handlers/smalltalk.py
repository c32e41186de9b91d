"""Greetings and thanks get a friendly answer and never open a ticket; "😡" or "[流泪]" alone is met with an apology
and the offer of a person, not a cheerful hello. A photo, voice note or file without words is
no greeting: it is passed on to intake (it joins the open ticket, or the customer is asked what is wrong)."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.envelopes import Outbound
from handlers.base import Context, Handler
from nlp import GREETING, THANKS, gratitude


class SmalltalkHandler(Handler):
    name = "smalltalk"
    roles = CUSTOMERS
    intents = frozenset({GREETING, THANKS})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        if ctx.inbound.attachments and not ctx.inbound.text.strip():
            return None
        if ctx.understanding.intent == THANKS:
            return [ctx.reply("thanks", thanked=gratitude(ctx.inbound.text))]
        return [ctx.reply("greeting", upset=ctx.understanding.sentiment == "negative")]
