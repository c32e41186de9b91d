"""A bare request ("报修", "我要退货", "预约安装") says what kind of help is wanted but not what for, and a product
named alone ("空调") what it is about but not what is wrong: the customer is asked what the product and the problem
are, and the ticket is opened from their answer — typed as the request said (a description of a fault after
"我要退货" is still a return). A request nobody describes within `[intake] describe_wait` is filed as it stands
(`Undescribed`): the ticket is on the record for staff to follow up, and the customer is told its number; they can
still describe the problem, which joins it. A customer who answers "没有" takes the request back: nothing is filed."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.domain.details import EXPECTING
from core.domain.tickets import Priority, TicketType
from core.envelopes import Outbound
from core.services.intake import Filed, Report
from core.services.tickets import merge_entities
from core.services.unit import Services
from handlers.base import Context, Origin, TimerContext
from handlers.filing import COLLECTING
from nlp import (GREETING, NEW_PROBLEM, NOT_HELPFUL, THANKS, another_matter, bare_product, holding_on, pleasantry,
                 praising)

DESCRIBING = "describing"
UNDESCRIBED = "intake.undescribed"
QUIET_TYPES = frozenset({TicketType.OTHER.value, TicketType.INQUIRY.value})


async def ask_what(ctx: Context) -> list[Outbound]:
    """Remember the request and ask what it is about; a request said again replaces the one waiting. A product
    named alone ("空调") is a request of no kind yet: its description decides the type, and the ticket keeps the
    product; so is a phone or an address given first ("13912345678"), which the ticket takes too. The ticket also
    keeps the words asking for an invoice ("开发票"): an invoice to issue needs its title, however it is described."""
    u = ctx.understanding
    products = list(u.entities.products) if bare_product(ctx.inbound.text) else []
    details = _details(ctx)
    kind = "" if u.type in QUIET_TYPES or products or details else u.type
    inbound = ctx.inbound
    request = "" if details else inbound.text.strip()
    asked = {"invoice_requests": list(u.entities.invoice_requests)} if u.entities.invoice_requests else {}
    ctx.state = ctx.services.conversations.set(ctx.state, DESCRIBING, request=request, kind=kind,
                                               priority=u.priority, products=products,
                                               details=merge_entities(details, asked), inbox=ctx.inbox_id)
    wait = ctx.services.intake.describe_wait
    await ctx.services.timers.schedule(UNDESCRIBED, _timer_key(ctx), ctx.now + wait, {
        "channel": inbound.channel, "conversation": inbound.conversation, "sender": inbound.sender,
        "customer": ctx.customer_id, "actor": ctx.person.actor, "inbox": ctx.inbox_id, "locale": ctx.locale,
        "priority": u.priority, "sentiment": u.sentiment})
    return [ctx.reply("ask_problem", kind=kind, product=products[0] if products else "", noted=_noted(details))]


def note_details(ctx: Context) -> list[Outbound]:
    """A phone, an address, an order or a serial number while the description is awaited: kept for the ticket,
    read back, and the question asked again."""
    data = ctx.state.data
    these = _details(ctx)
    ctx.state = ctx.services.conversations.set(ctx.state, DESCRIBING,
                                               details=merge_entities(data.get("details") or {}, these))
    products = data.get("products") or []
    return [ctx.reply("ask_problem", kind=data.get("kind") or "", product=products[0] if products else "",
                      noted=_noted(these))]


_ASKS_WHAT_IS_WRONG = frozenset({"", TicketType.REPAIR.value})


def names_the_product(ctx: Context) -> bool:
    """A product named alone ("空调", "我家的冰箱") answering the question of "报修" or of a request of no kind
    ("售后"): the ticket it would open says only "报修：空调", which tells a technician nothing, so what is wrong
    with it is asked first (`note_product`)."""
    data = ctx.state.data
    return (data.get("kind") in _ASKS_WHAT_IS_WRONG and not data.get("products")
            and bool(ctx.understanding.entities.products) and bare_product(ctx.inbound.text))


def note_product(ctx: Context) -> list[Outbound]:
    """Keep the product named (for the ticket's text and devices) and ask what is wrong with it."""
    data = ctx.state.data
    products = list(ctx.understanding.entities.products)
    ctx.state = ctx.services.conversations.set(ctx.state, DESCRIBING, products=products,
                                               request=_after(ctx, str(data.get("request", "")),
                                                              ctx.inbound.text.strip()))
    return [ctx.reply("ask_problem", kind=data.get("kind") or "", product=products[0])]


def given(ctx: Context) -> dict[str, list[Any]]:
    """The details (phones, addresses, order and serial numbers) given while the description was awaited, for the
    ticket it opens."""
    return dict(ctx.state.data.get("details") or {}) if waits_for_description(ctx) else {}


def _details(ctx: Context) -> dict[str, list[Any]]:
    """The message's details when it is nothing else (`Understanding.details_only`)."""
    if not ctx.understanding.details_only:
        return {}
    return {kind: values for kind, values in ctx.entity_lists().items() if values}


def _noted(details: dict[str, list[Any]]) -> list[tuple[str, Any]]:
    return [(kind, values[-1]) for kind, values in details.items()]


def _told(details: dict[str, list[Any]]) -> str:
    """The details given first, as the text of a ticket filed without a description."""
    return " ".join(str(value) for values in details.values() for value in values)


def ask_again(ctx: Context) -> list[Outbound]:
    """A greeting or thanks while the description is awaited: the question is asked again, so the conversation
    does not read as finished ("好的，请问空调出了什么问题？")."""
    data = ctx.state.data
    products = data.get("products") or []
    return [ctx.reply("ask_problem", kind=data.get("kind") or "", product=products[0] if products else "")]


async def described(ctx: Context) -> str:
    """The message answers the waiting request: the conversation stops waiting, the understanding takes the
    request's type and the more urgent of the two priorities ("报修" then "转人工" is still a repair's P3), and the
    ticket's text is the request followed by the description (returned; its summary too, when the description
    names contact details). Asked what is wrong with a product, an
    answer the type model reads as no request at all ("不制冷", "没反应") tells of a fault: a repair."""
    data = ctx.state.data
    await ctx.services.timers.cancel(_timer_key(ctx))
    ctx.state = ctx.services.conversations.reset(ctx.state)
    kind = data.get("kind") or ""
    u = ctx.understanding
    requested = data.get("priority")
    if isinstance(requested, str) and Priority(requested) < Priority(u.priority):
        u = ctx.understanding = replace(u, priority=requested)
    named = tuple(data.get("products") or ())
    if named and not u.entities.products:
        u = ctx.understanding = replace(u, entities=replace(u.entities, products=named))
    if named and not kind and u.type == TicketType.OTHER.value:
        kind = TicketType.REPAIR.value
    if kind:
        ctx.understanding = replace(u, type=kind, intent=NEW_PROBLEM,
                                    problems=tuple(replace(p, type=kind) for p in u.problems))
    request = str(data.get("request", ""))
    if ctx.understanding.summary:
        ctx.understanding = replace(ctx.understanding, summary=_after(ctx, request, ctx.understanding.summary))
    return _after(ctx, request, ctx.inbound.text.strip())


def besides_the_request(ctx: Context) -> bool:
    """"另外我上周买的烤箱还没发货" while "我要开发票" waits for its description: another matter, of another type, not
    the request's description (it once became the invoice ticket's text, and the delivery was never filed)."""
    kind = ctx.state.data.get("kind") or ""
    return bool(kind) and another_matter(ctx.inbound.text) and ctx.understanding.type not in (kind, *QUIET_TYPES)


async def file_waiting(ctx: Context) -> list[Outbound]:
    """The waiting request filed as it stands, as if nobody had described it (`Undescribed`), since the customer
    moved on to another matter; staff follow it up in the conversation."""
    data = ctx.state.data
    await ctx.services.timers.cancel(_timer_key(ctx))
    ctx.state = ctx.services.conversations.reset(ctx.state)
    filed = await _file_request(ctx.services, data, customer=ctx.customer_id, actor=ctx.person.actor,
                                channel=ctx.inbound.channel, conversation=ctx.inbound.conversation,
                                priority=str(data.get("priority") or Priority.P3.value),
                                sentiment=ctx.understanding.sentiment)
    return [ctx.reply("request_filed", ticket=ctx.ticket_card(filed.ticket), missing=[], besides=True)]


async def _file_request(services: Services, data: dict[str, Any], *, customer: int, actor: str, channel: str,
                        conversation: str, priority: str, sentiment: str) -> Filed:
    """A ticket for the request a thread's `data` holds (with the details and products given meanwhile)."""
    details = merge_entities(data.get("details") or {}, {"products": data.get("products") or []})
    return await services.intake.file(Report(
        customer_id=customer, actor=actor, channel=channel, conversation=conversation,
        text=str(data.get("request") or _told(details)),
        type=TicketType(data.get("kind") or TicketType.INQUIRY.value), priority=Priority(priority), sentiment=sentiment,
        entities=details, inbox_id=data.get("inbox")), join=None)


def _after(ctx: Context, request: str, description: str) -> str:
    """The request followed by its description ("我要退货：洗衣机漏水了", "报修：空调，开机几分钟就停了" after the
    product was named), as the ticket's text; the description alone after details given first."""
    if not request or not description:
        return request or description
    colon, comma = ("：", "，") if ctx.locale == "zh" else (": ", ", ")
    return f"{request}{comma if colon in request else colon}{description}"


async def withdrawn(ctx: Context) -> list[Outbound]:
    """"没有" / "不用了" instead of a description: the request is dropped unfiled, and the customer told how to
    come back to it."""
    await ctx.services.timers.cancel(_timer_key(ctx))
    ctx.state = ctx.services.conversations.reset(ctx.state)
    return [ctx.reply("request_withdrawn")]


def waits_for_description(ctx: Context) -> bool:
    return ctx.state.state == DESCRIBING


def smalltalk(ctx: Context) -> bool:
    """Said while a description is awaited, but no description: a greeting, thanks, praise, "嗯" or "稍等" naming
    nothing (a photo without words is one: it shows the problem). Only its words decide: the type model reads short
    symptoms ("不制冷", "没反应") as chit-chat, and after "请问空调出了什么问题？" they are the answer."""
    u = ctx.understanding
    text = ctx.inbound.text
    return (u.intent in (GREETING, THANKS) and (pleasantry(text) or praising(text) or holding_on(text))
            and not u.entities and not ctx.inbound.attachments)


def displeased(ctx: Context) -> bool:
    """Displeasure and nothing else: "没用", "不满意", "not helpful" with no answer waiting for it, or an angry or
    unhappy emoji. It tells nothing to add to a ticket, so it is met with an apology and the offer of a person; an
    angry word ("垃圾") is not among these, since the angry go to a person straight away."""
    u = ctx.understanding
    if u.entities or ctx.inbound.attachments:
        return False
    if u.intent == NOT_HELPFUL:
        return True
    mood = u.sentiment == "negative" or u.angry
    return u.intent in (GREETING, THANKS) and mood and (not u.angry or pleasantry(ctx.inbound.text))


def _timer_key(ctx: Context) -> str:
    inbound = ctx.inbound
    return f"{UNDESCRIBED}:{inbound.channel}:{inbound.conversation}:{inbound.sender}"


class Undescribed:
    """A bare request was never described: it is filed as it stands, and the customer is told the ticket's number
    and that they can still describe the problem."""

    kind = UNDESCRIBED

    async def fire(self, due: TimerContext) -> list[Outbound]:
        p = due.payload
        services = due.services
        thread = await services.conversations.load(channel=p["channel"], thread=p["conversation"], sender=p["sender"])
        if thread.state != DESCRIBING or thread.data.get("inbox") != p["inbox"]:
            return []
        filed = await _file_request(services, thread.data, customer=p["customer"], actor=p["actor"],
                                    channel=p["channel"], conversation=p["conversation"], priority=p["priority"],
                                    sentiment=p["sentiment"])
        if filed.missing:
            services.conversations.set(thread, COLLECTING, ticket=filed.ticket.code,
                                       expecting=EXPECTING[filed.missing[0]])
        else:
            services.conversations.reset(thread)
        origin = Origin(services=services, locale=p["locale"], stem=f"timer:{due.timer_key}")
        return [origin.send_to(channel=p["channel"], account="", recipient=p["sender"],
                               conversation=p["conversation"], template="request_filed", locale=p["locale"],
                               key="filed", ticket=origin.ticket_card(filed.ticket), missing=filed.missing)]
