"""Filing a customer's problem and answering for it, shared by the jobs that open tickets: intake (a problem told
straight away) and the knowledge base (a question its answer did not settle). The reply shows the ticket, the
safety steps for any danger the customer told of, and asks for the first detail still missing; the conversation
then waits for it. Staff who must hear of the ticket at once are alerted (handlers.staff_alerts)."""
from __future__ import annotations

import re

from core.domain.details import EXPECTING
from core.envelopes import Outbound
from core.services.intake import Filed, Report
from core.domain.tickets import Status, TicketType, TicketView
from handlers import notices, staff_alerts
from handlers.base import Context
from nlp import chasing, number_tried, upset

COLLECTING = "collecting"
_MARKS = re.compile(r"[\W_]+")


def _bare(text: str) -> str:
    """`text` without punctuation, spaces or emoji: "洗衣机漏水！！！" sent again says what "洗衣机漏水" said."""
    return _MARKS.sub("", text)


_REPLACED = ("times", "addresses")
"""Details a later one replaces (the job sheet goes by the latest, handlers.notices): read back as changed
("时间改为：…")."""


async def file_and_answer(ctx: Context, report: Report, *, join: TicketView | None, duplicate: bool = False,
                          several: tuple[int, int] | None = None, waive: str | None = None,
                          question: bool = False) -> tuple[Filed, list[Outbound]]:
    """Open a ticket for `report` (or add it to `join`), offer a ready job to technicians, and reply; `duplicate`:
    `join` is a ticket the customer opened from elsewhere, and they are told the report joined it; `several`:
    (this problem's number, how many) when one message told of several problems, each filed on its own — the first
    reply says so and only the last asks for what is missing; `waive`: the customer has not got this field of `join`,
    which goes on without it; `question`: the report is a question nobody answered yet, which staff answer in the
    conversation — the customer is told so rather than thanked for a detail, or, asking it first ("空调加氟多少钱"),
    rather than only asked for a phone as if a visit were all they wanted."""
    awaited_before = ctx.state.state == COLLECTING and join is not None and ctx.state.data.get("ticket") == join.code
    phone_awaited = awaited_before and awaits(ctx, "phone")
    filed = await ctx.services.intake.file(report, join=join, waive=waive)
    conversations = ctx.services.conversations
    if filed.missing:
        ctx.state = conversations.set(ctx.state, COLLECTING, ticket=filed.ticket.code,
                                      expecting=EXPECTING[filed.missing[0]])
    else:
        ctx.state = conversations.reset(ctx.state)
    offers = await notices.offers(ctx, filed.ticket, filed.dispatch) if filed.dispatch else []
    alerts = await staff_alerts.on_filing(ctx, filed, before=join)
    asked = question and filed.opened and report.type is not TicketType.REPAIR  # "空调不制冷了怎么办" wants the repair
    question = question and not filed.opened and not filed.added  # "能不能后天下午来" gives a time: a detail
    if question or asked and filed.ticket.type != TicketType.INQUIRY.value:  # agents are told of inquiries anyway
        alerts += await staff_alerts.on_question(ctx, filed.ticket, report.text)
    card = ctx.ticket_card(filed.ticket)
    safety = list(ctx.understanding.hazards)
    if filed.opened:
        reply = ctx.reply("ticket_opened", ticket=card, missing=filed.missing, safety=safety,
                          several={"part": several[0], "of": several[1]} if several else None,
                          upset=ctx.understanding.angry or upset(ctx.inbound.text), asked=asked,
                          chased=chasing(ctx.inbound.text),
                          carried=list(filed.carried))
    elif waive is not None:
        reply = ctx.reply("detail_waived", ticket=card, field=waive, missing=filed.missing)
    elif duplicate:
        reply = ctx.reply("ticket_duplicate", ticket=card, missing=filed.missing, safety=safety)
    else:
        repeated = not filed.added and _bare(report.text) == _bare(filed.ticket.summary)
        unread = number_tried(report.text) if phone_awaited and "phone" in filed.missing else None
        changed = [kind for kind in filed.added
                   if (kind in _REPLACED or report.corrects) and join is not None and join.entities.get(kind)]
        reply = ctx.reply("ticket_updated", ticket=card, added=filed.added, missing=filed.missing, safety=safety,
                          question=question, repeated=repeated, completed=awaited_before and not filed.missing,
                          unread_phone=unread, changed=changed)
        alerts += await _tell_technician(ctx, filed.ticket, [kind for kind in changed if kind in _CONTACT])
    return filed, [reply, *offers, *alerts]


_CONTACT = ("phones", "addresses")
"""Details the technician on a job goes by to call and find the customer."""
_ON_THE_WAY = frozenset({Status.ASSIGNED.value, Status.ACCEPTED.value, Status.EN_ROUTE.value})
"""Where the technician has the job sheet and has not yet reached the customer."""


async def _tell_technician(ctx: Context, ticket: TicketView, changed: list[str]) -> list[Outbound]:
    """The customer changed the phone or the address of a job a technician holds: they get the job sheet again,
    since they would otherwise call the old number or drive to the old address."""
    if not changed or ticket.assignee_id is None or ticket.status not in _ON_THE_WAY:
        return []
    technician = await ctx.services.people.staff_contact(ticket.assignee_id)
    if technician is None:
        return []
    return [notices.to_staff(ctx, technician, "job_details_changed", "details_changed",
                             ticket=ctx.ticket_card(ticket, technician.locale), changed=changed,
                             job=await notices.job_sheet(ctx, ticket))]


def awaits(ctx: Context, field: str) -> bool:
    """Whether the conversation waits for the customer's `field` (a phone, an address…) for a ticket."""
    return ctx.state.state == COLLECTING and ctx.state.data.get("expecting") == EXPECTING[field]


async def awaited(ctx: Context) -> tuple[TicketView | None, list[str]]:
    """The open ticket the conversation collects a detail for and the details it still misses; (None, []) when
    it waits for nothing any more, and then it stops waiting."""
    code = ctx.state.data.get("ticket") if ctx.state.state == COLLECTING else None
    ticket = await ctx.services.tickets.get_for_customer(code, ctx.customer_id) if isinstance(code, str) else None
    missing = await ctx.services.intake.missing(ticket) if ticket is not None and ticket.is_open else []
    if ticket is None or not missing:
        ctx.state = ctx.services.conversations.reset(ctx.state)
        return None, []
    return ticket, missing
