"""Shared latency summary for the benchmarks: one line of percentiles in milliseconds."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator, Sequence


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    index = min(len(sorted_values) - 1, max(0, int(round(share * len(sorted_values))) - 1))
    return sorted_values[index]


def summarize_ms(seconds: Sequence[float]) -> str:
    """`p50 … p90 … p99 … max …` in milliseconds for latencies given in seconds."""
    if not seconds:
        return "no samples"
    ms = sorted(value * 1000 for value in seconds)
    return (f"p50 {percentile(ms, 0.50):.2f}  p90 {percentile(ms, 0.90):.2f}  p99 {percentile(ms, 0.99):.2f}  "
            f"max {ms[-1]:.2f} ms")


@contextmanager
def collector_paused() -> Iterator[None]:
    """The measuring client's own garbage collector off while it times (it collects first). A full collection of
    its heap, which grows with every message it times, paused it for tens to a couple of hundred milliseconds, and
    every acknowledgement in flight was counted that much slower: `bench_intake.py --seconds 10` at 1,000 msg/s
    gave ack p99 58–205 ms while the hub itself, from a frame's handler to its ack written, never took more than
    19 ms; with the collector paused, p99 18–27 ms."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
