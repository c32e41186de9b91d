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

from bot.config import Config, MediaConfig
from bot.files_out import FilesOut
from bot.knowledge import KnowledgeRefresher
from bot.loop_lag import LoopLag
from bot.media import MediaFetcher
from bot.metrics import Metrics
from bot.pipeline import Pipeline, budget_clock, budget_own_work_only, sole_writer, transaction_budget
from bot.router import Router
from bot.timers import TimerWorker
from bot.undelivered import DeadLetters
from bot.workers import InboxWorkers, OutboxSender
from channels.base import Channel, ChannelDeps
from channels.registry import platform
from core.bus import Bus, MemoryBus
from core.clock import Clock, SystemClock
from core.envelopes import Inbound
from core.inbox import GroupCommitIntake, InboxRelay, InboxStore
from core.media import BlobStore, LocalBlobStore, MediaKeeper
from core.media.queue import MediaQueue
from core.outbox import OutboxStore
from core.services.alerts import Room
from core.services.unit import Services, Wiring
from core.storage.checkpoint import WalCheckpointer
from core.storage.db import create_engine, session_factory
from core.storage.reconnect import once_more_if_dropped
from core.storage.stores import DbCursorStore, DbQuarantineStore
from handlers.base import TimerJob
from handlers.appointments import AppointmentHandler, VisitReminder
from handlers.cancel import CancelHandler
from handlers.confirm import AutoClose, ConfirmHandler
from handlers.duty import DutyHandler
from handlers.devices import DeviceCommandHandler, DeviceScanHandler
from handlers.escalation import EscalationHandler
from handlers.fallback import FallbackHandler, StaffHelpHandler
from handlers.describing import Undescribed
from handlers.handover import HandoverHandler, HandoverTimeout
from handlers.intake import IntakeHandler
from handlers.offers import OfferTimeout, PoolTimeout
from handlers.parts import PartsHandler
from handlers.pause import PauseHandler
from handlers.queue import QueueHandler
from handlers.reports import ReportJob
from handlers.sla_alerts import SlaAlertJob
from handlers.knowledge import KnowledgeHandler
from handlers.linking import LinkingHandler
from handlers.smalltalk import SmalltalkHandler
from handlers.staff_desk import StaffDeskHandler
from handlers.status import StatusHandler
from handlers.supervisor import SupervisorHandler
from handlers.survey import AskSurvey, ExpireSurvey, RemindSurvey, SurveyHandler
from handlers.technician import TechnicianHandler
from handlers.ticket_lookup import TicketLookupHandler
from nlp import Understander, load_understander
from templates.render import Renderer

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
    pipeline: Pipeline | None = None
    """Handles inbox messages; None in an intake-only process (`bus.process = false`)."""
    understander: Understander
    wiring: Wiring
    timers: TimerWorker | None = None
    """Fires due timers; None in an intake-only process (`bus.process = false`)."""
    checkpointer: WalCheckpointer | None = None
    knowledge: KnowledgeRefresher | None = None
    """Loads the knowledge base for the pipeline and rebuilds it when an import changes it; None without one."""
    lag: LoopLag
    """Measures how late the event loop runs (`aftersales_event_loop_lag_seconds`)."""
    media: MediaKeeper
    """Where attachments' bytes are kept and read back (`[media]`)."""
    fetcher: MediaFetcher | None = None
    """Downloads what messages carried; None in an intake-only process (`bus.process = false`)."""
    channels: dict[str, Channel] = field(default_factory=dict)

    async def accept(self, inbounds: Sequence[Inbound]) -> list[bool]:
        """The `IntakeSink` handed to every channel: durable commit, then counted."""
        started = time.perf_counter()
        results = await self.intake(inbounds)
        self.metrics.commit.observe(time.perf_counter() - started)
        for inbound, new in zip(inbounds, results):
            self.metrics.counted(self.metrics.accepted, inbound.channel, "new" if new else "duplicate").inc()
        return results

    async def start(self) -> None:
        """The knowledge base is loaded (`[kb] dir` imported) before anything is handled; a bad article file stops
        the start naming it."""
        if self.knowledge is not None:
            await self.knowledge.start()
        await self.lag.start()
        if self.checkpointer is not None:
            await self.checkpointer.start()
        for channel in self.channels.values():
            await channel.start()
        await self.workers.start()
        await self.sender.start()
        if self.timers is not None:
            await self._schedule_reports()
            await self.timers.start()
        if self.fetcher is not None:
            await self.fetcher.start()

    async def _schedule_reports(self) -> None:
        """The next daily and weekly summaries, as durable timers (every process does it; the keys make it once)."""
        if self.config.reports.enabled:
            async with self.sessions() as session, session.begin():
                await self.services(session).reports.schedule(self.clock.now())

    async def stop(self) -> None:
        """Stop taking input, finish what was accepted (in-flight processing gets `STOP_GRACE` seconds; what is
        not done by then stays pending in the inbox for the next start), then close. Each step is logged so a slow
        stop shows where it waits."""
        started = time.monotonic()
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            *((f"channel {name}", channel.stop) for name, channel in self.channels.items()),
            ("intake", self.intake.close),
            ("inbox workers", lambda: self.workers.stop(grace=STOP_GRACE)),
            *([("knowledge-base refresh", self.knowledge.stop)] if self.knowledge is not None else []),
            *([("timers", self.timers.stop)] if self.timers is not None else []),
            *([("media fetcher", self.fetcher.stop)] if self.fetcher is not None else []),
            ("media store", self.media.blobs.close),
            ("outbox sender", self.sender.stop),
            ("bus", self.bus.close),
            ("database", self.engine.dispose),
            *([("WAL checkpoints", self.checkpointer.stop)] if self.checkpointer is not None else []),
            ("event-loop lag probe", self.lag.stop),
        ]
        for name, stop in steps:
            await stop()
            log.info("stopping: %s stopped (%.0f ms)", name, (time.monotonic() - started) * 1000)

    def services(self, session: AsyncSession) -> Services:
        """The services of one transaction outside the pipeline (an API call), wired to this hub's
        configuration."""
        return Services.in_transaction(session, self.clock, wiring=self.wiring,
                                       wake_timers=self.timers.scheduled if self.timers is not None else None)

    async def healthy(self) -> bool:
        try:
            await once_more_if_dropped(self._select_one)
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            return False
        return await self.bus.ping()

    async def _select_one(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


def build_hub(config: Config, *, clock: Clock | None = None, understander: Understander | None = None,
              extra_channels: Sequence[Channel] = ()) -> Hub:
    clock = clock or SystemClock()
    engine = create_engine(config.database.url, automatic_checkpoints=False)
    sessions = session_factory(engine)
    bus = _bus(config)
    metrics = Metrics()
    renderer = Renderer()
    channels: dict[str, Channel] = {}
    wiring = hub_wiring(config)
    keeper = MediaKeeper(blobs=_blobs(config.media), max_bytes=config.media.max_bytes,
                         max_pixels=config.media.max_pixels)
    sender = OutboxSender(store=OutboxStore(sessions=sessions, clock=clock), channels=channels, renderer=renderer,
                          clock=clock, metrics=metrics,
                          dead=DeadLetters(sessions=sessions, clock=clock, wiring=wiring),
                          files=FilesOut(sessions=sessions, blobs=keeper.blobs, renderer=renderer, clock=clock,
                                         wiring=wiring))

    shared = config.bus.backend == "redis"
    budget = transaction_budget(engine.dialect.name, other_processes=shared)
    counted_in = budget_clock(engine.dialect.name, other_processes=shared)
    own_work_only = budget_own_work_only(engine.dialect.name, other_processes=shared)
    inbox = InboxStore(sessions=sessions, clock=clock)
    relay = InboxRelay(bus=bus, store=inbox)
    understander = understander or load_understander(config.nlp.model_path or None)
    timers = TimerWorker(sessions=sessions, clock=clock, jobs=default_timer_jobs(), wiring=wiring,
                         after_commit=sender.wake) if config.bus.process else None
    fetcher = MediaFetcher(queue=MediaQueue(sessions=sessions, clock=clock), keeper=keeper, channels=channels,
                           clock=clock, after_notice=sender.wake) if config.bus.process else None
    pipeline = Pipeline(sessions=sessions, inbox=inbox, wiring=wiring, understander=understander,
                        router=default_router(), clock=clock, metrics=metrics, after_commit=sender.wake,
                        transaction_budget=budget, budget_clock=counted_in, own_work_only=own_work_only,
                        sole_writer=sole_writer(engine.dialect.name, other_processes=shared),
                        wake_timers=timers.scheduled,
                        wake_media=fetcher.wake if fetcher is not None else None) if timers is not None else None
    workers = InboxWorkers(bus=bus, relay=relay, pipeline=pipeline)
    intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=relay.publish)
    hub = Hub(config=config, clock=clock, engine=engine, sessions=sessions, bus=bus, metrics=metrics, intake=intake,
              inbox=inbox, pipeline=pipeline, timers=timers,
              workers=workers, sender=sender, renderer=renderer, understander=understander, wiring=wiring,
              checkpointer=WalCheckpointer.for_engine(engine), lag=LoopLag(metrics.loop_lag), media=keeper,
              fetcher=fetcher, channels=channels,
              knowledge=KnowledgeRefresher(searcher=pipeline, config=config.kb, sessions=sessions, clock=clock)
              if pipeline is not None else None)
    for channel in [*_channels(config, hub), *extra_channels]:
        channels[channel.name] = channel
    return hub


