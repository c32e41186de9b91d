"""The technician's side of a job: accept or decline it, report 出发 / 到达 / 完工, list 我的工单.

Each step moves the ticket through the state machine (assigned → accepted → en_route → on_site → resolved) and
tells the customer in their own channel. The dispatch notices themselves are built here too, because intake (a job
is ready) and decline (a job comes back) both hand a ticket to `dispatch_notices`.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from core.domain.people import PersonKind
from core.domain.tickets import TRANSITIONS, IllegalTransition, Status
from core.envelopes import Outbound
from core.services.dispatch import AlreadyTaken, Contact, Dispatch, NotYourJob
from core.storage.models import Ticket
from handlers.base import Context
from handlers.fallback import FallbackHandler
from nlp import ACCEPT, ARRIVED, DECLINE, DONE, EN_ROUTE, MY_JOBS

TARGET = {ACCEPT: Status.ACCEPTED, DECLINE: Status.NEW, EN_ROUTE: Status.EN_ROUTE, ARRIVED: Status.ON_SITE,
          DONE: Status.RESOLVED}
"""Where each command moves a job."""


class TechnicianHandler:
    name = "technician"
    intents = frozenset({ACCEPT, DECLINE, EN_ROUTE, ARRIVED, DONE, MY_JOBS})
    states: frozenset[str] = frozenset()

    async def handle(self, ctx: Context) -> list[Outbound]:
        if ctx.person.kind is not PersonKind.TECHNICIAN:
            return await refuse(ctx, "not_technician")
        intent = ctx.understanding.intent
        if intent == MY_JOBS:
            return await self._my_jobs(ctx)
        found = await self._job(ctx, intent)
        if isinstance(found, Outbound):
            return [found]
        if intent == ACCEPT:
            return await self._accept(ctx, found)
        if intent == DECLINE:
            return await self._decline(ctx, found)
        return await self._progress(ctx, found, intent)

    async def _job(self, ctx: Context, intent: str) -> Ticket | Outbound:
        """The job a command is about: the one it names, else the technician's only job the command fits."""
        code = ctx.understanding.ticket_id
        if code:
            ticket = await ctx.services.tickets.get(code)
            return ticket if ticket is not None else ctx.reply("ticket_unknown", code=code)
        jobs = await ctx.services.dispatch.jobs_of(ctx.person.id)
        fitting = [t for t in jobs if TARGET[intent] in TRANSITIONS[Status(t.status)]] or jobs
        if not fitting:
            return ctx.reply("no_active_job")
        if len(fitting) > 1:
            return ctx.reply("which_job", command=intent, jobs=[ctx.ticket_card(t) for t in fitting])
        return fitting[0]

    async def _accept(self, ctx: Context, ticket: Ticket) -> list[Outbound]:
        try:
            await ctx.services.dispatch.accept(ticket, ctx.person.id)
        except AlreadyTaken:
            return [ctx.reply("already_taken", ticket=ctx.ticket_card(ticket))]
        except NotYourJob:
            return [ctx.reply("job_not_yours", ticket=ctx.ticket_card(ticket))]
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=ACCEPT)]
        card = ctx.ticket_card(ticket)
        return [ctx.reply("job_accepted", ticket=card, job=await job_sheet(ctx, ticket)),
                *taken_notice(ctx, card), *await progress_notice(ctx, ticket)]

    async def _decline(self, ctx: Context, ticket: Ticket) -> list[Outbound]:
        try:
            result = await ctx.services.dispatch.decline(ticket, ctx.person.id, reason=ctx.understanding.note)
        except NotYourJob:
            return [ctx.reply("job_not_yours", ticket=ctx.ticket_card(ticket))]
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=DECLINE)]
        return [ctx.reply("job_declined", ticket=ctx.ticket_card(ticket), reason=ctx.understanding.note),
                *await notices(ctx, ticket, result)]

    async def _progress(self, ctx: Context, ticket: Ticket, intent: str) -> list[Outbound]:
        if ticket.assignee_id != ctx.person.id:
            return [ctx.reply("job_not_yours", ticket=ctx.ticket_card(ticket))]
        tickets = ctx.services.tickets
        note = ctx.understanding.note
        try:
            await tickets.transition(ticket, TARGET[intent], actor=ctx.person.actor, note=note)
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=intent)]
        if note:
            await tickets.add_message(ticket, actor=ctx.person.actor, text=note, inbox_id=ctx.inbox_id, entities={})
        return [ctx.reply("job_status", ticket=ctx.ticket_card(ticket), note=note),
                *await progress_notice(ctx, ticket, note=note)]

    async def _my_jobs(self, ctx: Context) -> list[Outbound]:
        jobs = await ctx.services.dispatch.jobs_of(ctx.person.id)
        return [ctx.reply("my_jobs", jobs=[{"ticket": ctx.ticket_card(t), "job": await job_sheet(ctx, t)}
                                           for t in jobs])]


