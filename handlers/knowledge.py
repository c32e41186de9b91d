"""Questions the knowledge base answers: a confident match is sent with "这个回答有帮助吗？"; "有帮助" settles it (a
deflection: no ticket), "没有" files the question as a ticket, or on the ticket open in the thread that it is about;
a question the knowledge base is not sure of is passed on to intake, as before there was one. A question asked while
a ticket waits for a detail ("保修期多久" when the bot asked for a phone) is answered too, followed by the detail still
wanted instead of the feedback question."""
from __future__ import annotations

from typing import Any

from core.domain.knowledge import Answer
from core.domain.tickets import Priority, TicketType, TicketView
from core.domain.people import CUSTOMERS
from core.envelopes import Outbound
from core.services.intake import Report
from core.services.tickets import merge_entities
from handlers.base import Context, Handler
from handlers.devices import unit_warranty, warranty_of_unit
from handlers.filing import COLLECTING, awaited, file_and_answer
from nlp import ADD_DETAIL, HELPFUL, KB_QUESTION, NOT_HELPFUL, about_warranty
from nlp.retrieval import Match, elliptical

KB_FEEDBACK = "kb_feedback"
QUESTION_TYPE = "question_type"
"""Conversation data: the type of the question last answered while a ticket waited for a detail (the thread stays
collecting that detail, so the question's type is kept beside it)."""
FEEDBACK_COMMANDS = {"zh": ("有帮助", "没帮助"), "en": ("helpful", "not helpful")}


def feedback_actions(locale: str) -> list[dict[str, str]]:
    yes, no = FEEDBACK_COMMANDS.get(locale, FEEDBACK_COMMANDS["zh"])
    return [{"id": "helpful", "command": yes}, {"id": "not_helpful", "command": no}]


class KnowledgeHandler(Handler):
    name = "knowledge"
    roles = CUSTOMERS
    commands = frozenset({HELPFUL, NOT_HELPFUL})
    intents = frozenset({KB_QUESTION})
    states = frozenset({KB_FEEDBACK})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        """Details sent after an answer ("订单号 4200…" after the article on exchanges) say the customer wants it
        done rather than read about: the question is filed as "没帮助" would, with the details on the ticket."""
        intent = ctx.understanding.intent
        if intent == KB_QUESTION:
            return await self._answer(ctx)
        if intent in (HELPFUL, NOT_HELPFUL):
            return await self._feedback(ctx, helpful=intent == HELPFUL)
        if intent == ADD_DETAIL and ctx.state.state == KB_FEEDBACK:
            return await self._serial_checked(ctx) or await self._feedback(ctx, helpful=False,
                                                                           details=ctx.entity_lists())
        return None

    async def _serial_checked(self, ctx: Context) -> list[Outbound] | None:
        """A serial sent after the answer to a warranty question, as the warranty article asks ("发送产品序列号即可
        查询这台设备的保修状态"): the answer helped, and the unit's warranty is told, when the archive knows it."""
        serials = ctx.understanding.entities.serial_numbers
        device = await ctx.services.devices.by_serial(serials[0]) if serials else None
        if device is None:
            return None
        knowledge = ctx.services.knowledge
        answer = await knowledge.awaiting_feedback(customer_id=ctx.customer_id, channel=ctx.inbound.channel,
                                                   conversation=ctx.inbound.conversation,
                                                   answer_id=ctx.state.data.get("answer"))
        if answer is None or not about_warranty(answer.question):
            return None
        await knowledge.feedback(answer, helpful=True)
        ctx.state = ctx.services.conversations.reset(ctx.state)
        return await warranty_of_unit(ctx, device)

    async def _answer(self, ctx: Context) -> list[Outbound] | None:
        unit = await unit_warranty(ctx)
        if unit is not None:
            return unit
        return await answer_question(ctx)

    async def _feedback(self, ctx: Context, *, helpful: bool,
                        details: dict[str, list[Any]] | None = None) -> list[Outbound] | None:
        asked = ctx.state.data if ctx.state.state == KB_FEEDBACK else {}
        knowledge = ctx.services.knowledge
        answer = await knowledge.awaiting_feedback(customer_id=ctx.customer_id, channel=ctx.inbound.channel,
                                                   conversation=ctx.inbound.conversation,
                                                   answer_id=asked.get("answer"))
        if answer is None:
            return None
        if asked:
            ctx.state = ctx.services.conversations.reset(ctx.state)
        if helpful:
            await knowledge.feedback(answer, helpful=True)
            return [ctx.reply("kb_thanks")]
        asked_type = asked.get("type") or ctx.state.data.get(QUESTION_TYPE, TicketType.OTHER.value)
        u = ctx.understanding
        tried = u.note if u.intent == NOT_HELPFUL else ""  # "还是不行": what the technician should know was tried
        join = await _open_ticket_about(ctx, asked_type)
        filed, replies = await file_and_answer(ctx, Report(
            customer_id=ctx.customer_id, actor=ctx.person.actor, channel=ctx.inbound.channel,
            conversation=ctx.inbound.conversation, text="，".join(filter(None, (answer.question, tried))),
            type=TicketType.INQUIRY if asked_type == TicketType.OTHER.value else TicketType(asked_type),
            priority=Priority(asked.get("priority", Priority.P3.value)), sentiment=ctx.understanding.sentiment,
            entities=merge_entities(asked.get("entities", {}), details or {}), inbox_id=ctx.inbox_id), join=join,
            question=details is None)
        await knowledge.feedback(answer, helpful=False, ticket_id=await ctx.services.tickets.row_id(filed.ticket))
        return replies


