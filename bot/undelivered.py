"""What an outbox row that goes dead causes, in a transaction of its own: a job offer nobody received sends the job
back and alerts the supervisors (`handlers.undelivered`). Other dead rows stay dead-lettered, visible to staff."""
from __future__ import annotations

import logging

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

    async def __call__(self, claimed: Claimed, reason: str) -> None:
        """`reason`: why it died (`handlers.undelivered.NOT_CONFIGURED` or `REFUSED`). The messages it causes are
        due at once; the sender calling this sends them on its next pass."""
        if claimed.message.template not in OFFERS:
            return
        try:
            async with self._sessions() as session, session.begin():
                origin = Origin(services=Services.in_transaction(session, self._clock, wiring=self._wiring),
                                locale=LOCALES[0], stem=f"outbox:{claimed.id}:dead")
                await enqueue(session, await offer_lost(origin, claimed.message, reason=reason), self._clock.now())
        except Exception:  # noqa: BLE001 - the row stays dead-lettered, visible to staff
            log.exception("could not act on the undelivered job offer in outbox row %s", claimed.id)
            return
        log.warning("job offer %s to %s on %s could not be delivered (%s); supervisors alerted", claimed.id,
                    claimed.message.recipient, claimed.message.channel, reason)
