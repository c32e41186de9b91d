"""A real hub (SQLite, memory bus, demo staff) driven message by message, without sending anything: each step
returns the outbox rows it caused, so tests read exactly what would go out. Ticket types come from fixed keyword
rules (testkit.understanding), so a retrained model cannot change these tests; the rest of the NLP is real."""
from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import select

from bot.bootstrap import Hub, build_hub
from bot.config import config_from_dict
from bot.demo import load_demo
from core.envelopes import Inbound
from core.storage.migrate import upgrade
from core.storage.models import InboxRow, OutboxRow, Staff, Ticket, TicketEvent
from testkit.understanding import keyword_understander

WAIT_STEPS = 2000


class Desk:
    """Sends inbound messages through `hub.accept` and waits for the pipeline to finish each one."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._ids = itertools.count(1)

    async def say(self, channel: str, sender: str, text: str, *, conversation: str | None = None,
                  **fields: Any) -> list[dict[str, Any]]:
        """One message (`fields`: other `Inbound` fields); returns the Outbound dicts it produced, in the order the
        handler returned them."""
        external_id = f"m{next(self._ids)}"
        inbound = Inbound(channel=channel, account="test", external_id=external_id, sender=sender,
                          conversation=conversation or sender, text=text, sent_at=datetime.now(timezone.utc),
                          **fields)
        assert await self.hub.accept([inbound]) == [True]
        inbox_id = await self._processed(channel, external_id)
        async with self.hub.sessions() as session:
            rows = await session.scalars(select(OutboxRow).where(
                OutboxRow.idempotency_key.like(f"inbox:{inbox_id}:%")).order_by(OutboxRow.id))
            return [row.payload for row in rows]

    async def _processed(self, channel: str, external_id: str) -> int:
        for _ in range(WAIT_STEPS):
            async with self.hub.sessions() as session:
                row = await session.scalar(select(InboxRow).where(InboxRow.channel == channel,
                                                                  InboxRow.external_id == external_id))
            if row is not None and row.status != "pending":
                assert row.status == "done", row.last_error
                return row.id
            await asyncio.sleep(0.01)
        raise AssertionError(f"inbox row {external_id} was never processed")

    async def ticket(self, code: str) -> Ticket:
        async with self.hub.sessions() as session:
            return await session.scalar(select(Ticket).where(Ticket.code == code))

    async def events(self, code: str, action: str | None = None) -> list[TicketEvent]:
        async with self.hub.sessions() as session:
            query = select(TicketEvent).join(Ticket, Ticket.id == TicketEvent.ticket_id).where(Ticket.code == code)
            if action:
                query = query.where(TicketEvent.action == action)
            return list(await session.scalars(query.order_by(TicketEvent.id)))

    async def staff_id(self, name: str) -> int:
        async with self.hub.sessions() as session:
            return await session.scalar(select(Staff.id).where(Staff.name == name))


@pytest.fixture
async def desk(tmp_path) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    hub = build_hub(config_from_dict({"database": {"url": url}}), understander=keyword_understander())
    await upgrade(hub.engine)
    await load_demo(url, only_if_empty=False)
    await hub.workers.start()
    yield Desk(hub)
    await hub.stop()