async def answer_question(ctx: Context) -> list[Outbound] | None:
    """The knowledge base's answer to the message, when it is sure of one (None otherwise), followed by the detail a
    ticket still waits for, or by "这个回答有帮助吗？"."""
    match = await confident_answer(ctx)
    if match is None:
        return None
    answer = await record_answer(ctx, match, ctx.inbound.text)
    ticket, missing = await awaited(ctx) if ctx.state.state == COLLECTING else (None, [])
    if ticket is not None:
        ctx.state = ctx.services.conversations.note(ctx.state, **{QUESTION_TYPE: ctx.understanding.type})
        return [answer_reply(ctx, match, ticket=ctx.ticket_card(ticket), missing=missing)]
    if ctx.state.idle or ctx.state.state == KB_FEEDBACK:
        u = ctx.understanding
        ctx.state = ctx.services.conversations.set(ctx.state, KB_FEEDBACK, answer=answer.id, expecting="helpful",
                                                   type=u.type, priority=u.priority,
                                                   entities=ctx.entity_lists())
    return [answer_reply(ctx, match, actions=feedback_actions(ctx.locale))]


async def record_answer(ctx: Context, match: Match, question: str) -> Answer:
    """`match` was sent as the answer to `question`; the customer's word on it comes later."""
    return await ctx.services.knowledge.answered(
        customer_id=ctx.customer_id, channel=ctx.inbound.channel, conversation=ctx.inbound.conversation,
        question=question, article_id=match.article_id, score=match.score)


def answer_reply(ctx: Context, match: Match, **data: Any) -> Outbound:
    """The article `match` found, as the reply; `data` for the template's other parts."""
    return ctx.reply("kb_answer", article=match.article_id, title=match.title, body=match.body, **data)


async def _open_ticket_about(ctx: Context, asked_type: str) -> TicketView | None:
    """The ticket open in the thread that an unhelpful answer's question belongs on: "E4是什么意思" asked while the
    air conditioner's ticket waited for a phone is about that ticket, not a second one. A question of another type
    ("发票怎么开" beside a repair) is a matter of its own."""
    ticket = await ctx.open_ticket()
    if ticket is None or asked_type not in (ticket.type, TicketType.OTHER.value, TicketType.INQUIRY.value):
        return None
    return ticket


async def confident_answer(ctx: Context) -> Match | None:
    """The knowledge base's answer to the message, when it is sure enough to send it. A question it is not sure of,
    asked while a ticket of the thread is open, is read after what that ticket reported (`search_after`): "E4是什么意思"
    after "热水器显示E4，不出热水了" is about the heater's code; and a question of a few words is not answered with an
    article about another kind of matter than that ticket ("怎么收费" beside a repair: `KnowledgeBase.beside`)."""
    if ctx.knowledge is None:
        return None
    text = ctx.inbound.text
    match = ctx.knowledge.search(text)
    sure = match is not None and match.sure
    if sure and not elliptical(text):
        return match  # the thread's ticket changes nothing: no need to read it
    ticket = await ctx.open_ticket()
    if ticket is None:
        return match if sure else None
    if not sure:
        match = ctx.knowledge.search_after(text, ticket.summary)
    return ctx.knowledge.beside(match, text, ticket.type) if match is not None and match.sure else None
