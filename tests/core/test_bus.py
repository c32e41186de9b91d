"""The bus contract on both backends, and what the Redis bus adds for several processes: a partition is read by
one process at a time, and what one holder read but never acknowledged goes to the next."""
from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from typing import Any, AsyncIterator

import pytest
import redis.asyncio as redis

from core.bus import Bus, MemoryBus, partition_of
from core.redis_bus import RedisStreamsBus

TOPIC, GROUP = "inbox", "pipeline"


async def _lease_owners(url: str, prefix: str) -> list[str]:
    """Who holds each partition's lease, as Redis has it."""
    client = redis.from_url(url, decode_responses=True)
    try:
        return [await client.get(f"{prefix}:{TOPIC}:{p}:lease:{GROUP}") for p in range(4)]
    finally:
        await client.aclose()


async def _until(condition: Any, *, timeout: float = 10.0) -> None:
    """Wait for an async condition (a deadline, not a timing assertion)."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


async def _holds_lease(url: str, prefix: str, partition: int) -> bool:
    return (await _lease_owners(url, prefix))[partition] is not None


async def _owners_are(url: str, prefix: str, shares: set[int]) -> bool:
    """Every lease is held, and the holders' numbers of leases are `shares`."""
    owners = await _lease_owners(url, prefix)
    return None not in owners and set(Counter(owners).values()) == shares


def _redis_bus(url: str, prefix: str, *, lease: float = 3.0) -> RedisStreamsBus:
    return RedisStreamsBus(url=url, partitions=4, lease=lease, block=0.05, prefix=prefix)


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    if request.param == "memory":
        bus: Bus = MemoryBus(partitions=4)
    else:
        bus = _redis_bus(request.getfixturevalue("redis_url"), f"test-{uuid.uuid4().hex}")
    yield bus
    await bus.close()


