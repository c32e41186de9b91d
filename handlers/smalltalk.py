"""Greetings and thanks get a friendly answer and never open a ticket."""
from __future__ import annotations

from core.envelopes import Outbound
from handlers.base import Context
from nlp import GREETING, THANKS


class SmalltalkHandler:
    name = "smalltalk"
    intents = frozenset({GREETING, THANKS})
    states: frozenset[str] = frozenset()

    async def handle(self, ctx: Context) -> list[Outbound]:
        return [ctx.reply("thanks" if ctx.understanding.intent == THANKS else "greeting")]
