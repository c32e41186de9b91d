"""What the bot says when no job fits. A customer: a command they cannot use gets the help (a photo without words
is intake's: handlers.intake). A staff member: the help for their role — their text is never taken for a
customer's — except in the thread of a handover alert, where what they write is their answer to that customer; a
technician's photos without words go on their job."""
from __future__ import annotations

from core.domain.people import CUSTOMERS, STAFF_ROLES, PersonKind
from core.domain.tickets import Status
from core.envelopes import Outbound
from handlers.base import Context, Handler
from handlers.takeover import staff_answer


class FallbackHandler(Handler):
    name = "fallback"
    roles = CUSTOMERS

    async def handle(self, ctx: Context) -> list[Outbound]:
        return [ctx.reply("help")]


class StaffHelpHandler(Handler):
    name = "staff_help"
    roles = STAFF_ROLES

    async def handle(self, ctx: Context) -> list[Outbound]:
        if ctx.person.kind is PersonKind.TECHNICIAN and ctx.inbound.attachments and not ctx.inbound.text.strip():
            return await job_photos(ctx)
        ticket = await ctx.services.handovers.thread_ticket(channel=ctx.inbound.channel,
                                                            thread=ctx.inbound.conversation)
        if ticket is None or not ctx.inbound.text.strip():
            return [ctx.reply("staff_help", role=ctx.person.kind.value)]
        return await staff_answer(ctx, ticket, ctx.inbound.text, confirm=False)


WORKING = frozenset({Status.ACCEPTED.value, Status.EN_ROUTE.value, Status.ON_SITE.value})


async def job_photos(ctx: Context) -> list[Outbound]:
    """A technician's photos or files without words (before and after pictures): added to the job they are working
    on (the one they touched last), sent to the customer with the completion notice."""
    jobs = await ctx.services.dispatch.jobs_of(ctx.person.id)
    working = [t for t in jobs if t.status in WORKING] or jobs
    if not working:
        return [ctx.reply("no_active_job")]
    ticket = max(working, key=lambda t: t.updated_at)
    await ctx.services.tickets.add_message(ticket, actor=ctx.person.actor, text="", inbox_id=ctx.inbox_id,
                                           entities={}, attachments=ctx.attachment_list())
    return [ctx.reply("job_photo_added", code=ticket.code, count=len(ctx.inbound.attachments))]
