"""Due-time arithmetic alone: how many due times per second the SLA clock can compute, per calendar and duration.

The engine computes the deadlines of every new ticket (first response and resolution, each with its warning) and
moves them on after every pause, so this is on the path of each ticket opened. Instants are spread over January to November 2026 (its
holidays and 调休 days included), one call at a time, on one core. "cold" is a fresh calendar whose per-day shift
cache is empty; the other figures are with the cache warm, as in a running hub.

    .venv/bin/python bench/bench_sla_calendar.py [--calls 50000]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.domain.sla import Target  # noqa: E402
from core.durations import parse_days  # noqa: E402
from core.sla.config import parse_sla  # noqa: E402

SPANS = ("30m", "2h", "8h", "3d", "5d")


def instants(count: int) -> list[datetime]:
    rng = random.Random(14)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [start + timedelta(seconds=rng.randrange(330 * 86400)) for _ in range(count)]


def rate(call: Callable[[datetime], object], starts: list[datetime]) -> float:
    began = time.perf_counter()
    for start in starts:
        call(start)
    return len(starts) / (time.perf_counter() - began)


def show(calendar: str, what: str, per_second: float, unit: str = "/s") -> None:
    print(f"{calendar:5}  {what:44} {per_second:>10,.0f}{unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50_000)
    args = parser.parse_args()
    starts = instants(args.calls)
    for name in ("china", "24x7"):
        calendar = parse_sla({"calendar": name}).calendar
        show(name, "add 2h, cold cache", rate(lambda at: calendar.add(at, timedelta(hours=2)), starts[:2000]))
        business = {label: Target(days=days, time=time).on(calendar)
                    for label in SPANS for days, time in [parse_days(label)]}
        for label, span in business.items():
            show(name, f"add {label}", rate(lambda at: calendar.add(at, span), starts))
        mix = list(business.values())
        pairs = iter(zip(starts, (mix[i % len(mix)] for i in range(len(starts)))))
        show(name, f"add, spans mixed ({', '.join(SPANS)})", rate(lambda _: calendar.add(*next(pairs)), starts))
        show(name, "elapsed over a day", rate(lambda at: calendar.elapsed(at, at + timedelta(days=1)), starts))
    settings = parse_sla({})
    for priority, name in (("P1", "24x7"), ("P3", "china")):
        show(name, f"deadlines of a new {priority} ticket (2 × warning + due)",
             rate(lambda at: settings.deadlines("repair", priority, at), starts), " tickets/s")


if __name__ == "__main__":
    main()
