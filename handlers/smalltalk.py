"""Greetings and thanks get a friendly answer and never open a ticket."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.envelopes import Outbound
from handlers.base import Context, Handler
from nlp import GREETING, THANKS


class SmalltalkHandler(Handler):
    name = "smalltalk"
    roles = CUSTOMERS
    intents = frozenset({GREETING, THANKS})

    async def handle(self, ctx: Context) -> list[Outbound]:
        return [ctx.reply("thanks" if ctx.understanding.intent == THANKS else "greeting")]
