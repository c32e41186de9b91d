"""Keep Python's full garbage collections off the served hub's event loop.

A started hub holds its NLP dictionaries, model and channel clients for life. Every full (oldest-generation) collection
walks them again: about 90 ms on this machine, during which no socket is read and no message acknowledged — the
hub's worst acknowledgement latencies came from exactly these pauses. `gc.freeze()` moves everything alive at start
into a permanent generation the collector skips, so later collections only look at what the hub allocates while
serving.
"""
from __future__ import annotations

import gc


async def freeze_startup_heap(_app: object) -> None:
    """An `on_startup` hook of the served app, registered after the hub starts (it is process-wide, so not in
    `Hub.start`, which tests run many times in one process)."""
    gc.collect()
    gc.freeze()
