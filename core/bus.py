"""The message bus between intake and processing (DESIGN.md contract).

`publish(topic, payload, key=…)` routes by a stable hash of `key` (the conversation) to one of `partitions`
partitions, so one conversation stays in order while different conversations run in parallel. Delivery is
at-least-once; consumers are idempotent on the envelope key. The in-process bus keeps nothing across a restart —
the durable inbox is the source of truth and unprocessed rows are re-published at start-up. Several processes share
work through `core.redis_bus`.
"""
from __future__ import annotations

import asyncio
import itertools
import zlib
from collections import defaultdict
from typing import Any, AsyncIterator, Protocol, Sequence


class Bus(Protocol):
    partitions: int

    async def publish(self, topic: str, payload: dict[str, Any], *, key: str) -> None: ...

    async def publish_many(self, topic: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """`(key, payload)` pairs, in order; one round trip where the backend has them."""
        ...

    def consume(self, topic: str, group: str, partition: int, *, max_batch: int = 1
                ) -> AsyncIterator[list[tuple[str, dict[str, Any]]]]: ...

    async def ack(self, topic: str, group: str, message_ids: list[str]) -> None: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


def partition_of(key: str, partitions: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % partitions


class MemoryBus:
    """In-process bus: one asyncio queue per (topic, partition); the consumers of a topic share them."""

    def __init__(self, *, partitions: int = 4) -> None:
        self.partitions = partitions
        self._queues: dict[tuple[str, int], asyncio.Queue[tuple[str, dict[str, Any]]]] = defaultdict(asyncio.Queue)
        self._ids = itertools.count(1)
        self._closed = False

    async def publish(self, topic: str, payload: dict[str, Any], *, key: str) -> None:
        self.publish_nowait(topic, payload, key=key)

    async def publish_many(self, topic: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        for key, payload in items:
            self.publish_nowait(topic, payload, key=key)

    def publish_nowait(self, topic: str, payload: dict[str, Any], *, key: str) -> None:
        self._queues[(topic, partition_of(key, self.partitions))].put_nowait((str(next(self._ids)), payload))

    async def consume(self, topic: str, group: str, partition: int, *, max_batch: int = 1
                      ) -> AsyncIterator[list[tuple[str, dict[str, Any]]]]:
        """Yield batches: waits for one message, then takes whatever else is already queued, up to `max_batch`."""
        queue = self._queues[(topic, partition)]
        while not self._closed:
            batch = [await queue.get()]
            while len(batch) < max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            yield batch

    async def ack(self, topic: str, group: str, message_ids: list[str]) -> None:
        """Nothing to do in memory: a message leaves the queue when taken; the inbox covers crashes."""

    async def ping(self) -> bool:
        return not self._closed

    async def close(self) -> None:
        self._closed = True
