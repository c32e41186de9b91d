"""Sliding-window rate limits, so a flood cannot swamp the inbox: time comes from the injected clock (tests move it)
and memory follows the keys active within one window."""
from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Hashable

from core.clock import Clock


class SlidingWindowLimiter:
    """Allows `rate` hits per `window` seconds per key.

    A hit may name an item: an item already counted within the window is let in again without counting twice (a
    session reconnecting is not a new session). A hit without an item always counts. Asking (`wait`) and counting
    (`record`) are apart, so a caller checking several limits counts a hit only once every limit allows it; such a
    caller reads the clock once (`now`, in seconds) for all of them, since each reading is a datetime made per
    message."""

    def __init__(self, *, clock: Clock, rate: int, window: float) -> None:
        if rate < 1 or window <= 0:
            raise ValueError("rate must be >= 1 and window > 0")
        self._clock = clock
        self._rate = rate
        self._window = window
        self._keys: OrderedDict[str, OrderedDict[Hashable, float]] = OrderedDict()
        """Per key, its counted hits oldest first; keys in the order of their newest hit, so expiry stops early."""
        self._anonymous = itertools.count()

    def wait(self, key: str, item: Hashable | None = None, *, now: float | None = None) -> float:
        """Seconds until a hit would be allowed; 0 when it is now."""
        if now is None:
            now = self.now()
        self._expire(now)
        hits = self._keys.get(key)
        if hits is None:
            return 0.0
        while hits and next(iter(hits.values())) <= now - self._window:
            hits.popitem(last=False)
        if (item is not None and item in hits) or len(hits) < self._rate:
            return 0.0
        return max(next(iter(hits.values())) + self._window - now, 0.001)

    def record(self, key: str, item: Hashable | None = None, *, now: float | None = None) -> None:
        """Count a hit that `wait` allowed."""
        hits = self._keys.setdefault(key, OrderedDict())
        token = next(self._anonymous) if item is None else item
        hits[token] = self.now() if now is None else now
        hits.move_to_end(token)
        self._keys.move_to_end(key)

    def hit(self, key: str, item: Hashable | None = None) -> float:
        """`wait`, and `record` when allowed."""
        now = self.now()
        wait = self.wait(key, item, now=now)
        if not wait:
            self.record(key, item, now=now)
        return wait

    def __len__(self) -> int:
        """Keys still remembered."""
        return len(self._keys)

    def _expire(self, now: float) -> None:
        while self._keys:
            hits = next(iter(self._keys.values()))
            if hits and next(reversed(hits.values())) > now - self._window:
                return
            self._keys.popitem(last=False)

    def now(self) -> float:
        return self._clock.now().timestamp()
