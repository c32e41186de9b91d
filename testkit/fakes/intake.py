"""An in-memory stand-in for the hub's durable inbox, for channel tests and channel benchmarks."""
from __future__ import annotations

import asyncio
from typing import Sequence

from core.envelopes import Inbound


class RecordingIntake:
    """Commits in memory; a `(channel, external_id)` seen before is reported as a duplicate. `fail_next` makes the
    next commits raise, as a database outage would."""

    def __init__(self) -> None:
        self.committed: list[Inbound] = []
        self.offered = 0
        self.fail_next = 0
        self._keys: set[tuple[str, str]] = set()

    async def __call__(self, inbounds: Sequence[Inbound]) -> list[bool]:
        self.offered += len(inbounds)
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("database unavailable")
        fresh = []
        for inbound in inbounds:
            new = inbound.key not in self._keys
            self._keys.add(inbound.key)
            if new:
                self.committed.append(inbound)
            fresh.append(new)
        return fresh


class SlowIntake(RecordingIntake):
    """The in-memory intake plus a fixed commit delay, like one group-commit round trip of the real inbox."""

    def __init__(self, commit_seconds: float) -> None:
        super().__init__()
        self._delay = commit_seconds

    async def __call__(self, inbounds: Sequence[Inbound]) -> list[bool]:
        if self._delay:
            await asyncio.sleep(self._delay)
        return await super().__call__(inbounds)
