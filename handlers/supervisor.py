"""`转派 SR-… 姓名` / `transfer SR-… name`: a supervisor gives a job to another technician. The new technician gets
it to accept like any dispatched job, the one who had it is told it is no longer theirs, and both technicians' loads
follow from the job's new assignee."""
from __future__ import annotations

from core.domain.people import SUPERVISING_ROLES
from core.domain.tickets import IllegalTransition
from core.envelopes import Outbound
from core.services.dispatch import Dispatch, UnknownTechnician
from handlers import notices
from handlers.base import Context, Handler
from nlp import TRANSFER


class SupervisorHandler(Handler):
    name = "supervisor"
    roles = SUPERVISING_ROLES
    commands = frozenset({TRANSFER})

    async def handle(self, ctx: Context) -> list[Outbound]:
        code, name = ctx.understanding.ticket_id, ctx.understanding.note
        if not code or not name:
            return [ctx.reply("which_ticket", command=TRANSFER)]
        ticket = await ctx.services.tickets.get(code)
        if ticket is None:
            return [ctx.reply("ticket_not_visible", code=code)]
        try:
            moved = await ctx.services.dispatch.transfer(ticket, name, actor=ctx.person.actor)
        except UnknownTechnician:
            return [ctx.reply("transfer_unknown", name=name)]
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=TRANSFER)]
        card = ctx.ticket_card(moved.ticket)
        replies = [ctx.reply("transfer_done", ticket=card, technician=name,
                             previous=moved.previous.name if moved.previous else "")]
        if moved.previous is not None:
            replies.append(notices.to_staff(ctx, moved.previous, "job_transferred",
                                            f"transferred:{moved.previous.person_id}", ticket=card, technician=name))
        return [*replies, *await notices.offers(ctx, moved.ticket, Dispatch(assignee=moved.assignee))]
