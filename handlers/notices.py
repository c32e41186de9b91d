"""Messages to people other than the sender, shared by several conversation jobs: job offers to technicians (or,
for a job nobody can or will take, an alert to the supervisors), the rewrite of an offer someone took, and progress
notices to the customer of a job."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from core.clock import CHINA_TZ
from core.domain import visits
from core.domain.money import yuan
from core.domain.people import PersonKind
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.dispatch import Dispatch, pool_key
from core.services.people import Contact
from handlers.base import Context, Origin
from handlers.sla_view import alert_card


async def offers(ctx: Origin, ticket: TicketView, result: Dispatch, *, template: str = "dispatch_notice",
                 **extra: Any) -> list[Outbound]:
    """The assignee gets the job; in the grab pool every candidate gets the same offer (first 接单 wins). A job
    that comes back (`job_reopened`) is offered the same way, with `extra` saying why. A job nobody can or will
    take alerts the supervisors at once, on their own channels and in the alert rooms."""
    if result.unassignable:
        return await ctx.services.alerts.alert(
            Audience(roles=[PersonKind.SUPERVISOR]), template="job_unassignable", key=ctx.key("unassignable"),
            locale=ctx.locale, data={"ticket": alert_card(ticket), "reason": result.unassignable,
                                     "job": await job_sheet(ctx, ticket)})
    chosen = [(result.assignee, "dispatch")] if result.assignee else [(c, "pool") for c in result.pool]
    if not chosen:
        return []
    card = ctx.ticket_card(ticket)
    job = await job_sheet(ctx, ticket)
    actions = [{"id": "accept", "command": f"接单 {ticket.code}"},
               {"id": "decline", "command": f"拒单 {ticket.code}"}]
    sent = [to_staff(ctx, contact, template, f"{purpose}:{contact.person_id}", ticket=card, job=job,
                     pooled=purpose == "pool", actions=actions, **extra)
            for contact, purpose in chosen]
    if result.pool:
        sent = [replace(notice, idempotency_key=pool_key(ticket.code, contact.person_id))
                for notice, (contact, _) in zip(sent, chosen)]
    return sent


async def claimed(ctx: Context, ticket: TicketView) -> list[Outbound]:
    """A pooled job was claimed: every other technician's offer is rewritten in place to say who took it (its
    buttons go), or — where the offer cannot be rewritten (not sent yet, or a channel that cannot edit) — followed by
    a short note saying so."""
    told = []
    for notice in await ctx.services.dispatch.pool_notices(ticket, claimed_by=ctx.person.id):
        contact = notice.contact
        message = to_staff(ctx, contact, "pool_claimed", f"claimed:{contact.person_id}",
                           ticket=ctx.ticket_card(ticket, contact.locale), technician=ctx.person.name)
        if notice.platform_id:
            message = replace(message, replaces=notice.platform_id,
                              conversation=_thread_of(contact.channel, notice.platform_id, message.conversation))
        told.append(message)
    return told


def _thread_of(channel: str, platform_id: str, default: str) -> str:
    """Where a rewrite goes: a Slack message id is ``<channel>:<ts>`` and the rewrite goes to that channel."""
    return platform_id.partition(":")[0] if channel == "slack" else default


def taken(ctx: Context, card: dict[str, Any]) -> list[Outbound]:
    """A button press: rewrite the notice it came from so its buttons go and it says who took the job."""
    return rewrite_pressed(ctx, "dispatch_taken", "taken", ticket=card, technician=ctx.person.name)


def rewrite_pressed(ctx: Context, template: str, key: str, **data: Any) -> list[Outbound]:
    """A button press: the message that carried the button is rewritten in place as `template` (its buttons go);
    nothing when the command was typed."""
    source = ctx.inbound.source_message
    if not source:
        return []
    notice = ctx.send_to(channel=ctx.inbound.channel, account=ctx.inbound.account, recipient=ctx.inbound.sender,
                         conversation=source.partition(":")[0], template=template, locale=ctx.locale, key=key,
                         **data)
    return [replace(notice, replaces=source)]


async def progress(ctx: Context, ticket: TicketView, *, note: str = "") -> list[Outbound]:
    """Tell the customer, in the thread the ticket came from, that their job moved on."""
    customer = await ctx.services.people.customer_contact(ticket)
    if customer is None:
        return []
    return [ctx.send_to(channel=customer.channel, account="", recipient=customer.address,
                        conversation=customer.conversation, template="ticket_progress", locale=customer.locale,
                        key=f"progress:{ticket.status}", ticket=ctx.ticket_card(ticket, customer.locale),
                        technician=ctx.person.name, note=note)]


async def jobs(ctx: Context, tickets: list[TicketView]) -> list[dict[str, Any]]:
    """Jobs as a technician's list shows them: each ticket with its job sheet."""
    return [{"ticket": ctx.ticket_card(t), "job": await job_sheet(ctx, t)} for t in tickets]


async def job_sheet(ctx: Origin, ticket: TicketView) -> dict[str, Any]:
    """What a technician needs to do the visit: who, phone, where, when (the agreed visit, `agreed`, else the time the
    customer mentioned last: "改到周日上午吧" moves it), and the device with its warranty (a free or a paid visit), or
    when the device is not in the archive, when the customer says they bought it; the address the customer gave last,
    else the device's install address."""
    entities = ticket.entities
    phones = entities.get("phones") or [await ctx.services.people.phone_of(ticket.customer_id)]
    times = entities.get("times") or []
    asked = visits.wanted(times[-1]) if times else None
    when = _when(ticket.visit or asked)
    devices = ctx.services.devices
    device = await devices.get(ticket.device_id)
    addresses = entities.get("addresses") or [device.address if device else ""]
    return {"phone": phones[0], "address": addresses[-1], "time": when, "agreed": ticket.visit is not None,
            "serial": device.serial if device else "", "model": device.model if device else "",
            "warranty": devices.warranty(device).value, "purchased": (entities.get("purchase_dates") or [""])[-1]}


def _when(time: tuple[datetime, datetime | None] | None) -> str:
    """A visit or the time asked for it, in China time: "2026-12-05 09:00–12:00", or one moment."""
    if time is None:
        return ""
    start, end = time
    shown = f"{start.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"
    return f"{shown}–{end.astimezone(CHINA_TZ):%H:%M}" if end else shown


async def charges(ctx: Origin, ticket: TicketView) -> dict[str, Any]:
    """The job's sheet as templates (`_job_sheet.md.j2`) and people read it: lines, the cost, what the customer pays
    (nothing in warranty) and the warranty that decided it; amounts in yuan."""
    sheet = await ctx.services.jobsheets.of_ticket(ticket)
    return {"lines": [{"kind": line.kind, "item": line.item, "name": line.name, "quantity": str(line.quantity),
                       "unit": money(line.unit_cents), "amount": money(line.amount_cents)} for line in sheet.lines],
            "total": yuan(sheet.total_cents), "charged": yuan(sheet.charged_cents), "free": sheet.free,
            "warranty": sheet.warranty, "serial": sheet.serial}


def money(cents: int | None) -> str:
    """Yuan with two decimals, "" for no price."""
    return "" if cents is None else yuan(cents)


def to_staff(ctx: Origin, contact: Contact, template: str, key: str, **data: Any) -> Outbound:
    """Staff are written to directly (a WeCom user, a Slack DM, a mailbox), so their address is the thread."""
    return ctx.send_to(channel=contact.channel, account="", recipient=contact.address, conversation=contact.address,
                       template=template, locale=contact.locale, key=key, **data)
