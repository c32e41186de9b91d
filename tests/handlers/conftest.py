"""A real hub (SQLite, memory bus, demo staff and knowledge base, WeCom configured) driven message by message,
without sending anything: each step returns the outbox rows it caused, so tests read exactly what would go out. Time
is a fake clock that `later` moves, firing the timers that come due. Ticket types come from fixed keyword rules
(testkit.understanding), so a retrained model cannot change these tests; the rest of the NLP is real."""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Hub, build_hub
from bot.config import KbConfig, config_from_dict
from bot.demo import load_demo
from bot.knowledge import load_knowledge_base
from core.clock import FakeClock, SystemClock
from core.envelopes import Inbound
from core.storage.db import create_engine, session_factory
from core.storage.models import InboxRow, OutboxRow, Staff, Ticket, TicketEvent, TicketMessage
from nlp.retrieval import KnowledgeBase
from testkit.fakes.slack_api import FakeSlackApi
from testkit.fakes.weixin_api import FakeWeixinApi, new_aes_key
from testkit.database import copy_sqlite
from testkit.understanding import keyword_understander

WAIT_STEPS = 2000


class Desk:
    """Sends inbound messages through `hub.accept` and waits for the pipeline to finish each one."""

    def __init__(self, hub: Hub, clock: FakeClock) -> None:
        self.hub = hub
        self.clock = clock
        self._ids = itertools.count(1)

    async def say(self, channel: str, sender: str, text: str, *, conversation: str | None = None,
                  **fields: Any) -> list[dict[str, Any]]:
        """One message (`fields`: other `Inbound` fields); returns the Outbound dicts it produced, in the order the
        handler returned them (everything queued while it was handled: the desk runs one thing at a time)."""
        external_id = f"m{next(self._ids)}"
        inbound = Inbound(channel=channel, account="test", external_id=external_id, sender=sender,
                          conversation=conversation or sender, text=text, sent_at=self.clock.now(), **fields)
        async with self.hub.sessions() as session:
            seen = await session.scalar(select(func.max(OutboxRow.id))) or 0
        assert await self.hub.accept([inbound]) == [True]
        await self._processed(channel, external_id)
        async with self.hub.sessions() as session:
            rows = await session.scalars(select(OutboxRow).where(OutboxRow.id > seen).order_by(OutboxRow.id))
            return [row.payload for row in rows]

    async def later(self, seconds: float, *, sla_alerts: bool = False) -> list[dict[str, Any]]:
        """Move the clock on and fire the timers due by then; returns the Outbound dicts they produced — without
        the SLA clock's alerts to staff unless `sla_alerts`."""
        async with self.hub.sessions() as session:
            seen = await session.scalar(select(func.max(OutboxRow.id))) or 0
        self.clock.advance(seconds)
        assert self.hub.timers is not None
        await self.hub.timers.fire_due()
        async with self.hub.sessions() as session:
            rows = await session.scalars(select(OutboxRow).where(OutboxRow.id > seen,
                                                                 OutboxRow.idempotency_key.like("timer:%"))
                                         .order_by(OutboxRow.id))
            return [row.payload for row in rows if sla_alerts or row.payload["template"] != "sla_alert"]

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

    async def said(self, code: str) -> list[str]:
        """What the ticket's messages say, oldest first: what went on the ticket and what did not."""
        async with self.hub.sessions() as session:
            query = (select(TicketMessage.text).join(Ticket, Ticket.id == TicketMessage.ticket_id)
                     .where(Ticket.code == code).order_by(TicketMessage.id))
            return list(await session.scalars(query))

    async def events(self, code: str, action: str | None = None) -> list[TicketEvent]:
        async with self.hub.sessions() as session:
            query = select(TicketEvent).join(Ticket, Ticket.id == TicketEvent.ticket_id).where(Ticket.code == code)
            if action:
                query = query.where(TicketEvent.action == action)
            return list(await session.scalars(query.order_by(TicketEvent.id)))

    async def staff_id(self, name: str) -> int:
        async with self.hub.sessions() as session:
            return await session.scalar(select(Staff.id).where(Staff.name == name))


SURVEY = {"delay": "1m", "nps": True, "expire": "3d", "remind": "1d", "low_score": 2, "reopen_window": "2d"}


FAST_SLA = {"calendar": "24x7", "warn_at": 0.5,
            "policy": [{"priorities": ["P1"], "first_response": "5m", "resolution": "30m"},
                       {"first_response": "10m", "resolution": "1h"}]}
"""Service levels short enough to pass in a test, round the clock."""


