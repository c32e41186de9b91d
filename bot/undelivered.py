"""What outbox rows that go dead cause: a job offer nobody received sends the job back and alerts the supervisors
(`handlers.undelivered`). The dead offers of a sender's pass are acted on in one transaction; should it fail, each
in one of its own, so one offer that cannot be acted on holds up no other. Other dead rows stay dead-lettered,
visible to staff."""
from __future__ import annotations

import logging
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.outbox import Claimed, enqueue
from core.services.unit import Services, Wiring
from handlers.base import Origin
from handlers.undelivered import OFFERS, offer_lost
from templates import LOCALES

log = logging.getLogger(__name__)


class DeadLetters:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock, wiring: Wiring) -> None:
        self._sessions = sessions
        self._clock = clock
        self._wiring = wiring

    async def __call__(self, dead: Sequence[tuple[Claimed, str]]) -> None:
        """`dead`: rows with why each died (`handlers.undelivered.NOT_CONFIGURED` or `REFUSED`). The messages
        they cause are due at once; the sender calling this sends them on its next pass."""
        offers = [(claimed, reason) for claimed, reason in dead if claimed.message.template in OFFERS]
        if not offers:
            return
        try:
            await self._act(offers)
            return
        except Exception:  # noqa: BLE001 - the row stays dead-lettered, visible to staff; alone, each is retried
            if len(offers) == 1:
                log.exception("could not act on the undelivered job offer in outbox row %s", offers[0][0].id)
                return
            log.warning("could not act on %d undelivered job offers together; acting on each alone", len(offers),
                        exc_info=True)
        for offer in offers:
            await self([offer])

    async def _act(self, offers: Sequence[tuple[Claimed, str]]) -> None:
        async with self._sessions() as session, session.begin():
            services = Services.in_transaction(session, self._clock, wiring=self._wiring)
            caused = []
            for claimed, reason in offers:
                origin = Origin(services=services, locale=LOCALES[0], stem=f"outbox:{claimed.id}:dead")
                caused.extend(await offer_lost(origin, claimed.message, reason=reason))
            await enqueue(session, caused, self._clock.now())
        for claimed, reason in offers:
            log.warning("job offer %s to %s on %s could not be delivered (%s); supervisors alerted", claimed.id,
                        claimed.message.recipient, claimed.message.channel, reason)