async def _take(bus: Bus, partition: int, count: int, *, ack: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """The first `count` messages of one partition."""
    taken: list[tuple[str, dict[str, Any]]] = []
    stream = bus.consume(TOPIC, GROUP, partition, max_batch=10)
    try:
        async with asyncio.timeout(10):
            async for batch in stream:
                taken.extend(batch)
                if ack:
                    await bus.ack(TOPIC, GROUP, [message_id for message_id, _ in batch])
                if len(taken) >= count:
                    break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return taken


async def test_each_conversation_stays_in_order_and_conversations_spread_over_partitions(bus: Bus) -> None:
    keys = [f"web:conversation{n}" for n in range(12)]
    await bus.publish_many(TOPIC, [(key, {"key": key, "n": n}) for n in range(5) for key in keys])
    await bus.publish(TOPIC, {"key": keys[0], "n": 5}, key=keys[0])
    seen: dict[str, list[int]] = defaultdict(list)
    partitions_used = 0
    for partition in range(bus.partitions):
        expected = sum(6 if key == keys[0] else 5 for key in keys if _partition(key) == partition)
        if not expected:
            continue
        partitions_used += 1
        for _, payload in await _take(bus, partition, expected):
            seen[payload["key"]].append(payload["n"])
    assert seen[keys[0]] == [0, 1, 2, 3, 4, 5]
    assert all(seen[key] == [0, 1, 2, 3, 4] for key in keys[1:])
    assert partitions_used > 1


async def test_ping_answers_while_open(bus: Bus) -> None:
    assert await bus.ping()


async def test_a_partition_is_read_by_one_process_at_a_time(redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = _redis_bus(redis_url, prefix), _redis_bus(redis_url, prefix)
    try:
        first_reads = asyncio.create_task(_take(first, 0, 3))
        await _until(lambda: _holds_lease(redis_url, prefix, 0))
        second_reads = asyncio.create_task(_take(second, 0, 3))
        keys = [key for key in (f"k{n}" for n in range(200)) if _partition(key) == 0][:6]
        await first.publish_many(TOPIC, [(key, {"key": key}) for key in keys[:3]])
        assert [p["key"] for _, p in await first_reads] == keys[:3]
        assert not second_reads.done()
        await first.close()
        await second.publish_many(TOPIC, [(key, {"key": key}) for key in keys[3:]])
        assert [p["key"] for _, p in await second_reads] == keys[3:]
    finally:
        await second.close()


async def test_a_process_that_joins_gets_its_share_of_the_partitions(redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = _redis_bus(redis_url, prefix, lease=0.6), _redis_bus(redis_url, prefix, lease=0.6)
    received: dict[str, list[str]] = {"first": [], "second": []}

    async def read_all(name: str, bus: RedisStreamsBus, partition: int) -> None:
        async for batch in bus.consume(TOPIC, GROUP, partition, max_batch=10):
            received[name].extend(payload["key"] for _, payload in batch)
            await bus.ack(TOPIC, GROUP, [message_id for message_id, _ in batch])

    readers = [asyncio.create_task(read_all("first", first, p)) for p in range(4)]
    try:
        await _until(lambda: _owners_are(redis_url, prefix, {4}))
        readers += [asyncio.create_task(read_all("second", second, p)) for p in range(4)]
        await _until(lambda: _owners_are(redis_url, prefix, {2}))
        keys = [f"conversation{n}" for n in range(40)]
        await first.publish_many(TOPIC, [(key, {"key": key}) for key in keys])
        async with asyncio.timeout(10):
            while len(received["first"]) + len(received["second"]) < len(keys):
                await asyncio.sleep(0.05)
        assert sorted(received["first"] + received["second"]) == sorted(keys)
        assert received["first"] and received["second"]
        owners = Counter(await _lease_owners(redis_url, prefix))
        assert len(owners) == 2 and set(owners.values()) == {2}, owners
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await first.close()
        await second.close()


async def test_what_a_holder_read_but_never_acknowledged_goes_to_the_next_holder(redis_url: str) -> None:
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = _redis_bus(redis_url, prefix), _redis_bus(redis_url, prefix)
    keys = [key for key in (f"k{n}" for n in range(200)) if _partition(key) == 1][:4]
    try:
        await first.publish_many(TOPIC, [(key, {"key": key}) for key in keys])
        unacknowledged = await _take(first, 1, 4, ack=False)
        assert [p["key"] for _, p in unacknowledged] == keys
        await first.close()
        again = await _take(second, 1, 4)
        assert [p["key"] for _, p in again] == keys
    finally:
        await second.close()


async def test_an_expired_lease_is_taken_over(redis_url: str) -> None:
    """Another process (played here with raw Redis commands) took partition 2, read an entry and crashed: once its
    lease runs out, this process reads that entry first, then the new ones."""
    prefix = f"test-{uuid.uuid4().hex}"
    survivor = _redis_bus(redis_url, prefix, lease=0.6)
    stream = f"{prefix}:{TOPIC}:2"
    keys = [key for key in (f"k{n}" for n in range(200)) if _partition(key) == 2][:2]
    crashed = redis.from_url(redis_url, decode_responses=True)
    try:
        await crashed.set(f"{stream}:lease:{GROUP}", "crashed-process", px=1500)
        await crashed.xgroup_create(stream, GROUP, id="0", mkstream=True)
        await survivor.publish_many(TOPIC, [(keys[0], {"key": keys[0]})])
        assert (await crashed.xreadgroup(GROUP, "p2", {stream: ">"}, count=10))[0][1]
        await survivor.publish_many(TOPIC, [(keys[1], {"key": keys[1]})])
        assert [p["key"] for _, p in await _take(survivor, 2, 2)] == keys
        assert await crashed.xpending(stream, GROUP) == {"pending": 0, "min": None, "max": None, "consumers": []}
    finally:
        await crashed.aclose()
        await survivor.close()


async def test_ping_is_false_when_redis_is_unreachable() -> None:
    bus = RedisStreamsBus(url="redis://127.0.0.1:1/0", partitions=1)
    try:
        assert not await bus.ping()
    finally:
        await bus.close()


def _partition(key: str) -> int:
    return partition_of(key, 4)
