"""Intake: a customer's problem becomes a typed, prioritised ticket; follow-up details land on the same ticket.

A second message in the same conversation about the same problem is added to the open ticket instead of opening a
new one; then the bot asks for whatever the ticket type still needs (phone, address, time, order number).
"""
from __future__ import annotations

from typing import Any

from core.domain.details import EXPECTING, missing_details
from core.domain.tickets import OPEN_STATUSES, Priority, Status, TicketType
from core.envelopes import Outbound
from core.storage.models import Ticket
from handlers.base import Context
from handlers.technician import dispatch_notices
from nlp import ADD_DETAIL, HUMAN, KB_QUESTION, NEW_PROBLEM

COLLECTING = "collecting"
SAME_PROBLEM_CONFIDENCE = 0.5


class IntakeHandler:
    name = "intake"
    intents = frozenset({NEW_PROBLEM, ADD_DETAIL, KB_QUESTION, HUMAN})
    states = frozenset({COLLECTING})

    async def handle(self, ctx: Context) -> list[Outbound]:
        u = ctx.understanding
        tickets = ctx.services.tickets
        customer_id = ctx.person.id
        open_ticket = await self._open_ticket(ctx)
        if open_ticket is not None and self._same_problem(ctx, open_ticket):
            return await self._add_to(ctx, open_ticket)
        ticket_type = TicketType(u.type)
        if ticket_type is TicketType.OTHER:
            ticket_type = TicketType.INQUIRY if u.intent in (KB_QUESTION, HUMAN) else TicketType.OTHER
        if ticket_type is TicketType.OTHER:
            return [ctx.reply("not_understood")]
        ticket = await tickets.open(customer_id=customer_id, type=ticket_type, priority=Priority(u.priority),
                                    channel=ctx.inbound.channel, conversation=ctx.inbound.conversation,
                                    text=ctx.inbound.text, entities=entity_lists(ctx), sentiment=u.sentiment,
                                    actor=ctx.person.actor, inbox_id=ctx.inbox_id,
                                    attachments=attachment_list(ctx))
        tickets.mark_responded(ticket)
        await self._remember_phone(ctx)
        missing = await self._missing(ctx, ticket)
        self._wait_for(ctx, ticket, missing)
        notices = await self._dispatch(ctx, ticket, missing)
        return [ctx.reply("ticket_opened", ticket=ctx.ticket_card(ticket), missing=missing,
                          human=u.intent == HUMAN), *notices]

    async def _open_ticket(self, ctx: Context) -> Ticket | None:
        """The ticket this thread is about: one the channel names (an email subject's `[SR-…]`) if it is this
        customer's and still open, else the newest open ticket of the conversation."""
        tickets = ctx.services.tickets
        named = ctx.inbound.ticket_ref
        if named:
            ticket = await tickets.get(named)
            if ticket is not None and ticket.customer_id == ctx.person.id and ticket.status in OPEN_STATUSES:
                return ticket
        return await tickets.open_in_conversation(channel=ctx.inbound.channel, conversation=ctx.inbound.conversation,
                                                  customer_id=ctx.person.id)

    def _same_problem(self, ctx: Context, ticket: Ticket) -> bool:
        u = ctx.understanding
        if ctx.state.state == COLLECTING and ctx.state.data.get("ticket") == ticket.code and u.intent != NEW_PROBLEM:
            return True
        return (u.intent == ADD_DETAIL or u.type in (ticket.type, "other")
                or u.type_confidence < SAME_PROBLEM_CONFIDENCE)

    async def _add_to(self, ctx: Context, ticket: Ticket) -> list[Outbound]:
        u = ctx.understanding
        was_ready = not await self._missing(ctx, ticket)
        added = await ctx.services.tickets.add_message(ticket, actor=ctx.person.actor, text=ctx.inbound.text,
                                                       inbox_id=ctx.inbox_id, entities=entity_lists(ctx),
                                                       attachments=attachment_list(ctx))
        await ctx.services.tickets.change_priority(ticket, Priority(u.priority), actor=ctx.person.actor)
        await self._remember_phone(ctx)
        missing = await self._missing(ctx, ticket)
        self._wait_for(ctx, ticket, missing)
        notices = [] if was_ready else await self._dispatch(ctx, ticket, missing)
        return [ctx.reply("ticket_updated", ticket=ctx.ticket_card(ticket), added=added, missing=missing), *notices]

    async def _dispatch(self, ctx: Context, ticket: Ticket, missing: list[str]) -> list[Outbound]:
        """A job goes to a technician (or the grab pool) once, when it has all its details and nobody on it yet;
        from then on the pool, declines and supervisors move it, not the customer's further messages."""
        if missing or ticket.status != Status.NEW.value or ticket.assignee_id is not None:
            return []
        return await dispatch_notices(ctx, ticket)

    async def _missing(self, ctx: Context, ticket: Ticket) -> list[str]:
        known_phone = await ctx.services.people.phone_of(ctx.person.id)
        return missing_details(ticket.type, ticket.entities, known_phone=known_phone)

    async def _remember_phone(self, ctx: Context) -> None:
        phones = ctx.understanding.entities.phones
        if phones:
            await ctx.services.people.remember_phone(ctx.person.id, phones[0])

    def _wait_for(self, ctx: Context, ticket: Ticket, missing: list[str]) -> None:
        conversations = ctx.services.conversations
        if missing:
            conversations.set(ctx.state, COLLECTING, ticket=ticket.code, expecting=EXPECTING[missing[0]])
        else:
            conversations.reset(ctx.state)


def entity_lists(ctx: Context) -> dict[str, list[Any]]:
    """The understanding's entities as JSON lists for the ticket record."""
    e = ctx.understanding.entities
    return {
        "phones": list(e.phones), "order_numbers": list(e.order_numbers), "serial_numbers": list(e.serial_numbers),
        "addresses": [a.text for a in e.addresses], "times": [t.start.isoformat() for t in e.times],
        "products": list(e.products), "models": list(e.models),
    }


def attachment_list(ctx: Context) -> list[dict[str, Any]]:
    return [{"kind": a.kind, "name": a.name, "url": a.url, "size": a.size} for a in ctx.inbound.attachments]
