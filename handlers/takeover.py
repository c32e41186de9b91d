"""Handing a customer's conversation to a person and answering the customer, shared by the conversation jobs
(a customer asking for a person, an angry repeat, staff replying from chat) and the API the console uses."""
from __future__ import annotations

from core.domain.people import PersonKind
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.handover import THREAD_TICKET, WITH_PERSON, Desk
from handlers.base import Context, Origin

LAST_MESSAGES = 5
"""How much of the conversation a handover alert quotes."""


async def hand_over(ctx: Context, ticket: TicketView, *, reason: str) -> list[Outbound]:
    """Put the conversation in the agents' queue: the customer is told a person is coming; the agents (each on
    their own channel) and the alert rooms get the ticket and the last messages, once per handover. `reason`:
    `asked`, `angry` or `complaint`."""
    new, alerts = await call_a_person(ctx, ticket, reason=reason)
    return [ctx.reply("handover_waiting", ticket=ctx.ticket_card(ticket), again=not new, reason=reason), *alerts]


async def call_a_person(ctx: Context, ticket: TicketView, *, reason: str) -> tuple[bool, list[Outbound]]:
    """The handover of `hand_over` without the customer's reply, for an answer that tells of it in its own words:
    whether it is new (not already queued) and the agents' alerts."""
    services = ctx.services
    _, new = await services.handovers.request(ticket, channel=ctx.inbound.channel,
                                              conversation=ctx.inbound.conversation, sender=ctx.inbound.sender,
                                              reason=reason, actor=ctx.person.actor)
    if not new:
        return False, []
    said = await services.tickets.last_messages(ticket, LAST_MESSAGES)
    alerts = await services.alerts.alert(
        Audience(roles=(PersonKind.AGENT,)), template="handover_alert", key=ctx.key("handover"), locale=ctx.locale,
        data={"ticket": ctx.ticket_card(ticket), THREAD_TICKET: ticket.code, "customer": ctx.person.name,
              "reason": reason, "messages": [{"customer": m.inbound, "text": m.text} for m in said]})
    return True, alerts


async def answer(origin: Origin, ticket: TicketView, *, actor: str, name: str, text: str, inbox_id: int | None,
                 desk: Desk | None) -> Outbound | None:
    """A person on the company side says `text` to the ticket's customer, in the channel and thread the customer
    wrote from: it goes on the ticket, counts as the first response, and makes an open handover nobody holds theirs
    (answering from `desk`). None when the customer cannot be reached on any channel (nothing is recorded)."""
    services = origin.services
    customer = await services.handovers.customer_of(ticket)
    if customer is None:
        return None
    await services.tickets.add_message(ticket, actor=actor, text=text, inbox_id=inbox_id, entities={})
    await services.tickets.mark_responded(ticket)
    await services.handovers.answered(ticket, actor=actor, desk=desk)
    return origin.send_to(channel=customer.channel, account="", recipient=customer.address,
                          conversation=customer.conversation, template="staff_reply", locale=customer.locale,
                          key="reply", ticket=origin.ticket_card(ticket), staff=name, text=text)


async def staff_answer(ctx: Context, ticket: TicketView, text: str, *, confirm: bool) -> list[Outbound]:
    """A staff member answers a customer from chat, from the thread they write in; a technician only the customers
    of their own jobs. `confirm`: also tell them it was sent (a typed command; a thread reply shows for itself)."""
    if ctx.person.kind is PersonKind.TECHNICIAN and ticket.assignee_id != ctx.person.id:
        return [ctx.reply("job_not_yours", code=ticket.code)]
    desk = Desk(channel=ctx.inbound.channel, address=ctx.inbound.sender, thread=ctx.inbound.conversation)
    sent = await answer(ctx, ticket, actor=ctx.person.actor, name=ctx.person.name, text=text, inbox_id=ctx.inbox_id,
                        desk=desk)
    if sent is None:
        return [ctx.reply("customer_unreachable", ticket=ctx.ticket_card(ticket))]
    return [sent, ctx.reply("reply_sent", ticket=ctx.ticket_card(ticket))] if confirm else [sent]


async def relay(ctx: Context, ticket: TicketView) -> list[Outbound]:
    """What the customer says while a person holds the conversation goes on the ticket and to that person (nobody
    yet: it waits on the ticket for whoever answers), and moves the handover's timeout on."""
    services = ctx.services
    await services.tickets.add_message(ticket, actor=ctx.person.actor, text=ctx.inbound.text, inbox_id=ctx.inbox_id,
                                       entities=ctx.entity_lists(), attachments=ctx.attachment_list())
    handover = await services.handovers.customer_wrote(ticket)
    if handover is None or handover.holder is None:
        return []
    return [to_desk(ctx, handover.holder, "handover_relay", "relay", ctx.locale, ticket=ctx.ticket_card(ticket),
                    customer=ctx.person.name, text=ctx.inbound.text)]


async def held_ticket(ctx: Context) -> TicketView | None:
    """The ticket of the handover the conversation is in, if a person has it."""
    code = ctx.state.data.get("ticket") if ctx.state.state == WITH_PERSON else None
    return await ctx.services.tickets.get(code) if isinstance(code, str) else None


def to_desk(origin: Origin, desk: Desk, template: str, key: str, locale: str, **data: object) -> Outbound:
    """A message to the person holding a conversation, in the thread they answer from."""
    return origin.send_to(channel=desk.channel, account="", recipient=desk.address, conversation=desk.thread,
                          template=template, locale=locale, key=key, **data)


async def give_back(origin: Origin, ticket: TicketView, *, actor: str) -> list[Outbound] | None:
    """A person hands the conversation back to the bot, and the customer is told; None when it was not with a
    person."""
    services = origin.services
    customer = await services.handovers.customer_of(ticket)
    if await services.handovers.release(ticket, actor=actor) is None:
        return None
    if customer is None:
        return []
    return [origin.send_to(channel=customer.channel, account="", recipient=customer.address,
                           conversation=customer.conversation, template="handover_released",
                           locale=customer.locale, key="released", ticket=origin.ticket_card(ticket))]
