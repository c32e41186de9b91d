"""The technician's side of a job: accept or decline it, report 出发 / 到达 / 完工, list 我的工单.

Each step moves the ticket through the state machine (assigned → accepted → en_route → on_site → resolved) and
tells the customer in their own channel; the answer to each carries the next step as a button.
"""
from __future__ import annotations

from core.domain.people import TECHNICIANS
from core.domain.tickets import TRANSITIONS, IllegalTransition, Status, TicketView
from core.envelopes import Outbound
from core.services.dispatch import AlreadyTaken, NotYourJob
from core.services.parts import OutOfStock
from handlers import notices
from handlers.appointments import offer_to_customer
from handlers.base import Context, Handler
from handlers.closing import ask_confirmation
from handlers.jobs import only_job
from handlers.parts import low_stock_alerts, used_list
from nlp import ACCEPT, ARRIVED, DECLINE, DONE, EN_ROUTE, MY_JOBS

TARGET = {ACCEPT: Status.ACCEPTED, DECLINE: Status.NEW, EN_ROUTE: Status.EN_ROUTE, ARRIVED: Status.ON_SITE,
          DONE: Status.RESOLVED}
"""Where each command moves a job."""
NEXT_STEP = {Status.ACCEPTED: ("en_route", {"zh": "出发", "en": "en route"}),
             Status.EN_ROUTE: ("arrived", {"zh": "到达", "en": "arrived"}),
             Status.ON_SITE: ("done", {"zh": "完工", "en": "done"})}
"""The report a job in each status waits for from its technician, as the button under the last answer."""


def next_step(ticket: TicketView, locale: str) -> list[dict[str, str]]:
    """The button for the job's next report (none once it is done): a press, or its number typed, sends it."""
    step = NEXT_STEP.get(Status(ticket.status))
    if step is None:
        return []
    name, words = step
    return [{"id": name, "command": f"{words.get(locale, words['zh'])} {ticket.code}"}]


class TechnicianHandler(Handler):
    name = "technician"
    roles = TECHNICIANS
    commands = frozenset({ACCEPT, DECLINE, EN_ROUTE, ARRIVED, DONE, MY_JOBS})

    async def handle(self, ctx: Context) -> list[Outbound]:
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

    async def _job(self, ctx: Context, intent: str) -> TicketView | Outbound:
        """The job a command is about: the one it names, else the technician's only job the command fits."""
        code = ctx.understanding.ticket_id
        if code:
            ticket = await ctx.services.tickets.get(code)
            return ticket if ticket is not None else ctx.reply("ticket_unknown", code=code)
        return await only_job(ctx, intent, lambda t: TARGET[intent] in TRANSITIONS[Status(t.status)])

    async def _accept(self, ctx: Context, ticket: TicketView) -> list[Outbound]:
        pooled = ticket.assignee_id is None and ticket.status == Status.NEW.value
        try:
            ticket = await ctx.services.dispatch.accept(ticket, ctx.person.id)
        except AlreadyTaken:
            return [ctx.reply("already_taken", code=ticket.code)]
        except NotYourJob:
            return [ctx.reply("job_not_yours", code=ticket.code)]
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=ACCEPT)]
        card = ctx.ticket_card(ticket)
        others = await notices.claimed(ctx, ticket) if pooled else []
        return [ctx.reply("job_accepted", ticket=card, job=await notices.job_sheet(ctx, ticket),
                          actions=next_step(ticket, ctx.locale)),
                *notices.taken(ctx, card), *others, *await notices.progress(ctx, ticket),
                *await offer_to_customer(ctx, ticket)]

    async def _decline(self, ctx: Context, ticket: TicketView) -> list[Outbound]:
        try:
            result = await ctx.services.dispatch.decline(ticket, ctx.person.id, reason=ctx.understanding.note)
        except NotYourJob:
            return [ctx.reply("job_not_yours", code=ticket.code)]
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=DECLINE)]
        ticket = await ctx.services.tickets.refresh(ticket)
        return [ctx.reply("job_declined", ticket=ctx.ticket_card(ticket), reason=ctx.understanding.note),
                *await notices.offers(ctx, ticket, result)]

    async def _progress(self, ctx: Context, ticket: TicketView, intent: str) -> list[Outbound]:
        if ticket.assignee_id != ctx.person.id:
            return [ctx.reply("job_not_yours", code=ticket.code)]
        tickets = ctx.services.tickets
        note = ctx.understanding.note
        target = TARGET[intent]
        if target not in TRANSITIONS[Status(ticket.status)]:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=intent)]
        used: list[dict[str, object]] = []
        low: list[Outbound] = []
        if target is Status.RESOLVED:
            try:
                consumed = await ctx.services.parts.consume(ticket, ctx.person.id, actor=ctx.person.actor)
            except OutOfStock as short:
                return [ctx.reply("part_out_of_stock", ticket=ctx.ticket_card(ticket), sku=short.sku,
                                  name=short.name, quantity=short.wanted)]
            used, low = used_list(consumed.used), await low_stock_alerts(ctx, consumed.low)
        try:
            ticket = await tickets.transition(ticket, target, actor=ctx.person.actor, note=note)
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=intent)]
        if note:
            await tickets.add_message(ticket, actor=ctx.person.actor, text=note, inbox_id=ctx.inbox_id, entities={})
        if ticket.status == Status.RESOLVED.value:
            photos = await ctx.services.media.share_staff_files(ticket.code)
            told = await ask_confirmation(ctx, ticket, note=note, technician=ctx.person.name, photos=photos)
        else:
            told = await notices.progress(ctx, ticket, note=note)
        sheet = await notices.charges(ctx, ticket) if ticket.status == Status.RESOLVED.value else None
        return [ctx.reply("job_status", ticket=ctx.ticket_card(ticket), note=note, parts=used, sheet=sheet,
                          actions=next_step(ticket, ctx.locale)), *told, *low]

    async def _my_jobs(self, ctx: Context) -> list[Outbound]:
        held = await ctx.services.dispatch.jobs_of(ctx.person.id)
        return [ctx.reply("my_jobs", jobs=await notices.jobs(ctx, held))]
