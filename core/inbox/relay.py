"""Publishing inbox rows on the bus: the one owner of the inbox topic. Rows are published right after their commit,
again at start-up (what a crash left pending) and by a periodic sweep (what a failed attempt left pending)."""
from __future__ import annotations

import logging
from datetime import timedelta

from core.bus import Bus
from core.inbox.intake import Committed
from core.inbox.store import InboxStore

log = logging.getLogger(__name__)

TOPIC = "inbox"
STALE_AFTER = timedelta(seconds=60)
"""A pending row older than this is published again by the sweep: its first delivery failed or was lost."""


class InboxRelay:
    def __init__(self, *, bus: Bus, store: InboxStore) -> None:
        self._bus = bus
        self._store = store

    async def publish(self, committed: list[Committed]) -> None:
        """Each row on its conversation's lane, in order."""
        await self._bus.publish_many(TOPIC, [(item.conversation, {"inbox_id": item.inbox_id})
                                             for item in committed])

    async def republish(self, *, older_than: timedelta | None) -> int:
        """Publish rows still pending (all of them at start-up; only stale ones in the sweep)."""
        rows = await self._store.pending(older_than=older_than)
        await self.publish(rows)
        if rows:
            log.info("re-published %d pending inbox rows", len(rows))
        return len(rows)
