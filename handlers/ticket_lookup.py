"""`查询进度 SR-…` / `status SR-…` from staff: the ticket as their role may see it. Technicians see the jobs assigned
or offered to them (a bare `查询进度` lists those); agents, supervisors, managers and admins any ticket. A ticket
someone may not see gets the same answer as one that does not exist: nothing of it, not even that it exists."""
from __future__ import annotations

from core.domain.people import STAFF_ROLES, PersonKind
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Context, Handler
from nlp import STATUS_QUERY


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
        return [ctx.reply("staff_ticket", ticket=ctx.ticket_card(ticket), job=await notices.job_sheet(ctx, ticket))]