def default_router() -> Router:
    """Every conversation job the hub knows; each serves the roles it declares."""
    return Router(handlers=[IntakeHandler(), SmalltalkHandler(), StatusHandler(), CancelHandler(), HandoverHandler(),
                            TechnicianHandler(), EscalationHandler(), SupervisorHandler(), QueueHandler(),
                            PauseHandler(), PartsHandler(), DutyHandler(), AppointmentHandler(),
                            TicketLookupHandler(), StaffDeskHandler(), ConfirmHandler(), SurveyHandler(),
                            KnowledgeHandler(), DeviceScanHandler(), DeviceCommandHandler(), LinkingHandler()],
                  fallbacks=[FallbackHandler(), StaffHelpHandler()])


def default_timer_jobs() -> list[TimerJob]:
    """Every job the hub does when a timer comes due."""
    return [SlaAlertJob(), AutoClose(), AskSurvey(), RemindSurvey(), ExpireSurvey(), ReportJob(), OfferTimeout(),
            PoolTimeout(), VisitReminder(), HandoverTimeout(), Undescribed()]


def hub_wiring(config: Config) -> Wiring:
    """What the services need of the configuration: the shared rooms staff alerts are posted to (from every
    configured channel that has one), the service levels, `[survey]`, the webhook subscribers, the handover timeout,
    how long a bare request waits for its description,
    `[reports]`, how long a job offer waits for an answer and technicians' default working hours, the labour rate,
    the channels it sends on (dispatch offers jobs only to technicians one of them reaches)."""
    webhooks = config.channel("webhooks")
    return Wiring(rooms=tuple(Room(name, section.alerts_room) for name, section in config.channels.items()
                              if section.enabled and section.alerts_room), sla=config.sla, survey=config.survey,
                  hooks=webhooks.urls if webhooks.enabled else (), handover_timeout=config.handover.timeout,
                  describe_wait=config.intake.describe_wait,
                  media_links=config.media.public_url.rstrip("/"), reports=config.reports,
                  accept_timeout=config.dispatch.accept_timeout,
                  labour_rate_cents=config.pricing.labour_rate_cents, working_hours=config.dispatch.shifts,
                  channels=config.configured_channels)


