"""The customer's side of a handover: `转人工` / `human` puts the conversation in the agents' queue; while a person
holds it, what the customer says goes on the ticket and to that person, not to the bot; `结束` / `release` hands it
back to the bot, and so does the timeout with nobody writing (`HandoverTimeout`)."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.domain.tickets import TicketType, TicketView
from core.envelopes import Outbound
from core.services.handover import HANDOVER_TIMEOUT, WITH_PERSON
from core.services.tickets import merge_entities
from handlers import describing
from handlers.base import Context, Handler, TimerContext
from handlers.takeover import hand_over, held_ticket, relay, to_desk
from nlp import HUMAN, RELEASE, only_a_person_asked


class HandoverHandler(Handler):
    name = "handover"
    roles = CUSTOMERS
    commands = frozenset({HUMAN, RELEASE})
    states = frozenset({WITH_PERSON})

    async def handle(self, ctx: Context) -> list[Outbound]:
        intent = ctx.understanding.intent
        if intent == HUMAN:
            return await hand_over(ctx, await self._ticket(ctx), reason="asked")
        ticket = await held_ticket(ctx)
        if intent == RELEASE:
            return await self._release(ctx, ticket)
        if ticket is None:
            ctx.state = ctx.services.conversations.reset(ctx.state)
            return [ctx.reply("help")]
        return await relay(ctx, ticket)

    async def _ticket(self, ctx: Context) -> TicketView:
        """The conversation's open ticket with this message added, or a new one for it: of the kind a request that
        waited for its description asked for ("报修" then "转人工" is a repair), or the one the message tells of, else
        (a person asked for and nothing told, "我要找人工客服") an inquiry."""
        services = ctx.services
        given = describing.given(ctx)
        text = await describing.described(ctx) if describing.waits_for_description(ctx) else ctx.inbound.text
        current = await held_ticket(ctx) or await ctx.open_ticket()
        u = ctx.understanding
        asked_only = u.type == TicketType.OTHER.value or only_a_person_asked(text)
        filed = await services.intake.file(ctx.report(
            text, TicketType.INQUIRY if asked_only else TicketType(u.type),
            merge_entities(given, ctx.entity_lists())), join=current)
        return filed.ticket


    async def _release(self, ctx: Context, ticket: TicketView | None) -> list[Outbound]:
        released = await ctx.services.handovers.release(ticket, actor=ctx.person.actor) if ticket else None
        if ticket is None or released is None:
            return [ctx.reply("help")]
        told = [to_desk(ctx, released.holder, "handover_ended", "ended", ctx.locale, ticket=ctx.ticket_card(ticket),
                        customer=ctx.person.name)] if released.holder is not None else []
        return [ctx.reply("handover_released", ticket=ctx.ticket_card(ticket)), *told]


class HandoverTimeout:
    """A handover's timeout ran out with nobody writing: the conversation is back with the bot, on the audit log."""

    kind = HANDOVER_TIMEOUT

    async def fire(self, due: TimerContext) -> list[Outbound]:
        await due.services.handovers.time_out(str(due.payload["ticket"]), int(due.payload["handover"]))
        return []
