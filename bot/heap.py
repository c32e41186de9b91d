"""Keep Python's full garbage collections off the served hub's event loop.

A started hub holds its NLP dictionaries, model and channel clients for life. Every full (oldest-generation) collection
walks them again: about 90 ms on this machine, during which no socket is read and no message acknowledged — the
hub's worst acknowledgement latencies came from exactly these pauses. `gc.freeze()` moves everything alive at start
into a permanent generation the collector skips, so later collections only look at what the hub allocates while
serving.
"""
from __future__ import annotations

import gc

YOUNG_COLLECTED_AFTER = 10_000
"""Objects allocated (and not freed) between two collections of the youngest generation; Python's default is 700.
Serving a message allocates hundreds that live for its transaction (ORM rows, statements' parameters, views), so at
700 the collector ran every few messages, and every tenth and hundredth time over the older generations too: in
`bench_intake.py` (6,000 messages at saturation) 755 young, 68 middle and 6 full collections, 0.29 s of the hub's
CPU, about 5 % of it, and the full ones 17 ms pauses each. At 10,000: 26, 2 and none, 0.12 s."""


async def freeze_startup_heap(_app: object) -> None:
    """An `on_startup` hook of the served app, registered after the hub starts (it is process-wide, so not in
    `Hub.start`, which tests run many times in one process); the young generation is collected less often from
    then on (`YOUNG_COLLECTED_AFTER`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTED_AFTER, *gc.get_threshold()[1:])
