"""Filing a customer's problem and answering for it, shared by the jobs that open tickets: intake (a problem told
straight away) and the knowledge base (a question its answer did not settle). The reply shows the ticket and asks
for the first detail still missing, and the conversation then waits for it."""
from __future__ import annotations

from core.domain.details import EXPECTING
from core.envelopes import Outbound
from core.services.intake import Filed, Report
from core.domain.tickets import TicketView
from handlers import notices
from handlers.base import Context

COLLECTING = "collecting"


async def file_and_answer(ctx: Context, report: Report, *, join: TicketView | None) -> tuple[Filed, list[Outbound]]:
    """Open a ticket for `report` (or add it to `join`), offer a ready job to technicians, and reply."""
    filed = await ctx.services.intake.file(report, join=join)
    conversations = ctx.services.conversations
    if filed.missing:
        ctx.state = conversations.set(ctx.state, COLLECTING, ticket=filed.ticket.code,
                                      expecting=EXPECTING[filed.missing[0]])
    else:
        ctx.state = conversations.reset(ctx.state)
    offers = await notices.offers(ctx, filed.ticket, filed.dispatch) if filed.dispatch else []
    card = ctx.ticket_card(filed.ticket)
    if filed.opened:
        reply = ctx.reply("ticket_opened", ticket=card, missing=filed.missing)
    else:
        reply = ctx.reply("ticket_updated", ticket=card, added=filed.added, missing=filed.missing)
    return filed, [reply, *offers]
