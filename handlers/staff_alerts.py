"""No ticket is silent: besides the SLA clock's alerts, who on staff hears of a ticket the moment it is filed — the
agents of every new ticket in their queue (the ones technicians do not take), the supervisors of an urgent (P1) one,
each on their own channel and in the shared alert rooms; and the agents of a customer's question that the knowledge
base could not answer and that went on a ticket already open, since the customer is told staff will answer it there.
(A job nobody can or will take: `notices.offers`; a
customer asking for a person: the handover.)"""
from __future__ import annotations

from core.domain.people import PersonKind
from core.domain.tickets import Priority, Queue, TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.intake import Filed
from handlers import notices
from handlers.base import Context
from handlers.sla_view import alert_card


async def on_filing(ctx: Context, filed: Filed, *, before: TicketView | None) -> list[Outbound]:
    """The alerts a filed report causes; `before` is the ticket it joined as it was (None for a new ticket)."""
    ticket, alerts = filed.ticket, ctx.services.alerts
    sent: list[Outbound] = []
    if ticket.priority == Priority.P1.value and (before is None or before.priority != Priority.P1.value):
        sent += await alerts.alert(
            Audience(roles=[PersonKind.SUPERVISOR]), template="urgent_alert", key=ctx.key("urgent"),
            locale=ctx.locale, data={"ticket": alert_card(ticket), "hazards": list(ctx.understanding.hazards),
                                     "job": await notices.job_sheet(ctx, ticket)})
    if filed.opened and ticket.queue is Queue.AGENTS:
        sent += await alerts.alert(Audience(roles=[PersonKind.AGENT]), template="queue_alert", key=ctx.key("queue"),
                                   locale=ctx.locale, data={"ticket": alert_card(ticket)})
    return sent


async def on_question(ctx: Context, ticket: TicketView, question: str) -> list[Outbound]:
    """The agents hear of a question put on `ticket` unanswered: whoever works the ticket (a technician) is not the
    one to answer "保修期多久" in the customer's chat."""
    return await ctx.services.alerts.alert(
        Audience(roles=[PersonKind.AGENT]), template="question_alert", key=ctx.key("question"), locale=ctx.locale,
        data={"ticket": alert_card(ticket), "question": question})
