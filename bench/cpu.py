"""CPU seconds of other processes on this machine (Linux `/proc`), for benches that drive servers they did not start
in their own process: the hubs, PostgreSQL's backends."""
from __future__ import annotations

import os

_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of `pid` so far, None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS
