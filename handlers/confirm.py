"""The customer's word on a resolved job: 已解决 / "是" closes the ticket (a survey follows); 未解决 / "还是不行"
reopens the same ticket while the reopen window is open and sends it back to its technician. A job nobody answers
for closes by itself (`AutoClose`).

What a customer says after the yes ("修好了，师傅很专业", "修好了，但是师傅迟到了一个小时") goes on the ticket with
the answer; a complaint in it ("师傅态度不太好") is a matter of its own, filed as a complaint ticket for staff to follow
up, where before the whole message opened a new ticket and the job was never confirmed."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.domain.tickets import TicketType, TicketView
from core.envelopes import Outbound
from core.services.closure import AUTO_CLOSE
from handlers import notices
from handlers.base import Context, Handler, TimerContext
from handlers.closing import CONFIRMING, confirmation_actions
from handlers.filing import file_and_answer
from nlp import NOT_FIXED, SOLVED
from nlp.replies import numbered_choice


class ConfirmHandler(Handler):
    name = "confirm"
    roles = CUSTOMERS
    commands = frozenset({SOLVED, NOT_FIXED})
    states = frozenset({CONFIRMING})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        u = ctx.understanding
        answered = u.intent in (SOLVED, NOT_FIXED)
        if not answered and not self._misread(ctx):
            return None
        waiting = ctx.state.data.get("ticket") if ctx.state.state == CONFIRMING else None
        closure = ctx.services.closure
        ticket = await closure.waiting_for(ctx.customer_id, u.ticket_id or waiting)
        if not answered:  # a misread number: the question again, while its ticket still waits
            if ticket is None:
                return None
            return [ctx.reply("confirm_resolved", ticket=ctx.ticket_card(ticket), retry=True,
                              actions=confirmation_actions(ticket.code, ctx.locale))]
        if ticket is None or u.intent == NOT_FIXED and another_device(u.entities.products, ticket):
            # Nothing waits for the customer's word, or the fault is another device's ("电视机又坏了" while the washing
            # machine's repair waits): "还是不行" is then a problem to file, 已解决 needs no answer.
            return None if u.intent == NOT_FIXED else [ctx.reply("confirm_none")]
        if ctx.state.state == CONFIRMING:
            ctx.state = ctx.services.conversations.reset(ctx.state)
        if u.intent == SOLVED:
            return await self._closed(ctx, ticket)
        said = u.note or ctx.inbound.text
        await self._keep(ctx, ticket)
        reopened = await closure.reopen(ticket, actor=ctx.person.actor, note=said)
        technician = reopened.dispatch.assignee.name if reopened.dispatch.assignee else ""
        return [ctx.reply("ticket_reopened", ticket=ctx.ticket_card(reopened.ticket), technician=technician),
                *await notices.offers(ctx, reopened.ticket, reopened.dispatch, template="job_reopened", note=said)]

    async def _closed(self, ctx: Context, ticket: TicketView) -> list[Outbound]:
        u = ctx.understanding
        if u.note:
            await self._keep(ctx, ticket)
        closed = await ctx.services.closure.confirm(ticket, actor=ctx.person.actor)
        told = [ctx.reply("ticket_closed", ticket=ctx.ticket_card(closed), remark=bool(u.note),
                          praised=u.sentiment == "positive")]
        if u.note and (u.type == TicketType.COMPLAINT.value or u.sentiment == "negative" or u.angry):
            told += (await file_and_answer(ctx, ctx.report(ctx.inbound.text, TicketType.COMPLAINT, {}), join=None))[1]
        return told

    @staticmethod
    def _misread(ctx: Context) -> bool:
        """A number other than the two choices ("4", taken for a score) while "is it solved?" waits: the question is
        asked again, not met with a hello."""
        return ctx.state.state == CONFIRMING and numbered_choice(ctx.inbound.text) is not None

    @staticmethod
    async def _keep(ctx: Context, ticket: TicketView) -> None:
        """The customer's answer, as they wrote it, on the ticket it answers for."""
        await ctx.services.tickets.add_message(ticket, actor=ctx.person.actor, text=ctx.inbound.text,
                                               inbox_id=ctx.inbox_id, entities={},
                                               attachments=ctx.attachment_list())


def another_device(named: tuple[str, ...], ticket: TicketView) -> bool:
    """Whether a fault told of `named` devices is of none the ticket was about, when both say which."""
    recorded = ticket.entities.get("products") or ()
    return bool(named) and bool(recorded) and not set(named) & set(recorded)


class AutoClose:
    """The reopen window of a resolved job ended without a word from the customer: it closes (the survey is
    scheduled by the closing)."""

    kind = AUTO_CLOSE

    async def fire(self, due: TimerContext) -> list[Outbound]:
        await due.services.closure.auto_close(str(due.payload["ticket"]), int(due.payload["round"]))
        return []
