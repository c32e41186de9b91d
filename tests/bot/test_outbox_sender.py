"""A stopping sender hands back what it was sending: after a restart those conversations go on at once instead of
waiting for the claim's lease to run out."""
from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.metrics import Metrics
from bot.workers import OutboxSender
from core.clock import FakeClock
from core.envelopes import Outbound
from core.outbox import OutboxStore, enqueue
from core.storage.db import session_factory
from core.storage.models import OutboxRow
from templates.render import Rendered, Renderer


class StuckChannel:
    """A platform that never answers."""

    name = "webchat"

    def __init__(self) -> None:
        self.sending = asyncio.Event()

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        self.sending.set()
        await asyncio.Event().wait()
        return ""


async def test_a_stopped_sender_hands_its_rows_back_due_now(engine: AsyncEngine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await enqueue(session, [Outbound(channel="webchat", account="", recipient="web:a", conversation="web:a",
                                         template="thanks", data={}, idempotency_key="k1")], clock.now())
    channel = StuckChannel()
    sender = OutboxSender(store=OutboxStore(sessions=sessions, clock=clock), channels={"webchat": channel},
                          renderer=Renderer(), clock=clock, metrics=Metrics())
    await sender.start()
    await asyncio.wait_for(channel.sending.wait(), 10)
    await sender.stop()
    async with sessions() as session:
        row = await session.scalar(select(OutboxRow))
    assert (row.status, row.next_attempt_at, row.attempts) == ("pending", clock.now(), 1)
