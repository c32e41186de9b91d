"""SLA alerts, fired by the ticket's timers (core.services.sla): the warning before a target falls due, the breach,
then each level of the escalation chain — to the staff the chain names, on their own channels, and in the shared
alert rooms. The breach and the escalations carry a button for `确认 SR-…`, which stops the levels not yet sent."""
from __future__ import annotations

from core.domain.sla import FIRST_RESPONSE, WARNING_LEVEL
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.events import SLA_ALERT, ticket_payload
from core.services.sla import SLA_TIMER, alert_key
from handlers.base import TimerContext
from handlers.sla_view import alert_card, local_time

SLA_ACTOR = "system:sla"


class SlaAlertJob:
    kind = SLA_TIMER

    async def fire(self, due: TimerContext) -> list[Outbound]:
        """Every alert of the target due by now from the timer's level on (a worker that was down catches up in one
        go), then the timer comes again at the next level's time, if the chain has one."""
        services = due.services
        target, level = due.payload["target"], int(due.payload["level"])
        ticket = await services.tickets.get(due.payload["ticket"])
        if ticket is None or target not in ticket.deadlines:
            return []
        settings = services.sla.settings
        policy = settings.policy_for(ticket.type, ticket.priority)
        if policy is None:
            return []
        sent: list[Outbound] = []
        while (at := settings.alert_time(policy, ticket.deadlines[target], level)) is not None and at <= due.now:
            if _running(ticket, target):
                sent += await self._alert(due, ticket, target, level)
            level += 1
        if at is not None:
            due.come_again(at, {**due.payload, "level": level})
        return sent

    @staticmethod
    async def _alert(due: TimerContext, ticket: TicketView, target: str, level: int) -> list[Outbound]:
        services = due.services
        settings = services.sla.settings
        notify = settings.recipient(level)
        await services.tickets.record(ticket, SLA_ACTOR, "sla_alert", {}, {"target": target, "level": level,
                                                                           "notify": notify})
        assignee = await services.people.staff_member(ticket.assignee_id) if ticket.assignee_id else None
        data = {"ticket": alert_card(ticket), "target": target, "level": level,
                "due_at": local_time(ticket.deadlines[target].due_at, settings.timezone),
                "assignee": assignee.name if assignee else "",
                "actions": [] if level == WARNING_LEVEL else [{"id": "ack", "command": f"确认 {ticket.code}"}]}
        key = alert_key(ticket.code, target, level)
        services.events.emit(SLA_ALERT, {"ticket": ticket_payload(ticket), "target": target, "level": level,
                                          "notify": notify, "due_at": ticket.deadlines[target].due_at.isoformat()},
                             key=key)
        return await services.alerts.alert(Audience(roles=[notify], names=[notify]), template="sla_alert",
                                           data=data, key=f"timer:{key}:alert")


def _running(ticket: TicketView, target: str) -> bool:
    """Whether the target's clock still runs (a timer racing a pause, a response or a resolution sends nothing)."""
    if target not in ticket.deadlines or ticket.clock_stopped_at is not None or not ticket.is_open:
        return False
    return not (target == FIRST_RESPONSE and ticket.first_response_at is not None)
