"""The bus on Redis Streams, for several hub processes sharing one PostgreSQL database (DESIGN.md: scale-out).

One stream per (topic, partition), `{prefix}:{topic}:{partition}`, read through a consumer group. Keeping one
conversation in order needs one reader per partition at a time across all processes, so a process reads a partition
only while it holds that partition's lease: a Redis key with a time to live that a background task renews. The
group's consumer is named after the partition, not the process, so entries a crashed holder had read but not
acknowledged stay pending under that name and the next holder reads them first.

Processes share the partitions: each one heartbeats into a members set, holds at most its fair share
(partitions / live members, rounded up), and hands back what it holds beyond that after the batch in hand, so a
process that joins gets lanes within a few seconds and one that dies has its lanes taken over when its leases run out.

Streams are capped at about `MAX_STREAM_LENGTH` entries. The inbox, not the bus, is the record: a row whose entry
was trimmed unread, or never published because Redis was down, is re-published by the inbox sweep.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from typing import Any, AsyncIterator, Sequence

import redis.asyncio as redis
from redis.exceptions import RedisError, ResponseError

from core.bus import partition_of

log = logging.getLogger(__name__)

MAX_STREAM_LENGTH = 100_000
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisStreamsBus:
    """`Bus` on Redis Streams with per-partition leases; message ids are `"<partition>/<stream entry id>"`."""

    def __init__(self, *, url: str, partitions: int, lease: float = 10.0, block: float = 1.0,
                 prefix: str = "aftersales") -> None:
        self.partitions = partitions
        self._redis = redis.from_url(url, decode_responses=True)
        self._owner = uuid.uuid4().hex
        self._lease_ms = max(1, int(lease * 1000))
        self._block_ms = max(1, int(min(block, lease / 3) * 1000))
        self._prefix = prefix
        self._held: dict[str, str] = {}
        """Lease key → the `topic/group` it belongs to (fair shares are counted per consuming group)."""
        self._members = f"{prefix}:members"
        self._live_members = 1
        self._renewer: asyncio.Task[None] | None = None
        self._joining = asyncio.Lock()
        self._closed = False

    def _stream(self, topic: str, partition: int) -> str:
        return f"{self._prefix}:{topic}:{partition}"

    async def publish(self, topic: str, payload: dict[str, Any], *, key: str) -> None:
        await self.publish_many(topic, [(key, payload)])

    async def publish_many(self, topic: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """One round trip for a group commit's worth of messages."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, payload in items:
                pipe.xadd(self._stream(topic, partition_of(key, self.partitions)),
                          {"payload": json.dumps(payload, separators=(",", ":"))},
                          maxlen=MAX_STREAM_LENGTH, approximate=True)
            await pipe.execute()

    async def consume(self, topic: str, group: str, partition: int, *, max_batch: int = 1
                      ) -> AsyncIterator[list[tuple[str, dict[str, Any]]]]:
        """Yield batches of this partition while this process holds its lease; wait for the lease otherwise.
        After taking the lease, first what the previous holder read and never acknowledged, then new entries."""
        stream = self._stream(topic, partition)
        lease, share = f"{stream}:lease:{group}", f"{topic}/{group}"
        while not self._closed:
            try:
                await self._join()
                if not await self._take(lease, share):
                    await asyncio.sleep(self._lease_ms / 3000)
                    continue
                await self._ensure_group(stream, group)
                after = "0"
                while lease in self._held and not self._closed:
                    if self._held_in(share) > self._fair_share():
                        await self._release(lease)
                        break
                    backlog = after != ">"
                    reply = await self._redis.xreadgroup(group, f"p{partition}", {stream: after}, count=max_batch,
                                                         block=None if backlog else self._block_ms)
                    entries = reply[0][1] if reply else []
                    if backlog:
                        after = entries[-1][0] if entries else ">"
                    if entries:
                        yield [(f"{partition}/{entry_id}", json.loads(fields["payload"]))
                               for entry_id, fields in entries]
            except RedisError as exc:
                log.warning("bus partition %s: %s; retrying", partition, exc)
                self._held.pop(lease, None)
                await asyncio.sleep(self._lease_ms / 3000)

    async def ack(self, topic: str, group: str, message_ids: list[str]) -> None:
        by_partition: dict[int, list[str]] = {}
        for message_id in message_ids:
            partition, _, entry_id = message_id.partition("/")
            by_partition.setdefault(int(partition), []).append(entry_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            for partition, entry_ids in by_partition.items():
                pipe.xack(self._stream(topic, partition), group, *entry_ids)
            await pipe.execute()

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping()) and not self._closed
        except RedisError:
            return False

    async def close(self) -> None:
        """Stop reading, hand the leases back at once (another process need not wait for them to expire)."""
        self._closed = True
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)
        try:
            for lease in list(self._held):
                await self._release(lease)
            await self._redis.zrem(self._members, self._owner)
        except RedisError as exc:
            log.warning("could not hand back bus leases (they expire by themselves): %s", exc)
        self._held.clear()
        await self._redis.aclose()

    def _held_in(self, share: str) -> int:
        return sum(1 for held in self._held.values() if held == share)

    def _fair_share(self) -> int:
        return math.ceil(self.partitions / max(1, self._live_members))

    async def _take(self, lease: str, share: str) -> bool:
        if self._held_in(share) >= self._fair_share():
            return False
        if await self._redis.set(lease, self._owner, nx=True, px=self._lease_ms):
            self._held[lease] = share
            log.info("bus: took %s", lease)
            return True
        return False

    async def _release(self, lease: str) -> None:
        self._held.pop(lease, None)
        await self._redis.eval(_RELEASE, 1, lease, self._owner)
        log.info("bus: handed back %s", lease)

    async def _ensure_group(self, stream: str, group: str) -> None:
        try:
            await self._redis.xgroup_create(stream, group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _join(self) -> None:
        """Once per process: the first heartbeat, then the renewal task (which heartbeats from then on). Every
        consumer waits for the first, so shares are counted with this process among the members."""
        async with self._joining:
            if self._renewer is None:
                await self._heartbeat()
                self._renewer = asyncio.create_task(self._renew_leases(), name="bus-leases")

    async def _heartbeat(self) -> None:
        """Say this process is alive and count the live ones (those heard from within one lease time)."""
        now_ms = int(time.time() * 1000)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._members, {self._owner: now_ms})
            pipe.zremrangebyscore(self._members, "-inf", now_ms - self._lease_ms)
            pipe.zcard(self._members)
            self._live_members = int((await pipe.execute())[-1])

    async def _renew_leases(self) -> None:
        """Every third of the lease time; a lease found taken over (this process stalled too long) is dropped, and
        its consumer stops after the batch in hand."""
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                await self._heartbeat()
                for lease in list(self._held):
                    if not await self._redis.eval(_RENEW, 1, lease, self._owner, self._lease_ms):
                        log.warning("bus: lost %s to another process", lease)
                        self._held.pop(lease, None)
            except RedisError as exc:
                log.warning("bus: could not renew leases: %s", exc)
