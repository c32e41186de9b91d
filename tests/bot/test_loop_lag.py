"""The event-loop lag probe records how late the loop ran its timer, so a stretch that holds the loop shows."""
from __future__ import annotations

import asyncio
import time

from bot.loop_lag import LoopLag
from bot.metrics import Metrics


async def test_a_stretch_that_holds_the_loop_is_recorded_as_lag() -> None:
    metrics = Metrics()
    probe = LoopLag(metrics.loop_lag, every=0.001)
    await probe.start()
    try:
        await asyncio.sleep(0.01)
        time.sleep(0.03)
        await asyncio.sleep(0.01)
    finally:
        await probe.stop()
    late = metrics.registry.get_sample_value("aftersales_event_loop_lag_seconds_bucket", {"le": "0.02"})
    everything = metrics.registry.get_sample_value("aftersales_event_loop_lag_seconds_count")
    assert everything and late is not None and everything - late >= 1
