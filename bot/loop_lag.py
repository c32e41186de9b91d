"""How late the event loop runs what is due: the wait every acknowledgement, socket read and reply has behind the
synchronous stretches of other work (a processing step, a commit, a sender's pass). Measured by a timer that asks to
be woken every `EVERY` seconds and records how much later it was; exported as a histogram on /metrics."""
from __future__ import annotations

import asyncio

from prometheus_client import Histogram

from bot.loop import WakeableLoop

EVERY = 0.005
"""Seconds between two measurements: often enough to catch a stretch of a few milliseconds, rare enough to cost
nothing measurable (200 wake-ups a second)."""


class LoopLag(WakeableLoop):
    """Observes the event loop's lateness into `histogram` while started."""

    name = "loop-lag"

    def __init__(self, histogram: Histogram, *, every: float = EVERY) -> None:
        super().__init__()
        self._histogram = histogram
        self._every = every

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self._every
            await asyncio.sleep(self._every)
            self._histogram.observe(max(0.0, loop.time() - due))
