"""kill -9 the hub while it takes load, restart it, count: every acknowledged message has exactly one effect."""
from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from core.storage.db import create_engine, session_factory
from core.storage.models import InboxRow, OutboxRow, Ticket, TicketMessage
from testkit.hub_process import HubProcess, wait_until_processed

CONVERSATIONS = 12
MESSAGES = 25


async def _send_all(port: int, acked: set[str], stop_after_acks: int | None) -> None:
    """Each conversation sends its messages in order, resending unacknowledged ones (as the page does)."""
    async def conversation(n: int) -> None:
        session = f"crashsession{n:04d}xyzw"
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"http://127.0.0.1:{port}/chat/ws?session={session}") as ws:
                for i in range(MESSAGES):
                    client_id = f"{n}-{i}"
                    text = "洗衣机不脱水了，滚筒一直响" if i == 0 else f"补充一下情况，第{i}次，电话1381234{n:04d}"
                    await ws.send_str(json.dumps({"type": "message", "text": text, "id": client_id},
                                                 ensure_ascii=False))
                    while True:
                        frame = json.loads((await ws.receive(timeout=30)).data)
                        if frame["type"] == "ack":
                            acked.add(f"{session}:{frame['id']}")
                            break
                    if stop_after_acks is not None and len(acked) >= stop_after_acks:
                        return

    await asyncio.gather(*(conversation(n) for n in range(CONVERSATIONS)), return_exceptions=True)


@pytest.mark.timeout(240)
async def test_kill_9_under_load_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    server = HubProcess(tmp_path)
    await server.start(migrate=False)
    acked_before: set[str] = set()
    load = asyncio.create_task(_send_all(server.port, acked_before, stop_after_acks=None))
    while len(acked_before) < CONVERSATIONS * MESSAGES // 3:
        await asyncio.sleep(0.01)
    assert server.signal(signal.SIGKILL) == -signal.SIGKILL
    await asyncio.gather(load, return_exceptions=True)
    acked_at_kill = set(acked_before)

    await server.start(migrate=False)
    acked_after: set[str] = set()
    await _send_all(server.port, acked_after, stop_after_acks=None)
    assert len(acked_after) == CONVERSATIONS * MESSAGES

    engine = create_engine(f"sqlite+aiosqlite:///{server.db}")
    sessions = session_factory(engine)
    try:
        await wait_until_processed(sessions)
        assert server.signal(signal.SIGTERM) == 0
        async with sessions() as session:
            rows = {r.external_id: r for r in await session.scalars(select(InboxRow))}
            assert acked_at_kill <= set(rows), "an acknowledged message was lost"
            assert len(rows) == CONVERSATIONS * MESSAGES
            assert {r.status for r in rows.values()} == {"done"}
            per_inbox = dict((await session.execute(
                select(TicketMessage.inbox_id, func.count()).group_by(TicketMessage.inbox_id))).all())
            assert set(per_inbox) == {r.id for r in rows.values()} and set(per_inbox.values()) == {1}
            assert await session.scalar(select(func.count()).select_from(OutboxRow)) == len(rows)
            opened = await session.scalar(select(func.count(func.distinct(Ticket.conversation))))
            assert opened == CONVERSATIONS
    finally:
        await engine.dispose()
        server.kill()
