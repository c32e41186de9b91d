"""Spare parts and labour in chat: `用料 SR-… SKU 数量` / `parts SR-… SKU qty` records the parts a job uses (several on
one message; taken from stock when the job is done), `工时 SR-… 1.5` / `labour SR-… 90min` adds working time to its
job sheet (answered with the sheet so far), `缺料 SR-… SKU` / `parts short SR-… SKU` puts the job on hold for
a part (`pending_parts`: the SLA clock stops, the customer is told) and alerts the supervisors; the part arriving
in stock resumes it (bot.parts_cli)."""
from __future__ import annotations

from typing import Any

from core.domain.jobsheet import BadLabour, hours, parse_labour
from core.domain.parts import BadPartLine, parse_parts
from core.domain.people import TECHNICIANS, PersonKind
from core.domain.tickets import TRANSITIONS, IllegalTransition, Status, TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.parts import LowStock, UnknownPart, Used
from handlers import notices
from handlers.base import Context, Handler, Origin
from handlers.jobs import only_job
from handlers.sla_view import alert_card
from nlp import LABOUR, PARTS_SHORT, PARTS_USED
from nlp.commands import note_as_typed

WORKING = (Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE)
"""Where a job may record parts or wait for one."""


class PartsHandler(Handler):
    name = "parts"
    roles = TECHNICIANS
    commands = frozenset({PARTS_USED, PARTS_SHORT, LABOUR})

    async def handle(self, ctx: Context) -> list[Outbound]:
        intent = ctx.understanding.intent
        found = await self._job(ctx, intent)
        if isinstance(found, Outbound):
            return [found]
        if found.assignee_id != ctx.person.id:
            return [ctx.reply("job_not_yours", code=found.code)]
        if Status(found.status) not in WORKING:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(found), command=intent)]
        typed = note_as_typed(ctx.inbound.text)
        text = typed if typed is not None else ctx.understanding.note
        if intent == LABOUR:
            return await self._labour(ctx, found, text)
        try:
            lines = parse_parts(text)
        except BadPartLine as bad:
            return [ctx.reply("parts_bad_line", word=bad.word, command=intent)]
        if not lines:
            return [ctx.reply("parts_bad_line", word="", command=intent)]
        try:
            if intent == PARTS_USED:
                return await self._used(ctx, found, lines)
            return await self._short(ctx, found, [sku for sku, _ in lines])
        except UnknownPart as unknown:
            return [ctx.reply("part_unknown", sku=unknown.sku)]

    async def _job(self, ctx: Context, intent: str) -> TicketView | Outbound:
        code = ctx.understanding.ticket_id
        if code:
            ticket = await ctx.services.dispatch.visible(code, ctx.person)
            return ticket if ticket is not None else ctx.reply("ticket_not_visible", code=code)
        return await only_job(ctx, intent, lambda t: Status(t.status) in WORKING)

    async def _used(self, ctx: Context, ticket: TicketView, lines: list[tuple[str, int]]) -> list[Outbound]:
        parts = ctx.services.parts
        added = await parts.report_used(ticket, lines, actor=ctx.person.actor)
        return [ctx.reply("parts_recorded", ticket=ctx.ticket_card(ticket), added=used_list(added),
                          parts=used_list(await parts.used_on(ticket)))]

    async def _labour(self, ctx: Context, ticket: TicketView, text: str) -> list[Outbound]:
        try:
            minutes = parse_labour(text)
        except BadLabour:
            return [ctx.reply("labour_bad", text=text, code=ticket.code)]
        await ctx.services.jobsheets.report_labour(ticket, minutes, actor=ctx.person.actor)
        return [ctx.reply("labour_recorded", ticket=ctx.ticket_card(ticket), hours=str(hours(minutes)),
                          sheet=await notices.charges(ctx, ticket))]

    async def _short(self, ctx: Context, ticket: TicketView, skus: list[str]) -> list[Outbound]:
        if Status.PENDING_PARTS not in TRANSITIONS[Status(ticket.status)]:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=PARTS_SHORT)]
        missing = [await ctx.services.parts.mark_short(ticket, sku, actor=ctx.person.actor) for sku in skus]
        tickets = ctx.services.tickets
        try:
            ticket = await tickets.transition(ticket, Status.PENDING_PARTS, actor=ctx.person.actor,
                                              note=" ".join(skus))
        except IllegalTransition:
            return [ctx.reply("job_illegal", ticket=ctx.ticket_card(ticket), command=PARTS_SHORT)]
        ticket = await tickets.mark_responded(ticket)
        wanted = [{"sku": p.sku, "name": p.name} for p in missing]
        alert = await ctx.services.alerts.alert(
            Audience(roles=[PersonKind.SUPERVISOR]), template="parts_shortage_alert", key=ctx.key("short"),
            locale=ctx.locale, data={"ticket": alert_card(ticket), "technician": ctx.person.name, "assignee": ctx.person.name,
                  "parts": wanted})
        return [ctx.reply("parts_short_done", ticket=ctx.ticket_card(ticket), parts=wanted), *alert,
                *await notices.progress(ctx, ticket)]


def used_list(used: list[Used]) -> list[dict[str, Any]]:
    return [{"sku": u.sku, "name": u.name, "quantity": u.quantity} for u in used]


async def low_stock_alerts(origin: Origin, low: list[LowStock]) -> list[Outbound]:
    """Supervisors hear once of each part that just fell to its low-stock level (or below)."""
    told: list[Outbound] = []
    for part in low:
        told += await origin.services.alerts.alert(
            Audience(roles=[PersonKind.SUPERVISOR]), template="low_stock_alert", key=origin.key(f"low:{part.sku}"),
            locale=origin.locale, data={"sku": part.sku, "name": part.name, "stock": part.stock,
                                        "low_stock": part.low_stock})
    return told
