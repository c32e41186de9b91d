"""A person answers a web-chat customer whose socket another hub process holds, and that process answers the relay
late (here: stopped while asked, resumed after the asker gave up). The reply reaches the customer once — not once
late from the relay and again from the outbox's retry."""
from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.storage.db import session_factory
from core.storage.models import OutboxRow
from testkit.hub_process import HubProcess

SESSION = "relayonce0001abcdefghij"
TOKEN = "relay-token"


async def _messages_until(ws: aiohttp.ClientWebSocketResponse, marker: str) -> list[dict[str, Any]]:
    """The `message` frames the customer gets, up to the one whose text carries `marker`."""
    frames = []
    while True:
        frame = json.loads((await ws.receive(timeout=60)).data)
        if frame["type"] == "message":
            frames.append(frame)
            if marker in frame["text"]:
                return frames


async def _reply(http: aiohttp.ClientSession, hub: HubProcess, code: str, text: str) -> None:
    async with http.post(f"{hub.url}/api/v1/tickets/{code}/replies", json={"text": text},
                         headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert response.status == 201, await response.text()


async def _outbox_rows(sessions) -> list[OutboxRow]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list(await session.scalars(select(OutboxRow).where(OutboxRow.conversation == f"web:{SESSION}")))


async def _all_sent(sessions) -> None:  # type: ignore[no-untyped-def]
    """Until every reply of the conversation is recorded as sent (none holds the conversation's lane)."""
    while any(row.status in ("pending", "sending") for row in await _outbox_rows(sessions)):
        await asyncio.sleep(0.1)


async def _first_attempt_failed(sessions, marker: str) -> None:  # type: ignore[no-untyped-def]
    """Until the reply carrying `marker` has been tried once and waits for its retry."""
    while not any(marker in json.dumps(row.payload, ensure_ascii=False) and row.attempts >= 1
                  and row.status == "pending" for row in await _outbox_rows(sessions)):
        await asyncio.sleep(0.1)


@pytest.mark.timeout(300)
async def test_a_reply_relayed_late_reaches_the_customer_once(tmp_path: Path, shared_stores: AsyncEngine,
                                                              postgres_database: str, redis_url: str) -> None:
    config = f'[api]\ntokens = ["{TOKEN}"]\n[bus]\nbackend = "redis"\nredis_url = "{redis_url}"\npartitions = 2\n'
    front = HubProcess(tmp_path / "front", database_url=postgres_database, extra_config=config + "process = false\n")
    worker = HubProcess(tmp_path / "worker", database_url=postgres_database, extra_config=config)
    try:
        await asyncio.gather(front.start(migrate=False), worker.start(migrate=False))
        async with aiohttp.ClientSession() as http, http.ws_connect(f"{front.url}/chat/ws?session={SESSION}") as ws:
            await ws.send_str(json.dumps({"type": "message", "text": "洗衣机漏水了，转人工", "id": "c1"},
                                         ensure_ascii=False))
            waiting = (await _messages_until(ws, "SR-"))[-1]
            code = waiting["ticket"]["id"]
            sessions = session_factory(shared_stores)
            await _all_sent(sessions)

            assert front.process is not None
            front.process.send_signal(signal.SIGSTOP)
            try:
                await _reply(http, worker, code, "LATE-ANSWER 您好，我是客服")
                await _first_attempt_failed(sessions, "LATE-ANSWER")
            finally:
                front.process.send_signal(signal.SIGCONT)
            await _reply(http, worker, code, "NEXT-ANSWER 师傅明天上午到")
            frames = await _messages_until(ws, "NEXT-ANSWER")
        late = [frame for frame in frames if "LATE-ANSWER" in frame["text"]]
        assert len(late) == 1, [frame["text"] for frame in frames]
        assert frames[-1] is not late[0]
        assert front.signal(signal.SIGTERM) == 0 and worker.signal(signal.SIGTERM) == 0
    finally:
        front.kill()
        worker.kill()