STAFF_WECOM = {"corp_id": "ww-desk", "agent_id": "1000002", "secret": "corp-secret", "token": "t",
               "encoding_aes_key": new_aes_key(), "api_base_url": "http://127.0.0.1:9"}
"""WeCom, where the demo staff are, configured (never started: the desk sends nothing), so dispatch can reach
them."""


@dataclass(frozen=True)
class DemoDatabase:
    """A migrated SQLite database with the demo staff and knowledge base loaded, and the index of its articles."""

    path: Path
    knowledge: KnowledgeBase


@pytest.fixture(scope="session")
def demo_database(migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoDatabase:
    """Made once per run: every desk starts on a copy of it, which holds what `upgrade` and `load_demo` write on a
    new file, and searches the index of those same articles (an index is immutable)."""
    path = tmp_path_factory.mktemp("demo") / "hub.db"
    url = copy_sqlite(migrated_sqlite, path)

    async def load() -> KnowledgeBase:
        await load_demo(url, only_if_empty=False)
        engine = create_engine(url)
        try:
            return await load_knowledge_base(KbConfig(), session_factory(engine), SystemClock())
        finally:
            await engine.dispose()

    return DemoDatabase(path=path, knowledge=asyncio.run(load()))


async def _desk(tmp_path, demo: DemoDatabase, clock: FakeClock,  # type: ignore[no-untyped-def]
                **sections: Any) -> Desk:
    config = config_from_dict({"database": {"url": copy_sqlite(demo.path, tmp_path / "hub.db")}, "survey": SURVEY,
                               "wecom": STAFF_WECOM, **sections})
    hub = build_hub(config, understander=keyword_understander(), clock=clock)
    assert hub.pipeline is not None and config.kb == KbConfig(), "the demo index is of the default [kb]"
    hub.pipeline.knowledge = demo.knowledge
    await hub.workers.start()
    return Desk(hub, clock)


@pytest.fixture
async def desk(tmp_path, demo_database: DemoDatabase) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    desk = await _desk(tmp_path, demo_database, FakeClock(start=datetime.now(timezone.utc)))
    yield desk
    await desk.hub.stop()


@pytest.fixture
async def clocked_desk(tmp_path, demo_database: DemoDatabase) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    """A desk with `FAST_SLA` whose clock starts on Monday 1 March 2027, 10:00 in Shanghai."""
    desk = await _desk(tmp_path, demo_database, FakeClock(start=datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)),
                       sla=FAST_SLA)
    yield desk
    await desk.hub.stop()


@pytest.fixture
async def media_desk(tmp_path, demo_database: DemoDatabase) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    """A desk with WeChat (customers) and WeCom (staff) on the fake platform, which serves media; `desk.weixin` is
    the fake, and files over 2 MB are refused."""
    clock = FakeClock(start=datetime.now(timezone.utc))
    api = await FakeWeixinApi(clock=clock, app_id="wx-app", app_secret="app-secret", corp_id="ww-corp",
                              corp_secret="corp-secret", agent_id=1000002).start()
    desk = await _desk(tmp_path, demo_database, clock,
                       media={"dir": str(tmp_path / "media"), "max_bytes": 2 * 1024 * 1024,
                              "public_url": "https://service.example.com/"},
                       wechat={"app_id": "wx-app", "app_secret": "app-secret", "token": "t",
                               "api_base_url": api.url},
                       wecom={"corp_id": "ww-corp", "agent_id": "1000002", "secret": "corp-secret", "token": "t",
                              "encoding_aes_key": new_aes_key(), "api_base_url": api.url})
    for name in ("wechat", "wecom"):
        await desk.hub.channels[name].start()
    desk.weixin = api  # type: ignore[attr-defined]
    yield desk
    await desk.hub.stop()
    await api.close()


@pytest.fixture
async def slack_desk(tmp_path, demo_database: DemoDatabase) -> AsyncIterator[Desk]:  # type: ignore[no-untyped-def]
    """A desk with Slack on the fake Web API, which serves shared files to the bot token; `desk.slack` is the fake."""
    api = await FakeSlackApi(token="xoxb-test").start()
    desk = await _desk(tmp_path, demo_database, FakeClock(start=datetime.now(timezone.utc)),
                       media={"dir": str(tmp_path / "media")},
                       slack={"bot_token": "xoxb-test", "signing_secret": "s3cret", "api_base_url": api.url})
    await desk.hub.channels["slack"].start()
    desk.slack = api  # type: ignore[attr-defined]
    yield desk
    await desk.hub.stop()
    await api.close()
