"""A job offer that could not be delivered (its channel is not configured here, or the platform refused it for good).
The customer was told their job is being arranged, so it must not wait on a technician who never heard of it: a job
still assigned to that technician goes back to the unassigned queue, and the supervisors are alerted either way
(on their own channels and in the alert rooms) to give it to someone who can be reached."""
from __future__ import annotations

from core.domain.people import PersonKind
from core.domain.tickets import Status
from core.envelopes import Outbound
from core.services.alerts import Audience
from handlers.base import Origin
from handlers.notices import job_sheet
from handlers.sla_view import alert_card

OFFERS = frozenset({"dispatch_notice", "job_reopened"})
"""The templates that offer a job to a technician."""
ACTOR = "system:outbox"
NOT_CONFIGURED, REFUSED = "not_configured", "refused"


async def offer_lost(origin: Origin, offer: Outbound, *, reason: str) -> list[Outbound]:
    """What a dead job offer causes; nothing when it was no offer, or the job has moved on since (someone took it,
    it was reassigned, closed)."""
    if offer.template not in OFFERS:
        return []
    services = origin.services
    ticket = await services.tickets.get(str(offer.data["ticket"]["id"]))
    if ticket is None:
        return []
    technician = await services.people.staff_at(offer.channel, offer.recipient)
    staff_id = technician.id if technician is not None else None
    moved = ticket.status == Status.ASSIGNED.value and staff_id is not None and ticket.assignee_id == staff_id
    if moved:
        ticket = await services.dispatch.reassign(ticket, None, actor=ACTOR)
    elif not (ticket.status == Status.NEW.value and ticket.assignee_id is None):
        return []
    await services.tickets.record(ticket, ACTOR, "offer_undeliverable", {},
                                  {"staff_id": staff_id, "channel": offer.channel, "reason": reason,
                                   "moved": moved})
    return await services.alerts.alert(
        Audience(roles=[PersonKind.SUPERVISOR]), template="offer_undeliverable", key=origin.key("alert"),
        locale=origin.locale, data={"ticket": alert_card(ticket), "job": await job_sheet(origin, ticket),
                                    "technician": technician.name if technician is not None else "",
                                    "channel": offer.channel, "reason": reason, "moved": moved})
