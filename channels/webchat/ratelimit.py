"""Per-sender sliding-window rate limit, so one browser flooding the chat cannot swamp the inbox."""
from __future__ import annotations

from collections import deque

from core.clock import Clock


class SlidingWindowLimiter:
    """Allows `rate` hits per `window` seconds per key; time comes from the injected clock so tests can move it."""

    def __init__(self, *, clock: Clock, rate: int, window: float) -> None:
        if rate < 1 or window <= 0:
            raise ValueError("rate must be >= 1 and window > 0")
        self._clock = clock
        self._rate = rate
        self._window = window
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> float:
        """Record a hit for `key`; return 0 when allowed, else the seconds until the next hit would be allowed."""
        now = self._clock.now().timestamp()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) >= self._rate:
            return max(hits[0] + self._window - now, 0.001)
        hits.append(now)
        return 0.0

    def forget(self, key: str) -> None:
        """Drop a key whose window has emptied (called when its last socket closes, to bound memory)."""
        hits = self._hits.get(key)
        if hits is not None and (not hits or hits[-1] <= self._clock.now().timestamp() - self._window):
            del self._hits[key]
