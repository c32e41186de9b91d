"""Greetings and thanks get a friendly answer and never open a ticket; "😡" or "[流泪]" alone is met with an apology and
the offer of a person, not a cheerful hello; "你们这个客服是机器人吧" is told yes, and how to reach a person. Praise
("师傅很负责，点赞") is thanked for and kept on the customer's newest ticket, where staff and the technician read it; more
words of a question staff will answer ("我家在农村" after "你们能上门吗") go on its ticket. A question the type model
reads as chit-chat ("你们几点下班") is answered from the knowledge base when it is sure of an article. A photo, voice
note or file without words is no greeting: it is passed on to intake (it joins the open ticket, or the customer is
asked what is wrong). "算了不用了" is no hello either: the customer is asked whether to cancel the open ticket."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.domain.tickets import TicketType
from core.envelopes import Outbound
from handlers.base import Context, Handler
from handlers.cancel import cancel_offered
from handlers.knowledge import answer_question
from nlp import GREETING, THANKS, asks_if_bot, asks_something, gratitude, never_mind, pleasantry, praising


class SmalltalkHandler(Handler):
    name = "smalltalk"
    roles = CUSTOMERS
    intents = frozenset({GREETING, THANKS})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        if ctx.inbound.attachments and not ctx.inbound.text.strip():
            return None
        if never_mind(ctx.inbound.text):
            return [await self._never_mind(ctx)]
        if ctx.understanding.intent == GREETING and await self._tells_more_of_a_question(ctx):
            return None
        if ctx.understanding.intent == GREETING and asks_something(ctx.inbound.text):
            answered = await answer_question(ctx)  # "你们几点下班": chit-chat to the type model, but an FAQ
            if answered is not None:
                return answered
        if ctx.understanding.intent == THANKS:
            if praising(ctx.inbound.text):
                return [await self._praised(ctx)]
            return [ctx.reply("thanks", thanked=gratitude(ctx.inbound.text))]
        return [ctx.reply("greeting", upset=ctx.understanding.sentiment == "negative",
                          machine=asks_if_bot(ctx.inbound.text))]

    @staticmethod
    async def _tells_more_of_a_question(ctx: Context) -> bool:
        """Words the type model reads as chit-chat ("我家在农村") said while the thread's question waits for staff
        ("你们能上门吗", an inquiry ticket): more of the question, for intake to put on its ticket, not a hello."""
        if pleasantry(ctx.inbound.text):
            return False
        ticket = await ctx.open_ticket()
        return ticket is not None and ticket.type == TicketType.INQUIRY.value

    @staticmethod
    async def _never_mind(ctx: Context) -> Outbound:
        """"算了不用了" with nothing awaited: whether to cancel the thread's open ticket, or with none an "all right"
        (it is no hello)."""
        ticket = await ctx.open_ticket()
        return ctx.reply("thanks", thanked=False) if ticket is None else cancel_offered(ctx, ticket, [])

    @staticmethod
    async def _praised(ctx: Context) -> Outbound:
        tickets = ctx.services.tickets
        newest = await tickets.for_customer(ctx.customer_id, limit=1)
        if not newest:
            return ctx.reply("thanks", praised=True)
        ticket, _ = await tickets.add_message(newest[0], actor=ctx.person.actor, text=ctx.inbound.text,
                                              inbox_id=ctx.inbox_id, entities={})
        return ctx.reply("thanks", praised=True, kept=ticket.code)
