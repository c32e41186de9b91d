"""What a served hub's own histograms saw during a phase: read from /metrics before and after, as bucket bounds of
the percentiles (so "p99 ≤ 20 ms" means the 99th percentile fell in the bucket that ends at 20 ms)."""
from __future__ import annotations

import re

import aiohttp

LOOP_LAG = "aftersales_event_loop_lag_seconds"
"""How late the hub's event loop ran a timer: what every acknowledgement waits behind (bot/loop_lag.py)."""
INTAKE_COMMIT = "aftersales_intake_commit_seconds"
"""From a channel's intake call to the inbox commit: the hub's part of an acknowledgement."""
_BUCKET = re.compile(r'^(\w+)_bucket\{le="([^"]+)"\} (\S+)$')


async def buckets(url: str) -> dict[str, list[tuple[float, float]]]:
    """Every histogram of the hub at `url`: name → cumulative (upper bound, count) pairs."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
        body = await response.text()
    found: dict[str, list[tuple[float, float]]] = {}
    for line in body.splitlines():
        match = _BUCKET.match(line)
        if match:
            found.setdefault(match[1], []).append((float(match[2]), float(match[3])))
    return found


def summary(name: str, before: dict[str, list[tuple[float, float]]],
            after: dict[str, list[tuple[float, float]]]) -> str:
    """`p50 ≤ … p99 ≤ … ms, n …` of histogram `name` between two readings."""
    counts = [(bound, total - dict(before.get(name, [])).get(bound, 0.0)) for bound, total in after.get(name, [])]
    if not counts or counts[-1][1] == 0:
        return "no samples"
    everything = counts[-1][1]

    def bound_of(share: float) -> str:
        bound = next(bound for bound, count in counts if count >= share * everything)
        return f"> {counts[-2][0] * 1000:g}" if bound == float("inf") else f"≤ {bound * 1000:g}"

    return f"p50 {bound_of(0.5)}  p90 {bound_of(0.9)}  p99 {bound_of(0.99)} ms ({everything:.0f} samples)"