def default_partitions(database_url: str) -> int:
    return 1 if make_url(database_url).get_backend_name() == "sqlite" else 8


def _bus(config: Config) -> Bus:
    partitions = config.bus.partitions or default_partitions(config.database.url)
    if config.bus.backend == "redis":
        from core.redis_bus import RedisStreamsBus

        return RedisStreamsBus(url=config.bus.redis_url, partitions=partitions,
                               lease=config.bus.lease.total_seconds())
    return MemoryBus(partitions=partitions)


def _blobs(media: MediaConfig) -> BlobStore:
    if media.backend == "s3":
        from core.media.s3 import S3BlobStore

        return S3BlobStore(bucket=media.s3_bucket, endpoint_url=media.s3_endpoint_url, region=media.s3_region,
                           access_key=media.s3_access_key, secret_key=media.s3_secret_key, prefix=media.s3_prefix)
    return LocalBlobStore(root=Path(media.dir))


def _channels(config: Config, hub: Hub) -> list[Channel]:
    """Every platform whose config section is filled in (the web chat always); each is imported only then."""
    deps = ChannelDeps(intake=hub.accept, clock=hub.clock, cursors=DbCursorStore(sessions=hub.sessions, clock=hub.clock),
                       quarantine=DbQuarantineStore(sessions=hub.sessions, clock=hub.clock),
                       max_body_bytes=config.server.max_body_bytes,
                       redis_url=config.bus.redis_url if config.bus.backend == "redis" else None,
                       trusted_proxies=config.server.trusted_proxies, reachable=hub.sender.recipient_back)
    return [platform(name).build(section, deps) for name, section in config.channels.items() if section.enabled]
