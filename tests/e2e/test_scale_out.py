"""Two hub processes on one PostgreSQL database and one Redis bus: customers' messages land on either; one process
is killed (-9) under load and the other takes over its lanes. Every acknowledged message has exactly one effect and
each conversation's messages are handled in the order they were sent."""
from __future__ import annotations

import asyncio
import json
import signal
from itertools import groupby
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.storage.db import session_factory
from core.storage.models import InboxRow, Ticket, TicketMessage
from testkit.hub_process import HubProcess, wait_until_processed

CONVERSATIONS = 8
MESSAGES = 12


async def _send(hubs: list[HubProcess], n: int, acked: set[str]) -> None:
    """Messages go to the hubs in turn; one that fails (its hub is gone) is resent to the other, same client id."""
    session = _session(n)
    async with aiohttp.ClientSession() as http:
        for i in range(MESSAGES):
            text = "洗衣机不脱水了，滚筒一直响" if i == 0 else f"补充一下情况，第{i}次，电话1381234{n:04d}"
            frame = json.dumps({"type": "message", "text": text, "id": f"{n}-{i}"}, ensure_ascii=False)
            for attempt in range(20):
                hub = hubs[(n + i + attempt) % len(hubs)]
                try:
                    async with http.ws_connect(f"{hub.url}/chat/ws?session={session}") as ws:
                        await ws.send_str(frame)
                        while (kind := json.loads((await ws.receive(timeout=10)).data)["type"]) != "ack":
                            if kind == "error":
                                raise ValueError("refused; resend")
                    acked.add(f"{n}-{i}")
                    break
                except (aiohttp.ClientError, asyncio.TimeoutError, TypeError, ValueError):
                    await asyncio.sleep(0.2)
            else:
                raise AssertionError(f"message {n}-{i} was never acknowledged")


def _session(n: int) -> str:
    return f"scaleout{n:04d}abcdefgh"


async def _lane_holders(redis_url: str) -> int:
    """How many processes hold lanes, once each of the 8 lanes has a holder and both processes hold some."""
    client = redis.from_url(redis_url, decode_responses=True)
    try:
        for _ in range(100):
            owners = [await client.get(f"aftersales:inbox:{p}:lease:pipeline") for p in range(8)]
            if None not in owners and len(set(owners)) == 2:
                break
            await asyncio.sleep(0.1)
        return len(set(owners))
    finally:
        await client.aclose()


@pytest.mark.timeout(240)
async def test_two_processes_share_the_work_and_survive_losing_one(tmp_path: Path, shared_stores: AsyncEngine,
                                                                   postgres_database: str, redis_url: str) -> None:
    engine = shared_stores
    config = f'[bus]\nbackend = "redis"\nredis_url = "{redis_url}"\npartitions = 8\nlease = "2s"\n'
    hubs = [HubProcess(tmp_path / name, database_url=postgres_database, extra_config=config) for name in "ab"]
    try:
        await asyncio.gather(*(hub.start(migrate=False) for hub in hubs))
        assert await _lane_holders(redis_url) == 2, "the second process never got a share of the lanes"
        acked: set[str] = set()
        load = asyncio.gather(*(_send(hubs, n, acked) for n in range(CONVERSATIONS)))
        while len(acked) < CONVERSATIONS * MESSAGES // 3:
            await asyncio.sleep(0.01)
        assert hubs[0].signal(signal.SIGKILL) == -signal.SIGKILL
        await load
        assert len(acked) == CONVERSATIONS * MESSAGES

        sessions = session_factory(engine)
        await wait_until_processed(sessions, timeout=30)
        await hubs[0].start(migrate=False)
        assert hubs[0].signal(signal.SIGTERM) == 0 and hubs[1].signal(signal.SIGTERM) == 0

        async with sessions() as session:
            rows = list(await session.scalars(select(InboxRow)))
            assert len(rows) == CONVERSATIONS * MESSAGES
            assert {row.status for row in rows} == {"done"}
            handled = (await session.execute(
                select(Ticket.conversation, TicketMessage.inbox_id).join(Ticket, TicketMessage.ticket_id == Ticket.id)
                .order_by(Ticket.conversation, TicketMessage.id))).all()
        assert sorted(inbox_id for _, inbox_id in handled) == sorted(row.id for row in rows)
        sent_order = {row.id: int(row.external_id.rsplit("-", 1)[1]) for row in rows}
        per_conversation = {conversation: [sent_order[inbox_id] for _, inbox_id in group]
                            for conversation, group in groupby(handled, key=lambda pair: pair[0])}
        assert len(per_conversation) == CONVERSATIONS
        assert all(order == list(range(MESSAGES)) for order in per_conversation.values()), per_conversation
    finally:
        for hub in hubs:
            hub.kill()


async def _converse_on(hub: HubProcess, n: int) -> list[dict]:
    """One customer on `hub`'s web chat: a problem and two details, each acknowledged; then the three replies."""
    texts = ["空调不制冷，开了一小时还是30度", f"电话1391234{n:04d}", "地址是上海市浦东新区张杨路500号12楼"]
    replies: list[dict] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{hub.url}/chat/ws?session={_session(n)}") as ws:
        for i, text in enumerate(texts):
            await ws.send_str(json.dumps({"type": "message", "text": text, "id": f"{n}-{i}"}, ensure_ascii=False))
        acks = 0
        while acks < len(texts) or len(replies) < len(texts):
            frame = json.loads((await ws.receive(timeout=30)).data)
            acks += frame["type"] == "ack"
            if frame["type"] == "message":
                replies.append(frame)
    return replies


@pytest.mark.timeout(120)
async def test_an_intake_only_process_acknowledges_and_a_worker_answers(tmp_path: Path, shared_stores: AsyncEngine,
                                                                        postgres_database: str,
                                                                        redis_url: str) -> None:
    """The split deployment: customers talk to a process with `bus.process = false`; another process does all the
    handling, and its replies reach the customers' sockets on the first process through the relay."""
    engine = shared_stores
    bus = redis.from_url(redis_url, decode_responses=True)
    config = f'[bus]\nbackend = "redis"\nredis_url = "{redis_url}"\npartitions = 4\n'
    intake = HubProcess(tmp_path / "intake", database_url=postgres_database, extra_config=config + "process = false\n")
    worker = HubProcess(tmp_path / "worker", database_url=postgres_database, extra_config=config)
    try:
        await asyncio.gather(intake.start(migrate=False), worker.start(migrate=False))
        conversations = await asyncio.gather(*(_converse_on(intake, n) for n in range(6)))
        for replies in conversations:
            tickets = {reply["ticket"]["id"] for reply in replies if reply.get("ticket")}
            assert len(tickets) == 1 and len(replies) == 3, replies
        holders = {await bus.get(f"aftersales:inbox:{p}:lease:pipeline") for p in range(4)}
        assert len(holders) == 1 and None not in holders, "the intake-only process holds lanes"
        assert intake.signal(signal.SIGTERM) == 0 and worker.signal(signal.SIGTERM) == 0
        async with session_factory(engine)() as session:
            assert set(await session.scalars(select(InboxRow.status))) == {"done"}
            assert len(list(await session.scalars(select(Ticket)))) == 6
    finally:
        intake.kill()
        worker.kill()
        await bus.aclose()
