"""Offers that nobody answers do not stall a job: when an offer's accept timeout (`[dispatch] accept_timeout`) comes
due, the technician is told the job has moved on and it goes to the next candidate, else to the grab pool; when the
pool's offer times out too, the supervisors are alerted and the job waits in their queue. Each step is on the
ticket's audit log (core.services.dispatch)."""
from __future__ import annotations

from core.envelopes import Outbound
from core.services.dispatch import OFFER_TIMEOUT, POOL_TIMEOUT
from handlers import notices
from handlers.base import Origin, TimerContext


class OfferTimeout:
    kind = OFFER_TIMEOUT

    async def fire(self, due: TimerContext) -> list[Outbound]:
        moved = await due.services.dispatch.expire_offer(str(due.payload["ticket"]), int(due.payload["staff_id"]))
        if moved is None:
            return []
        ticket, result = moved
        origin = _origin(due)
        told: list[Outbound] = []
        if result.expired is not None:
            told.append(notices.to_staff(origin, result.expired, "job_offer_expired", "expired",
                                         ticket=origin.ticket_card(ticket, result.expired.locale),
                                         minutes=_minutes(due)))
        return [*told, *await notices.offers(origin, ticket, result)]


class PoolTimeout:
    kind = POOL_TIMEOUT

    async def fire(self, due: TimerContext) -> list[Outbound]:
        moved = await due.services.dispatch.expire_pool(str(due.payload["ticket"]))
        if moved is None:
            return []
        ticket, result = moved
        return await notices.offers(_origin(due), ticket, result)


def _origin(due: TimerContext) -> Origin:
    return Origin(services=due.services, locale="zh", stem=f"timer:{due.timer_key}")


def _minutes(due: TimerContext) -> int:
    """The timeout as the technician reads it (at least one minute, even when configured in seconds)."""
    return max(1, round(due.services.dispatch.accept_timeout.total_seconds() / 60))
