"""Which job a staff command is about when it names none: the technician's only job the command fits (or their only
job at all), else a question listing them; other staff are asked for the ticket id."""
from __future__ import annotations

from typing import Callable

from core.domain.people import PersonKind
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from handlers.base import Context


async def only_job(ctx: Context, command: str, fits: Callable[[TicketView], bool]) -> TicketView | Outbound:
    if ctx.person.kind is not PersonKind.TECHNICIAN:
        return ctx.reply("which_ticket", command=command)
    jobs = await ctx.services.dispatch.jobs_of(ctx.person.id)
    fitting = [t for t in jobs if fits(t)] or jobs
    if not fitting:
        return ctx.reply("no_active_job")
    if len(fitting) > 1:
        return ctx.reply("which_job", command=command, jobs=[ctx.ticket_card(t) for t in fitting])
    return fitting[0]
