"""`待客户` / `待配件` (`pending customer` / `pending parts`) and `继续` / `resume`: a job waits on the customer or on
parts, and goes on again. While it waits the SLA clock stands still (its due times move on by the business time it
waited when it goes on). Technicians pause their own jobs; agents and supervisors any ticket. Telling the customer
that the company waits on them (or on parts) is a response like any other."""
from __future__ import annotations

from core.domain.people import SUPERVISING_ROLES, PersonKind
from core.domain.tickets import PAUSED_STATUSES, TRANSITIONS, IllegalTransition, Status, TicketView
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Context, Handler
from handlers.jobs import only_job
from nlp import PENDING_CUSTOMER, PENDING_PARTS, RESUME

PAUSES = {PENDING_CUSTOMER: Status.PENDING_CUSTOMER, PENDING_PARTS: Status.PENDING_PARTS}


class PauseHandler(Handler):
    name = "pause"
    roles = frozenset({PersonKind.TECHNICIAN, PersonKind.AGENT, *SUPERVISING_ROLES})
    commands = frozenset({*PAUSES, RESUME})

    async def handle(self, ctx: Context) -> list[Outbound]:
        intent = ctx.understanding.intent
        found = await self._ticket(ctx, intent)
        if isinstance(found, Outbound):
            return [found]
        if ctx.person.kind is PersonKind.TECHNICIAN and found.assignee_id != ctx.person.id:
            return [ctx.reply("job_not_yours", code=found.code)]
        tickets, note = ctx.services.tickets, ctx.understanding.note
        try:
            if intent == RESUME:
                ticket = await tickets.resume(found, actor=ctx.person.actor, note=note)
            else:
                ticket = await tickets.transition(found, PAUSES[intent], actor=ctx.person.actor, note=note)
                ticket = await tickets.mark_responded(ticket)
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(found), command=intent)]
        if note:
            await tickets.add_message(ticket, actor=ctx.person.actor, text=note, inbox_id=ctx.inbox_id, entities={})
        replies = [ctx.reply("pause_done", ticket=ctx.ticket_card(ticket), note=note)]
        if intent != RESUME:
            replies += await notices.progress(ctx, ticket, note=note)
        return replies

    async def _ticket(self, ctx: Context, intent: str) -> TicketView | Outbound:
        code = ctx.understanding.ticket_id
        if code:
            ticket = await ctx.services.dispatch.visible(code, ctx.person)
            return ticket if ticket is not None else ctx.reply("ticket_not_visible", code=code)
        if intent == RESUME:
            return await only_job(ctx, intent, lambda t: Status(t.status) in PAUSED_STATUSES)
        return await only_job(ctx, intent, lambda t: PAUSES[intent] in TRANSITIONS[Status(t.status)])
