"""The visit: after a technician accepts a job the customer is offered time slots (`visit_offer`, buttons where the
channel has them); `预约 SR-… 12-01 14:00` / `appointment SR-… …` from the customer or the technician agrees one —
or moves it: either side may reschedule the same way, or in their own words ("明天没空，改到周六上午吧") — and the
other side is told. A customer's words with no visit to move are left to the other jobs (the time is a detail of
their ticket). An hour before, both are reminded (`VisitReminder`). The agreed visit is on the ticket, in `我的工单`
and in the customer's status answer."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from core.clock import CHINA_TZ
from core.domain import visits
from core.domain.people import PersonKind
from core.domain.tickets import Status, TicketView
from core.envelopes import Outbound
from core.services.appointments import VISIT_REMINDER
from core.services.people import Contact
from handlers import notices
from handlers.base import Context, Handler, Origin, TimerContext
from handlers.jobs import only_job
from nlp import APPOINT
from nlp.commands import match_command
from nlp.times import moved

BEFORE_VISIT = (Status.ACCEPTED, Status.EN_ROUTE)
"""Where a job may still have its visit agreed or moved."""


class AppointmentHandler(Handler):
    name = "appointment"
    roles = frozenset({PersonKind.CUSTOMER, PersonKind.TECHNICIAN})
    commands = frozenset({APPOINT})

    async def handle(self, ctx: Context) -> list[Outbound] | None:
        found = await self._job(ctx)
        if isinstance(found, Outbound):
            written = match_command(ctx.inbound.text) is not None
            return [found] if written or ctx.person.kind is not PersonKind.CUSTOMER else None
        ticket = found
        if ticket.assignee_id is None or Status(ticket.status) not in BEFORE_VISIT:
            return [ctx.reply("visit_not_now", ticket=ctx.ticket_card(ticket))]
        start = visits.written_start(ctx.understanding.note, ctx.now.astimezone(CHINA_TZ).date())
        # "改到周四" for a visit next Wednesday is the Thursday after it, at its hours
        bookable = [t for t in (moved(t, ticket.visit) if ticket.visit else t for t in ctx.understanding.entities.times)
                    if t.bookable]
        if start is None and bookable:
            start = bookable[0].start
        if start is None or start <= ctx.now:
            slots = await ctx.services.appointments.offer(ticket, ticket.assignee_id)
            return [ctx.reply("visit_offer", **await offer_data(ctx, ticket, slots))]
        rescheduled = ticket.visit is not None
        ticket = await ctx.services.appointments.agree(ticket, start, actor=ctx.person.actor)
        technician = await ctx.services.people.staff_contact(ticket.assignee_id) if ticket.assignee_id else None
        data = {"visit": visits.shown(ticket.visit, ctx.now) if ticket.visit else {}, "moved": rescheduled,
                "technician": technician.name if technician else ""}
        replies = [ctx.reply("visit_agreed", ticket=ctx.ticket_card(ticket), by_customer=False, **data)]
        if ctx.person.kind is PersonKind.CUSTOMER:
            if technician is not None:
                replies.append(notices.to_staff(ctx, technician, "visit_agreed", "visit",
                                                ticket=ctx.ticket_card(ticket, technician.locale), by_customer=True,
                                                **data))
        else:
            customer = await ctx.services.people.customer_contact(ticket)
            if customer is not None:
                replies.append(_to_customer(ctx, customer, "visit_agreed", "visit",
                                            ticket=ctx.ticket_card(ticket, customer.locale), by_customer=False,
                                            **data))
        return replies

    async def _job(self, ctx: Context) -> TicketView | Outbound:
        code = ctx.understanding.ticket_id
        if ctx.person.kind is PersonKind.CUSTOMER:
            if code:
                ticket = await ctx.services.tickets.get_for_customer(code, ctx.customer_id)
                return ticket if ticket is not None else ctx.reply("status_unknown_ticket", code=code)
            waiting = [t for t in await ctx.services.tickets.for_customer(ctx.customer_id, open_only=True)
                       if Status(t.status) in BEFORE_VISIT]
            return waiting[0] if waiting else ctx.reply("visit_none")
        if code:
            ticket = await ctx.services.dispatch.visible(code, ctx.person)
            if ticket is None:
                return ctx.reply("ticket_not_visible", code=code)
            return ticket if ticket.assignee_id == ctx.person.id else ctx.reply("job_not_yours", code=code)
        return await only_job(ctx, APPOINT, lambda t: Status(t.status) in BEFORE_VISIT)


async def offer_data(origin: Origin, ticket: TicketView, slots: list[Any], locale: str | None = None) -> dict[str, Any]:
    """The slots as the offer shows them, each a button that agrees it."""
    now = origin.services.appointments.now()
    technician = await origin.services.people.staff_contact(ticket.assignee_id) if ticket.assignee_id else None
    return {"ticket": origin.ticket_card(ticket, locale), "technician": technician.name if technician else "",
            "slots": [visits.shown(slot, now) for slot in slots],
            "actions": [{"id": f"slot{n}", "label": visits.written(start)[5:],
                         "command": f"预约 {ticket.code} {visits.written(start)}"}
                        for n, (start, _) in enumerate(slots, 1)]}


async def offer_to_customer(ctx: Context, ticket: TicketView) -> list[Outbound]:
    """After acceptance: the customer is offered the technician's free slots."""
    customer = await ctx.services.people.customer_contact(ticket)
    if customer is None or ticket.assignee_id is None:
        return []
    slots = await ctx.services.appointments.offer(ticket, ticket.assignee_id)
    if not slots:
        return []
    return [_to_customer(ctx, customer, "visit_offer", "visit_offer",
                         **await offer_data(ctx, ticket, slots, customer.locale))]


class VisitReminder:
    """An hour before the agreed visit: the customer and the technician are reminded (unless it moved or the job
    ended)."""

    kind = VISIT_REMINDER

    async def fire(self, due: TimerContext) -> list[Outbound]:
        services = due.services
        ticket = await services.tickets.get(str(due.payload["ticket"]))
        if ticket is None or not ticket.is_open or ticket.visit is None or ticket.assignee_id is None \
                or ticket.visit[0] != datetime.fromisoformat(str(due.payload["start"])):
            return []
        origin = Origin(services=services, locale="zh", stem=f"timer:{due.timer_key}")
        technician = await services.people.staff_contact(ticket.assignee_id)
        customer = await services.people.customer_contact(ticket)
        data = {"visit": visits.shown(ticket.visit, due.now), "technician": technician.name if technician else "",
                "job": await notices.job_sheet(origin, ticket)}
        told = []
        if customer is not None:
            told.append(_to_customer(origin, customer, "visit_reminder", "customer", for_customer=True,
                                     ticket=origin.ticket_card(ticket, customer.locale), **data))
        if technician is not None:
            told.append(notices.to_staff(origin, technician, "visit_reminder", "technician", for_customer=False,
                                         ticket=origin.ticket_card(ticket, technician.locale), **data))
        return told


def _to_customer(origin: Origin, customer: Contact, template: str, key: str, **data: Any) -> Outbound:
    return origin.send_to(channel=customer.channel, account="", recipient=customer.address,
                          conversation=customer.conversation, template=template, locale=customer.locale, key=key,
                          **data)
