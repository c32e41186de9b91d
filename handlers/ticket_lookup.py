"""`工单 SR-…` / `查询进度 SR-…` / `ticket SR-…` from staff: the whole ticket as their role may see it — status,
assignee, the job sheet, each SLA target's state and due time, and the last messages. Technicians see the jobs
assigned or offered to them (a bare `查询进度` lists those); agents, supervisors, managers and admins any ticket. A
ticket someone may not see gets the same answer as one that does not exist: nothing of it, not even that it
exists."""
from __future__ import annotations

from core.domain.people import STAFF_ROLES, PersonKind
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Context, Handler
from handlers.sla_view import local_time, targets
from nlp import STATUS_QUERY

LAST_MESSAGES = 5


class TicketLookupHandler(Handler):
    name = "ticket_lookup"
    roles = STAFF_ROLES
    commands = frozenset({STATUS_QUERY})

    async def handle(self, ctx: Context) -> list[Outbound]:
        code = ctx.understanding.ticket_id
        dispatch = ctx.services.dispatch
        if not code:
            if ctx.person.kind is PersonKind.TECHNICIAN:
                held = await dispatch.jobs_of(ctx.person.id)
                return [ctx.reply("my_jobs", jobs=await notices.jobs(ctx, held))]
            return [ctx.reply("staff_status_which")]
        ticket = await dispatch.visible(code, ctx.person)
        if ticket is None:
            return [ctx.reply("ticket_not_visible", code=code)]
        people, zone = ctx.services.people, ctx.services.sla.settings.timezone
        assignee = await people.staff_member(ticket.assignee_id) if ticket.assignee_id else None
        said = await ctx.services.tickets.last_messages(ticket, LAST_MESSAGES)
        messages = [{"at": local_time(m.at, zone), "author": m.author.partition(":")[0], "text": m.text}
                    for m in said]
        return [ctx.reply("staff_ticket", ticket=ctx.ticket_card(ticket), job=await notices.job_sheet(ctx, ticket),
                          assignee=assignee.name if assignee else "", sla=targets(ticket, ctx.now, zone),
                          paused=ticket.clock_stopped_at is not None and ticket.is_open, messages=messages)]
