"""The outbox keeps each conversation's messages in order — behind a retry, a crashed sender's lease and a restart —
while other conversations go on, and a dead-lettered message stops holding its conversation; on SQLite and
PostgreSQL."""
from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FakeClock
from core.envelopes import Outbound
from core.outbox import AWAY_KEPT, LEASE, MAX_ATTEMPTS, MAX_BACKOFF, Failure, OutboxStore, enqueue
from core.storage.models import OutboxStatus
from core.storage.db import session_factory


def _message(conversation: str, n: int, *, recipient: str = "", channel: str = "webchat") -> Outbound:
    return Outbound(channel=channel, account="", recipient=recipient or conversation, conversation=conversation,
                    template="ticket_updated", data={"n": n}, idempotency_key=f"{conversation}:{n}")


async def _queue(engine: AsyncEngine, clock: FakeClock, *messages: Outbound) -> None:
    async with session_factory(engine)() as session, session.begin():
        await enqueue(session, list(messages), clock.now())


def _names(claimed) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.message.idempotency_key for c in claimed]


async def test_one_conversation_waits_behind_its_retry_while_others_go_on(engine: AsyncEngine,
                                                                         clock: FakeClock) -> None:
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, *(_message("web:a", n) for n in (1, 2, 3)), _message("web:b", 1))
    first = await store.claim_due()
    assert _names(first) == ["web:a:1", "web:b:1"]
    await store.settle([(first[0].id, "p1"), (first[1].id, "p2")], [])

    [second] = await store.claim_due()
    assert _names([second]) == ["web:a:2"]
    await store.settle([], [Failure(second, "platform down", retryable=True, retry_after=30)])
    await _queue(engine, clock, _message("web:b", 2))
    assert _names(await store.claim_due()) == ["web:b:2"], "a retry in one conversation holds up no other"
    assert await store.claim_due() == []

    clock.advance(31)
    [retried] = await store.claim_due()
    assert _names([retried]) == ["web:a:2"] and retried.attempts == 2
    await store.settle([(retried.id, "p3")], [])
    assert _names(await store.claim_due()) == ["web:a:3"]


async def test_a_pass_settled_with_the_next_claim_gives_each_lane_its_next_row_in_order(engine: AsyncEngine,
                                                                                         clock: FakeClock) -> None:
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, *(_message("web:a", n) for n in (1, 2, 3)), _message("web:b", 1), _message("web:c", 1))
    first = await store.claim_due()
    assert _names(first) == ["web:a:1", "web:b:1", "web:c:1"]
    statuses, second = await store.settle_and_claim(
        [(first[0].id, "p1"), (first[1].id, "p2")], [Failure(first[2], "platform down", retryable=True)])
    assert statuses == [OutboxStatus.PENDING]
    assert _names(second) == ["web:a:2"], "the lane sent gives its next row; the one to retry is not due yet"
    statuses, third = await store.settle_and_claim([], [Failure(second[0], "recipient gone", retryable=False)])
    assert statuses == [OutboxStatus.DEAD] and _names(third) == ["web:a:3"]
    assert await store.settle_and_claim([(third[0].id, "p3")], []) == ([], [])


async def test_a_dead_letter_stops_holding_its_conversation(engine: AsyncEngine, clock: FakeClock) -> None:
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("web:a", 1), _message("web:a", 2))
    [first] = await store.claim_due()
    await store.settle([], [Failure(first, "recipient gone", retryable=False)])
    assert _names(await store.claim_due()) == ["web:a:2"]


async def test_after_a_restart_the_held_reply_goes_before_newer_ones(engine: AsyncEngine, clock: FakeClock) -> None:
    before = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("web:a", 1))
    assert _names(await before.claim_due()) == ["web:a:1"]  # the process dies while sending it

    after = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("web:a", 2))
    assert await after.claim_due() == [], "the newer reply waits for the one a crashed sender held"
    clock.advance(LEASE.total_seconds() + 1)
    [held] = await after.claim_due()
    assert _names([held]) == ["web:a:1"] and held.attempts == 2
    await after.settle([(held.id, "p1")], [])
    assert _names(await after.claim_due()) == ["web:a:2"]


async def test_a_message_without_a_thread_keeps_order_by_recipient(engine: AsyncEngine, clock: FakeClock) -> None:
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("", 1, recipient="wangshifu"), _message("", 2, recipient="wangshifu"),
                 _message("", 3, recipient="lishifu"))
    assert _names(await store.claim_due()) == [":1", ":3"]


async def test_a_lane_on_a_channel_the_sender_lacks_is_taken_whole(engine: AsyncEngine, clock: FakeClock) -> None:
    """Its rows go dead unsent, so there is no order to keep: all of them in one pass, not one a pass."""
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, *(_message("", n, recipient="chenzhuguan", channel="wecom") for n in (1, 2, 3)),
                 _message("web:a", 1), _message("web:a", 2))
    assert _names(await store.claim_due(sending={"webchat"})) == [":1", ":2", ":3", "web:a:1"]


async def test_senders_claiming_at_once_take_each_conversation_once(engine: AsyncEngine, clock: FakeClock) -> None:
    await _queue(engine, clock, *(_message(f"web:c{c}", n) for n in range(3) for c in range(40)))
    stores = [OutboxStore(sessions=session_factory(engine), clock=clock) for _ in range(4)]
    claimed = [c for batch in await asyncio.gather(*(s.claim_due(limit=25) for s in stores)) for c in batch]
    lanes = [c.message.conversation for c in claimed]
    assert len(lanes) == len(set(lanes)) == 40
    assert {c.message.data["n"] for c in claimed} == {0}


async def test_rows_handed_back_by_a_stopping_sender_go_first_at_once(engine: AsyncEngine, clock: FakeClock) -> None:
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("web:a", 1), _message("web:a", 2))
    [held] = await store.claim_due()
    await store.release([held.id])
    assert _names(await store.claim_due()) == ["web:a:1"], "no lease to wait for"


async def test_a_message_for_a_recipient_away_waits_for_them(engine: AsyncEngine, clock: FakeClock) -> None:
    """A web-chat customer who closed the page: the message is retried without using up its attempts, goes out as
    soon as they are back (ahead of its retry, its attempts counted afresh), and is given up only after
    `AWAY_KEPT`."""
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("web:a", 1), _message("web:a", 2))
    for _ in range(MAX_ATTEMPTS + 2):
        [claimed] = await store.claim_due()
        assert _names([claimed]) == ["web:a:1"]
        assert await store.settle([], [Failure(claimed, "offline", retryable=True, away=True)]) == [
            OutboxStatus.PENDING]
        clock.advance(MAX_BACKOFF.total_seconds())
    [claimed] = await store.claim_due()
    await store.settle([], [Failure(claimed, "offline", retryable=True, away=True)])
    assert await store.claim_due() == []
    assert await store.recipient_back("webchat", "web:a") == 2
    [back] = await store.claim_due()
    assert _names([back]) == ["web:a:1"] and back.attempts == 1
    await store.settle([(back.id, "p1")], [])
    assert _names(await store.claim_due()) == ["web:a:2"]


async def test_a_message_away_longer_than_kept_is_given_up(engine: AsyncEngine, clock: FakeClock) -> None:
    store = OutboxStore(sessions=session_factory(engine), clock=clock)
    await _queue(engine, clock, _message("web:a", 1))
    [claimed] = await store.claim_due()
    clock.advance(AWAY_KEPT.total_seconds())
    assert await store.settle([], [Failure(claimed, "offline", retryable=True, away=True)]) == [OutboxStatus.DEAD]