async def refuse(ctx: Context, template: str) -> list[Outbound]:
    """A staff command from someone without the role: customers get the usual help, staff are told why."""
    if ctx.person.kind is PersonKind.CUSTOMER:
        return await FallbackHandler().handle(ctx)
    return [ctx.reply(template)]


async def dispatch_notices(ctx: Context, ticket: Ticket) -> list[Outbound]:
    """Dispatch a job that is ready for work and tell the technicians it concerns."""
    return await notices(ctx, ticket, await ctx.services.dispatch.dispatch(ticket))


async def notices(ctx: Context, ticket: Ticket, result: Dispatch) -> list[Outbound]:
    """The assignee gets the job; in the grab pool every candidate gets the same offer (first 接单 wins)."""
    offers = [(result.assignee, "dispatch")] if result.assignee else [(c, "pool") for c in result.pool]
    if not offers:
        return []
    card = ctx.ticket_card(ticket)
    job = await job_sheet(ctx, ticket)
    actions = [{"id": "accept", "command": f"接单 {ticket.code}"},
               {"id": "decline", "command": f"拒单 {ticket.code}"}]
    return [_to_staff(ctx, contact, "dispatch_notice", f"{purpose}:{contact.person_id}", ticket=card, job=job,
                      pooled=purpose == "pool", actions=actions)
            for contact, purpose in offers]


def taken_notice(ctx: Context, card: dict[str, Any]) -> list[Outbound]:
    """A button press: rewrite the notice it came from so its buttons go and it says who took the job."""
    source = ctx.inbound.source_message
    if not source:
        return []
    return [replace(ctx.send_to(channel=ctx.inbound.channel, account=ctx.inbound.account,
                                recipient=ctx.inbound.sender, conversation=source.partition(":")[0],
                                template="dispatch_taken", locale=ctx.locale, key="taken", ticket=card,
                                technician=ctx.person.name), replaces=source)]


async def progress_notice(ctx: Context, ticket: Ticket, *, note: str = "") -> list[Outbound]:
    """Tell the customer, in the thread the ticket came from, that their job moved on."""
    customer = await ctx.services.dispatch.customer_contact(ticket)
    if customer is None:
        return []
    return [ctx.send_to(channel=customer.channel, account="", recipient=customer.address,
                        conversation=ticket.conversation, template="ticket_progress", locale=customer.locale,
                        key=f"progress:{ticket.status}", ticket=ctx.ticket_card(ticket), technician=ctx.person.name,
                        note=note)]


async def job_sheet(ctx: Context, ticket: Ticket) -> dict[str, str]:
    """What a technician needs to do the visit: who, phone, where, when."""
    entities = ticket.entities
    phones = entities.get("phones") or [await ctx.services.people.phone_of(ticket.customer_id)]
    addresses = entities.get("addresses") or [""]
    times = entities.get("times") or []
    when = datetime.fromisoformat(times[0]).strftime("%Y-%m-%d %H:%M") if times else ""
    return {"phone": phones[0], "address": addresses[0], "time": when}


def _to_staff(ctx: Context, contact: Contact, template: str, key: str, **data: Any) -> Outbound:
    """Staff are written to directly (a WeCom user, a Slack DM, a mailbox), so their address is the thread."""
    return ctx.send_to(channel=contact.channel, account="", recipient=contact.address, conversation=contact.address,
                       template=template, locale=contact.locale, key=key, **data)
