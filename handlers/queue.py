"""`待处理` / `queue`: what needs a person now — tickets nobody holds, then those past an SLA due time, then those past
a warning. Agents see their own queue (the tickets technicians do not take); supervisors, managers and admins all."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.people import SUPERVISING_ROLES, PersonKind
from core.domain.tickets import AGENT_TYPES, TicketView
from core.envelopes import Outbound
from handlers.base import Context, Handler
from handlers.sla_view import alert_card, worst
from nlp import QUEUE

SHOWN = 10
"""Tickets listed per section; the count says how many there are in all."""


class QueueHandler(Handler):
    name = "queue"
    roles = frozenset({PersonKind.AGENT, *SUPERVISING_ROLES})
    commands = frozenset({QUEUE})

    async def handle(self, ctx: Context) -> list[Outbound]:
        types = sorted(AGENT_TYPES) if ctx.person.kind is PersonKind.AGENT else None
        sections = await ctx.services.tickets.queue(ctx.now, types=types, limit=SHOWN)
        zone = ctx.services.sla.settings.timezone
        listed = {name: {"count": count, "tickets": [_item(t, ctx.now, zone) for t in tickets]}
                  for name, (count, tickets) in sections.items()}
        return [ctx.reply("queue", **listed)]


def _item(ticket: TicketView, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {**alert_card(ticket), "sla": worst(ticket, now, zone)}
