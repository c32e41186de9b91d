"""Builds a running hub from configuration: one place that wires storage, bus, pipeline, channels and workers.
Nothing is created at import time."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Sequence

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Config
from bot.metrics import Metrics
from bot.pipeline import Pipeline, transaction_budget
from bot.router import Router
from bot.workers import InboxWorkers, OutboxSender
from channels.base import Channel
from core.bus import Bus, MemoryBus
from core.clock import Clock, SystemClock
from core.envelopes import Inbound
from core.inbox import GroupCommitIntake, InboxRelay, InboxStore
from core.outbox import OutboxStore
from core.rendering import Renderer
from core.storage.checkpoint import WalCheckpointer
from core.storage.db import create_engine, session_factory
from handlers.cancel import CancelHandler
from handlers.fallback import FallbackHandler
from handlers.intake import IntakeHandler
from handlers.smalltalk import SmalltalkHandler
from handlers.status import StatusHandler
from handlers.supervisor import SupervisorHandler
from handlers.technician import TechnicianHandler
from nlp import Understander, load_understander

log = logging.getLogger(__name__)

STOP_GRACE = 10.0
"""Seconds a stopping hub waits for in-flight processing transactions before cancelling them (they roll back whole)."""


@dataclass(kw_only=True)
class Hub:
    config: Config
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: Bus
    metrics: Metrics
    intake: GroupCommitIntake
    inbox: InboxStore
    workers: InboxWorkers
    sender: OutboxSender
    renderer: Renderer
    checkpointer: WalCheckpointer | None = None
    channels: dict[str, Channel] = field(default_factory=dict)

    async def accept(self, inbounds: Sequence[Inbound]) -> list[bool]:
        """The `IntakeSink` handed to every channel: durable commit, then counted."""
        started = time.perf_counter()
        results = await self.intake(inbounds)
        self.metrics.commit.observe(time.perf_counter() - started)
        for inbound, new in zip(inbounds, results):
            self.metrics.accepted.labels(inbound.channel, "new" if new else "duplicate").inc()
        return results

    async def start(self) -> None:
        if self.checkpointer is not None:
            await self.checkpointer.start()
        for channel in self.channels.values():
            await channel.start()
        await self.workers.start()
        await self.sender.start()

    async def stop(self) -> None:
        """Stop taking input, finish what was accepted (in-flight processing gets `STOP_GRACE` seconds; what is
        not done by then stays pending in the inbox for the next start), then close. Each step is logged so a slow
        stop shows where it waits."""
        started = time.monotonic()
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            *((f"channel {name}", channel.stop) for name, channel in self.channels.items()),
            ("intake", self.intake.close),
            ("inbox workers", lambda: self.workers.stop(grace=STOP_GRACE)),
            ("outbox sender", self.sender.stop),
            ("bus", self.bus.close),
            ("database", self.engine.dispose),
            *([("WAL checkpoints", self.checkpointer.stop)] if self.checkpointer is not None else []),
        ]
        for name, stop in steps:
            await stop()
            log.info("stopping: %s stopped (%.0f ms)", name, (time.monotonic() - started) * 1000)

    async def healthy(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            return False
        return await self.bus.ping()


def build_hub(config: Config, *, clock: Clock | None = None, understander: Understander | None = None,
              extra_channels: Sequence[Channel] = ()) -> Hub:
    clock = clock or SystemClock()
    engine = create_engine(config.database.url, automatic_checkpoints=False)
    sessions = session_factory(engine)
    bus = _bus(config)
    metrics = Metrics()
    renderer = Renderer()
    channels: dict[str, Channel] = {}
    sender = OutboxSender(store=OutboxStore(sessions=sessions, clock=clock), channels=channels, renderer=renderer,
                          clock=clock, metrics=metrics)
    budget = transaction_budget(engine.dialect.name, other_processes=config.bus.backend == "redis")
    inbox = InboxStore(sessions=sessions, clock=clock)
    relay = InboxRelay(bus=bus, store=inbox)
    pipeline = Pipeline(sessions=sessions, inbox=inbox, understander=understander or load_understander(config.nlp.model_path or None),
                        router=default_router(), clock=clock, metrics=metrics, after_commit=sender.wake,
                        transaction_budget=budget) if config.bus.process else None
    workers = InboxWorkers(bus=bus, relay=relay, pipeline=pipeline)
    intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=relay.publish)
    hub = Hub(config=config, clock=clock, engine=engine, sessions=sessions, bus=bus, metrics=metrics, intake=intake,
              inbox=inbox,
              workers=workers, sender=sender, renderer=renderer, checkpointer=WalCheckpointer.for_engine(engine),
              channels=channels)
    for channel in [*_channels(config, hub), *extra_channels]:
        channels[channel.name] = channel
    return hub


def default_router() -> Router:
    """Every conversation job the hub knows."""
    return Router(handlers=[IntakeHandler(), SmalltalkHandler(), StatusHandler(), CancelHandler(), TechnicianHandler(),
                            SupervisorHandler()],
                  fallback=FallbackHandler())


def default_partitions(database_url: str) -> int:
    return 1 if make_url(database_url).get_backend_name() == "sqlite" else 8


def _bus(config: Config) -> Bus:
    partitions = config.bus.partitions or default_partitions(config.database.url)
    if config.bus.backend == "redis":
        from core.redis_bus import RedisStreamsBus

        return RedisStreamsBus(url=config.bus.redis_url, partitions=partitions,
                               lease=config.bus.lease.total_seconds())
    return MemoryBus(partitions=partitions)


def _channels(config: Config, hub: Hub) -> list[Channel]:
    """The web chat always; every other channel when its config section is filled in (imported only then)."""
    from channels.webchat import WebChatChannel

    server = config.server
    relay = None
    if config.bus.backend == "redis":
        from channels.webchat.relay import RedisSocketRelay

        relay = RedisSocketRelay(url=config.bus.redis_url)
    channels: list[Channel] = [WebChatChannel(intake=hub.accept, clock=hub.clock, sender_rate=server.sender_rate,
                                              sender_rate_window=server.sender_rate_window.total_seconds(),
                                              relay=relay)]
    if config.wechat.enabled:
        from channels.wechat import WeChatChannel

        channels.append(WeChatChannel(config=config.wechat, intake=hub.accept, clock=hub.clock,
                                      max_body_bytes=server.max_body_bytes))
    if config.wecom.enabled:
        from channels.wecom import WeComChannel

        channels.append(WeComChannel(config=config.wecom, intake=hub.accept, clock=hub.clock,
                                     max_body_bytes=server.max_body_bytes))
    if config.slack.enabled:
        from channels.slack import SlackChannel

        channels.append(SlackChannel(config=config.slack, intake=hub.accept, clock=hub.clock))
    if config.email.enabled:
        from channels.email import EmailChannel
        from core.storage.stores import DbCursorStore, DbQuarantineStore

        channels.append(EmailChannel(config=config.email, intake=hub.accept,
                                     cursors=DbCursorStore(sessions=hub.sessions, clock=hub.clock),
                                     quarantine=DbQuarantineStore(sessions=hub.sessions, clock=hub.clock),
                                     clock=hub.clock, attachment_dir=Path(config.email.attachment_dir)))
    return channels
