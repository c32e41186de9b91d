"""How a ticket's SLA reads in staff messages: each target's state and due time in the hub's time zone, and the
ticket as alerts show it (labels are looked up in each recipient's language when the message is rendered)."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.sla import TARGETS, SlaState
from core.domain.tickets import TicketView

SEVERITY = (SlaState.BREACHED, SlaState.WARNING, SlaState.OK)


def local_time(at: datetime, zone: ZoneInfo) -> str:
    """An instant as staff read it: in the hub's configured time zone."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def targets(ticket: TicketView, now: datetime, zone: ZoneInfo) -> list[dict[str, str]]:
    """Each SLA target of the ticket: `target`, `state` (ok / warning / breached) and `due_at`."""
    return [{"target": target, "state": state.value, "due_at": local_time(ticket.deadlines[target].due_at, zone)}
            for target in TARGETS if (state := ticket.sla_state(target, now)) is not None]


def worst(ticket: TicketView, now: datetime, zone: ZoneInfo) -> dict[str, str] | None:
    """The target in the worst state (the earlier one on a tie), None for a ticket without SLA targets."""
    found = targets(ticket, now, zone)
    return min(found, key=lambda t: SEVERITY.index(SlaState(t["state"]))) if found else None


def alert_card(ticket: TicketView) -> dict[str, Any]:
    """The ticket as staff alerts and lists show it."""
    return {"id": ticket.code, "type": ticket.type, "priority": ticket.priority, "status": ticket.status,
            "summary": ticket.summary}
