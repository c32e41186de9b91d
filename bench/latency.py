"""Shared latency summary for the benchmarks: one line of percentiles in milliseconds."""
from __future__ import annotations

from typing import Sequence


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
