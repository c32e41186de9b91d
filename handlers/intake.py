"""Intake: a customer's problem becomes a typed, prioritised ticket; follow-up details land on the same ticket.

A second message in the same conversation about the same problem is added to the open ticket instead of opening a
new one; then the bot asks for whatever the ticket type still needs (phone, address, time, order number). The same
problem reported again from another thread or channel within `DUPLICATE_WINDOW` — an open ticket of the customer of
the same type, or about the device the message names — joins that ticket too, and the customer is told so. A
customer who is angry and says it again is handed to a person (handlers.takeover).

One message telling of problems with two devices ("空调不制冷，另外洗衣机也漏水") opens a ticket for each: two
jobs, often for two technicians with different skills, each typed and prioritised on its own; the customer is told
both numbers, and a detail they give next (phone, address) goes to both.

A bare request ("报修", "我要退货") opens nothing yet: the customer is asked what it is about, and their answer
opens the ticket (handlers.describing). A remedy asked for while a ticket is open ("我要求换新" after "冰箱不制冷")
is about that ticket, and so is more work asked for on the same visit ("能顺便帮我清洗一下吗"): it goes on it for staff
to answer.

Asked for a detail, a customer may have none or not want to give it ("没有", "不方便", "no"): the ticket goes on
without it (staff reach them in the conversation itself) — except a visit without an address, which nobody can be
sent to: they are told why it is needed, and the question stays open. Thanks or a greeting meanwhile is answered
and the question asked again; it is not a detail of the ticket.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from core.domain import visits
from core.domain.details import EXPECTING, waivable
from core.domain.people import CUSTOMERS
from core.domain.tickets import FIELD_TYPES, Priority, TicketType, TicketView
from core.envelopes import Outbound
from core.services.tickets import merge_entities
from handlers.base import Context, Handler
from handlers import describing
from handlers.cancel import cancel_offered
from handlers.devices import SCANNED
from handlers.filing import COLLECTING, awaited, awaits, file_and_answer
from handlers.knowledge import answer_reply, confident_answer, record_answer
from handlers.takeover import hand_over
from nlp import (ADD_DETAIL, APPOINT, GREETING, KB_QUESTION, NEW_PROBLEM, NO_DETAIL, Understanding, along_with,
                 bare_fault, bare_feeling, bare_product, bare_request, complaint_asked, continuing, gratitude,
                 holding_on, never_mind, praising, remedy_asked, same_as_before, vague_fault, withheld)
from nlp.replies import corrects_detail
from nlp.problems import question_beside

SAME_PROBLEM_CONFIDENCE = 0.5
DUPLICATE_WINDOW = timedelta(days=7)
OPEN_TICKETS_LOOKED_AT = 5
_OWN_ENTITIES = ("products", "models", "serial_numbers", "order_numbers", "purchase_dates")
"""What each of several problems told in one message names for itself; the phone and the address are all of theirs."""
TOGETHER = "together"
"""Conversation data: the other tickets one message opened, which a detail collected for one of them goes to too."""


class IntakeHandler(Handler):
    name = "intake"
    roles = CUSTOMERS
    intents = frozenset({NEW_PROBLEM, ADD_DETAIL, NO_DETAIL})
    states = frozenset({COLLECTING, describing.DESCRIBING})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        """Also takes what other jobs pass on (a question the knowledge base cannot answer, a survey's thread
        writing about something else): whatever it is, a problem is filed. A photo or file without words joins
        the open ticket; with none open, the customer is asked what is wrong (the ticket their answer opens takes
        the photo, core.services.media)."""
        u = ctx.understanding
        if u.intent == NO_DETAIL:
            return await self._without_detail(ctx)
        if describing.waits_for_description(ctx) and withheld(ctx.inbound.text):
            return await describing.withdrawn(ctx)
        if u.intent == ADD_DETAIL and awaits(ctx, "address") and same_as_before(ctx.inbound.text):
            return await self._address_as_before(ctx)
        if ctx.state.state == COLLECTING and never_mind(ctx.inbound.text):
            return await self._cancel_offered(ctx)
        if ctx.state.state == COLLECTING and describing.displeased(ctx):
            return await self._still_missing(ctx, upset=True)
        if ctx.state.state == COLLECTING and describing.smalltalk(ctx):
            return await self._still_missing(ctx)
        if ctx.state.state == COLLECTING and u.intent == KB_QUESTION and await confident_answer(ctx) is not None:
            return None
        text = ctx.inbound.text
        if complaint_asked(text) and not describing.waits_for_description(ctx) and (
                open_ticket := await self._open_ticket(ctx)):
            return await self._complaint(ctx, open_ticket)  # "我要投诉" right after telling what went wrong
        remedy = remedy_asked(text)
        if remedy and not describing.waits_for_description(ctx) and (open_ticket := await self._open_ticket(ctx)):
            # "我要求换新" after "冰箱不制冷": for that one
            return await self._file(ctx, text, describing.given(ctx), remedy=remedy, known=open_ticket)
        if not ctx.inbound.attachments and (bare_request(text)
                                            or ctx.state.idle and (bare_product(text) or bare_fault(text)
                                                                   or bare_feeling(text))
                                            or ctx.state.idle and u.details_only and await ctx.open_ticket() is None):
            return await describing.ask_what(ctx)
        given = describing.given(ctx)
        earlier: list[Outbound] = []
        if describing.waits_for_description(ctx):
            if describing.smalltalk(ctx):
                return describing.ask_again(ctx)
            if u.details_only:
                return describing.note_details(ctx)
            if describing.names_the_product(ctx):
                return describing.note_product(ctx)
            if describing.besides_the_request(ctx):
                earlier = await describing.file_waiting(ctx)
            else:
                text = await describing.described(ctx)
        return [*earlier, *await self._file(ctx, text, given, remedy=remedy)]

    async def _file(self, ctx: Context, text: str, given: dict[str, list[Any]], *, remedy: bool,
                    known: TicketView | None = None) -> list[Outbound]:
        """The message filed as a problem: on the ticket it is about, else on a new one (or one per device).
        `remedy` says whether the message only asks for a remedy, and `known` is the thread's open ticket when the
        caller has looked it up already: each is worked out once a message."""
        u = ctx.understanding
        if len(u.problems) >= 2:
            return await self._file_each(ctx, given)
        open_ticket = known or await self._open_ticket(ctx)
        join = open_ticket if open_ticket is not None and self._same_problem(ctx, open_ticket, remedy=remedy) else None
        ticket_type = TicketType(u.type)
        if join is None and ticket_type is TicketType.OTHER:
            if ctx.inbound.attachments and not ctx.inbound.text.strip():
                return [ctx.reply("received_media", kinds=[a.kind for a in ctx.inbound.attachments])]
            if u.intent != KB_QUESTION:
                return [ctx.reply("not_understood")]
            ticket_type = TicketType.INQUIRY
        times = join.entities.get("times") if join is not None else None
        entities = merge_entities(given, ctx.entity_lists(moving=visits.wanted(times[-1]) if times else None))
        scanned = ctx.state.data.get(SCANNED)
        if scanned and not entities["serial_numbers"]:
            entities["serial_numbers"] = [scanned]
        duplicate = None
        if join is None:
            duplicate = join = await self._duplicate(ctx, ticket_type, entities, besides=open_ticket)
        siblings = await self._siblings(ctx, join)
        report = ctx.report(text, ticket_type, entities)
        if join is not None and u.intent == ADD_DETAIL and corrects_detail(ctx.inbound.text):
            report = replace(report, corrects=True)
        sibling_replies = [(await file_and_answer(ctx, report, join=sibling))[1] for sibling in siblings]
        if join is not None and not siblings:  # with siblings, which of their devices the words are about is unsure
            report = replace(report, resummary=_resummary(ctx, join, remedy=remedy))
        filed, replies = await file_and_answer(ctx, report, join=join, duplicate=duplicate is not None,
                                               question=u.intent == KB_QUESTION or _filed_remedy(ctx, text, remedy)
                                               or join is not None and along_with(text))
        self._wait_together(ctx, [filed.ticket.code, *(t.code for t in siblings)])
        if u.angry and not filed.opened:
            return [*await hand_over(ctx, filed.ticket, reason="angry"), *replies[1:],
                    *(reply for told in sibling_replies for reply in told)]
        return [*_told_together(replies, sibling_replies), *await _answer_beside(ctx)]

    @staticmethod
    async def _complaint(ctx: Context, ticket: TicketView) -> list[Outbound]:
        """A bare complaint about the thread's open ticket: the matter was told already, so it is not asked for
        again ("请告诉我发生了什么") nor filed twice. The complaint goes on the ticket, which goes up to at least P2, and
        a person takes the conversation over."""
        report = ctx.report(ctx.inbound.text, TicketType(ticket.type), describing.given(ctx))
        urgent = min(Priority(report.priority), Priority.P2)
        filed, replies = await file_and_answer(ctx, replace(report, priority=urgent), join=ticket)
        return [*await hand_over(ctx, filed.ticket, reason="complaint"), *replies[1:]]

    async def _address_as_before(self, ctx: Context) -> list[Outbound]:
        """"和上次一样" for the address: the one on the customer's newest ticket that has one, read back like any
        address sent; with none on record the customer is told so, and the question stays open."""
        address = await ctx.services.tickets.recent_address(ctx.customer_id, within=None)
        if address is None:
            return [ctx.reply("address_unknown")]
        return await self._file(ctx, ctx.inbound.text, {"addresses": [address]}, remedy=False)

    async def _file_each(self, ctx: Context, given: dict[str, list[Any]]) -> list[Outbound]:
        """A message telling of problems with several devices: a ticket for each (typed, prioritised and dispatched
        on its own), or each added to an open ticket of the customer's about the same device and type. The
        conversation then collects the details they still miss for all of them at once."""
        whole = ctx.understanding
        entities = merge_entities(given, ctx.entity_lists())
        open_tickets = await self._recent_open(ctx)
        replies: list[Outbound] = []
        codes: list[str] = []
        missing: list[list[str]] = []
        last: list[Outbound] = []
        try:
            for number, problem in enumerate(whole.problems, 1):
                ctx.understanding = problem
                own = {**entities, **{kind: list(getattr(problem.entities, kind)) for kind in _OWN_ENTITIES}}
                join = next((t for t in open_tickets if t.type == problem.type
                             and set(t.entities.get("products") or ()) & set(problem.entities.products)), None)
                filed, answer = await file_and_answer(
                    ctx, ctx.report(problem.text, TicketType(problem.type), own), join=join,
                    duplicate=join is not None, several=(number, len(whole.problems)))
                codes.append(filed.ticket.code)
                missing.append(filed.missing)
                replies.extend(answer)
                last = answer
        finally:
            ctx.understanding = whole
        replies = self._ask_for_the_first_missing(ctx, codes, missing, replies, last)
        self._wait_together(ctx, codes)
        return replies

    @staticmethod
    def _ask_for_the_first_missing(ctx: Context, codes: list[str], missing: list[list[str]],
                                   replies: list[Outbound], last: list[Outbound]) -> list[Outbound]:
        """Only the last of several tickets' replies asks for a detail; when that ticket has all it needs and an
        earlier one does not, it asks for the earlier one's, and the conversation waits for it (the heater's phone
        was never asked for when the delivery told of with it needed nothing more)."""
        pending = next(((code, fields[0]) for code, fields in zip(codes, missing) if fields), None)
        if pending is None or missing[-1] or not last or last[0].template != "ticket_opened":
            return replies
        code, field = pending
        ctx.state = ctx.services.conversations.set(ctx.state, COLLECTING, ticket=code, expecting=EXPECTING[field])
        asked = replace(last[0], data={**last[0].data, "pending": {"id": code, "field": field}})
        return [asked if reply is last[0] else reply for reply in replies]

    async def _without_detail(self, ctx: Context) -> list[Outbound]:
        """The customer has not got the detail the conversation waits for: the ticket (and those opened with it
        that miss it too) goes on without it, unless it cannot."""
        ticket, missing = await awaited(ctx)
        if ticket is None:
            return [ctx.reply("greeting")]
        field = missing[0]
        if not waivable(ticket.type, field):
            await ctx.services.tickets.add_message(ticket, actor=ctx.person.actor, text=ctx.inbound.text,
                                                   inbox_id=ctx.inbox_id, entities={})
            return [ctx.reply("detail_needed", ticket=ctx.ticket_card(ticket), field=field)]
        report = ctx.report(ctx.inbound.text, TicketType(ticket.type), ctx.entity_lists())
        siblings = await self._siblings(ctx, ticket)
        told = [reply for sibling in siblings if field in await ctx.services.intake.missing(sibling)
                for reply in (await file_and_answer(ctx, report, join=sibling, waive=field))[1][1:]]
        filed, answer = await file_and_answer(ctx, report, join=ticket, waive=field)
        self._wait_together(ctx, [filed.ticket.code, *(t.code for t in siblings)])
        return [*answer, *told]

    async def _still_missing(self, ctx: Context, *, upset: bool = False) -> list[Outbound] | None:
        """Thanks, a greeting, "稍等" or displeasure (`upset`) while a detail is awaited adds nothing to the ticket: it
        is answered, and the detail still missing is asked for again (with nothing missing any more, smalltalk
        answers it)."""
        ticket, missing = await awaited(ctx)
        if ticket is None:
            return None
        text = ctx.inbound.text
        return [ctx.reply("thanks", thanked=gratitude(text), upset=upset, greeted=ctx.understanding.intent == GREETING,
                          praised=praising(text), holding=holding_on(text), ticket=ctx.ticket_card(ticket),
                          missing=missing)]

    async def _cancel_offered(self, ctx: Context) -> list[Outbound] | None:
        """"算了不用了" while a detail is awaited: not a detail to thank for."""
        ticket, missing = await awaited(ctx)
        return None if ticket is None else [cancel_offered(ctx, ticket, missing)]

    @staticmethod
    def _wait_together(ctx: Context, codes: list[str]) -> None:
        """While the conversation collects a detail for one of `codes` (tickets opened by one message), the answer
        is for the others too: they are remembered as its `TOGETHER` tickets."""
        if ctx.state.state == COLLECTING:
            collecting = ctx.state.data.get("ticket")
            ctx.state = ctx.services.conversations.set(ctx.state, COLLECTING,
                                                       **{TOGETHER: [c for c in codes if c != collecting]})

    async def _siblings(self, ctx: Context, join: TicketView | None) -> list[TicketView]:
        """The still-open tickets opened together with `join` when the conversation collects a detail for it."""
        data = ctx.state.data
        if join is None or ctx.state.state != COLLECTING or data.get("ticket") != join.code:
            return []
        found = [await ctx.services.tickets.get_for_customer(code, ctx.customer_id) for code in data.get(TOGETHER, ())]
        return [t for t in found if t is not None and t.is_open]

    async def _recent_open(self, ctx: Context) -> list[TicketView]:
        since = ctx.now - DUPLICATE_WINDOW
        return [t for t in await ctx.services.tickets.for_customer(ctx.customer_id, limit=OPEN_TICKETS_LOOKED_AT,
                                                                   open_only=True) if t.created_at >= since]

    async def _open_ticket(self, ctx: Context) -> TicketView | None:
        """The ticket this thread is about: one the channel names (an email subject's `[SR-…]`), else the one the
        thread waits for a detail of, if it is this customer's and still open; else the newest open ticket of the
        conversation."""
        for code in (ctx.inbound.ticket_ref, ctx.state.data.get("ticket") if ctx.state.state == COLLECTING else None):
            ticket = await ctx.services.tickets.get_for_customer(code, ctx.customer_id) if code else None
            if ticket is not None and ticket.is_open:
                return ticket
        return await ctx.open_ticket()

    async def _duplicate(self, ctx: Context, ticket_type: TicketType, entities: dict[str, list[Any]], *,
                         besides: TicketView | None) -> TicketView | None:
        """The customer's open ticket (from any thread) that this report repeats: opened within the window, of the
        same type or about the device the message names."""
        found = [t for t in await self._recent_open(ctx) if besides is None or t.code != besides.code]
        if not found:
            return None
        named: set[int] = set()
        for serial in entities["serial_numbers"]:
            device = await ctx.services.devices.by_serial(serial)
            if device is not None:
                named.add(device.id)
        products = entities["products"]
        return next((t for t in found if t.device_id in named), None) or next(
            (t for t in found if t.type == ticket_type.value and not _another_product(products, t)
             and (not named or t.device_id in (None, *named))), None)

    def _same_problem(self, ctx: Context, ticket: TicketView, *, remedy: bool) -> bool:
        u = ctx.understanding
        if ctx.state.state == COLLECTING and ctx.state.data.get("ticket") == ticket.code and u.intent != NEW_PROBLEM:
            return not _device_fault_beside(u, ticket)
        if _another_product(u.entities.products, ticket):
            return False
        if remedy or along_with(ctx.inbound.text) and TicketType(ticket.type) in FIELD_TYPES:
            return True  # what the customer wants done about it, or done on the same visit: for staff to answer there
        if ticket.type == TicketType.INQUIRY.value and continuing(ctx.inbound.text):
            return True  # "那帮我寄一个吧" after "遥控器丢了能单买吗": the inquiry's follow-up, whatever its type reads as
        if u.intent == KB_QUESTION and u.type == TicketType.INQUIRY.value:
            return True  # "序列号不知道在哪" beside an installation: staff answer it on that ticket (knowledge's rule too)
        if u.intent == APPOINT and TicketType(ticket.type) in FIELD_TYPES:
            return True  # "后天有事，改到周日上午吧" with no visit agreed yet (handlers.appointments): the time is a detail
        return (u.intent == ADD_DETAIL or u.type in (ticket.type, "other")
                or u.type_confidence < SAME_PROBLEM_CONFIDENCE)


def _filed_remedy(ctx: Context, text: str, remedy: bool) -> bool:
    """Whether the text filed only asks for a remedy: `remedy` when it is the message's own text, else (a request
    followed by its description, handlers.describing) the filed text read anew."""
    return remedy if text is ctx.inbound.text else remedy_asked(text)


def _resummary(ctx: Context, ticket: TicketView, *, remedy: bool) -> str:
    """The summary `ticket` takes from the message joining it, when the one it has only says its product is out of
    order ("我家洗衣机坏了😭" tells staff nothing) and the message tells what is wrong: the product and the problem
    ("洗衣机：不脱水，一直响"), or the words alone when they name it ("洗衣机不脱水"). "" keeps the summary: one that
    says what is wrong (an earlier description's included) is never replaced."""
    product = vague_fault(ticket.summary)
    told = _problem_told(ctx, ticket, remedy=remedy) if product else ""
    if not product or not told or ctx.understanding.entities.products:
        return told
    return f"{product}：{told}" if ctx.locale == "zh" else f"{product[:1].upper()}{product[1:]}: {told}"


def _problem_told(ctx: Context, ticket: TicketView, *, remedy: bool) -> str:
    """What the message tells is wrong, without the greeting and the contact details around it: "" when it reads
    as no problem of the ticket's kind (a phone, a time, thanks, a question), or it only corrects a detail, asks
    for a remedy or more work, or says again that something is broken."""
    u = ctx.understanding
    text = ctx.inbound.text
    told = (u.summary or text).strip()
    if (u.intent not in (NEW_PROBLEM, ADD_DETAIL) or u.type != ticket.type or u.details_only or remedy
            or along_with(text) or corrects_detail(text) or bare_fault(told) or vague_fault(told)):
        return ""
    return told


def _device_fault_beside(u: Understanding, ticket: TicketView) -> bool:
    """Whether the message, said while `ticket` waits for a detail, tells confidently of a device's fault and the
    ticket is about no device: "洗衣机漏水" while an order change waits for its order number is a problem of its own,
    though any answer to "what is the order number?" reads as the detail."""
    return (bool(u.entities.products) and not ticket.entities.get("products")
            and TicketType(u.type) in FIELD_TYPES and TicketType(ticket.type) not in FIELD_TYPES
            and u.type_confidence >= SAME_PROBLEM_CONFIDENCE)


def _another_product(products: Sequence[str], ticket: TicketView) -> bool:
    """Whether a message naming `products` tells of another device than `ticket` is about ("还有洗衣机也漏水" after a
    fridge was reported): a problem of its own, not a detail of that ticket. A ticket naming no product, or a
    message naming none, says nothing either way."""
    known = set(ticket.entities.get("products") or ())
    return bool(products and known and not known & set(products))


async def _answer_beside(ctx: Context) -> list[Outbound]:
    """The knowledge base's answer to a question the report ends with ("空调不制冷，另外保修期多久？"), when it is sure
    of it: the report is filed and the question answered, instead of one of them going unheard."""
    asked = question_beside(ctx.inbound.text)
    match = ctx.knowledge.search(asked) if asked and ctx.knowledge is not None else None
    if asked is None or match is None or not match.sure:
        return []
    await record_answer(ctx, match, asked)
    return [answer_reply(ctx, match, beside=True)]


def _told_together(replies: list[Outbound], siblings: Sequence[list[Outbound]]) -> list[Outbound]:
    """One "已补充到工单 A、B" for a detail that went to each ticket a message opened together, instead of a reply per
    ticket saying the same; a ticket that still misses something else keeps a reply of its own. Siblings are only
    filed while the conversation collects for them, so with nothing missing the one reply says they have it all."""
    first, also, rest = replies[0], [], []
    for told, *others in siblings:
        same = (first.template == told.template == "ticket_updated"
                and told.data["missing"] == first.data["missing"] and told.data["added"] == first.data["added"])
        if same:
            also.append(told.data["ticket"]["id"])
        else:
            rest.append(told)
        rest.extend(others)
    if also:
        first = replace(first, data={**first.data, "also": also, "completed": not first.data["missing"]})
    return [first, *replies[1:], *rest]
