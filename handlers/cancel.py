"""A customer withdraws a request: the ticket named, or their only open one, is cancelled if it still can be; with
several open and none named, they are asked which. The technician who had the job is told. A request still
waiting for its description (handlers.describing) is dropped: nothing is filed for it."""
from __future__ import annotations

from core.domain.people import CUSTOMERS
from core.domain.tickets import IllegalTransition, Status, TicketView
from core.envelopes import Outbound
from handlers import notices
from handlers.base import Context, Handler
from handlers.describing import DESCRIBING
from nlp import CANCEL

CHOICES = 5
"""At most this many of the customer's open tickets are offered to choose from (newest first)."""


def cancel_action(code: str, locale: str, label: str = "") -> dict[str, str]:
    """A button that cancels ticket `code`, in the word the customer's language cancels with."""
    word = "cancel" if locale == "en" else "取消"
    return {"id": "cancel", "command": f"{word} {code}", **({"label": label} if label else {})}


def cancel_offered(ctx: Context, ticket: TicketView, missing: list[str]) -> Outbound:
    """"算了不用了" with `ticket` open: maybe the request taken back, maybe only the `missing` detail declined, so the
    customer is asked — a button cancels the ticket, the detail sent (or nothing at all) carries on."""
    return ctx.reply("cancel_offered", ticket=ctx.ticket_card(ticket), missing=missing,
                     actions=[cancel_action(ticket.code, ctx.locale)])


class CancelHandler(Handler):
    name = "cancel"
    roles = CUSTOMERS
    commands = frozenset({CANCEL})

    async def handle(self, ctx: Context) -> list[Outbound]:
        tickets = ctx.services.tickets
        code = ctx.understanding.ticket_id
        if code:
            ticket = await tickets.get_for_customer(code, ctx.customer_id)
        else:
            open_ = await tickets.for_customer(ctx.customer_id, limit=CHOICES, open_only=True)
            if len(open_) > 1:
                return [ctx.reply("cancel_which", tickets=[ctx.ticket_card(t) for t in open_],
                                  actions=[cancel_action(t.code, ctx.locale, t.code) for t in open_])]
            ticket = open_[0] if open_ else None
        if ticket is None and ctx.state.state == DESCRIBING:
            ctx.state = ctx.services.conversations.reset(ctx.state)
            return [ctx.reply("request_dropped")]
        if ticket is None:
            return [ctx.reply("cancel_none")]
        technician = ticket.assignee_id
        try:
            ticket = await tickets.transition(ticket, Status.CANCELLED, actor=ctx.person.actor,
                                              note=ctx.understanding.note)
        except IllegalTransition:
            return [ctx.reply("cancel_refused", ticket=ctx.ticket_card(ticket))]
        ctx.state = ctx.services.conversations.reset(ctx.state)
        return [ctx.reply("ticket_cancelled", ticket=ctx.ticket_card(ticket)),
                *await self._tell_technician(ctx, ticket, technician)]

    @staticmethod
    async def _tell_technician(ctx: Context, ticket: TicketView, technician: int | None) -> list[Outbound]:
        contact = await ctx.services.people.staff_contact(technician) if technician is not None else None
        if contact is None:
            return []
        return [notices.to_staff(ctx, contact, "job_cancelled", f"cancelled:{contact.person_id}",
                                 ticket=ctx.ticket_card(ticket, contact.locale), reason=ctx.understanding.note)]
