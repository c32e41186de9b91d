"""The services of one transaction (the unit of work): what a message's handling — or an API call — may change,
all committed together with the inbox row it came from and the messages it caused."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.calendar import Shift
from core.domain.details import DESCRIBE_WAIT
from core.domain.reports import ReportSettings
from core.domain.sla import SlaSettings
from core.domain.surveys import SurveySettings
from core.envelopes import Inbound
from core.services.alerts import AlertService, Room
from core.services.appointments import DEFAULT_HOURS, AppointmentService
from core.services.closure import ClosureService
from core.services.conversations import ConversationService
from core.services.costs import CostService
from core.services.customers import CustomerService
from core.services.deliveries import DeliveryService
from core.services.devices import DeviceService
from core.services.dispatch import ACCEPT_TIMEOUT, DispatchService
from core.services.events import EventService
from core.services.handover import DEFAULT_TIMEOUT, HandoverService
from core.services.intake import IntakeService
from core.services.jobsheet import JobSheetService
from core.services.knowledge import KnowledgeService
from core.services.linking import LinkingService
from core.services.media import MediaService
from core.services.merges import MergeService
from core.services.parts import PartsService
from core.services.people import PeopleService
from core.services.reports import ReportService
from core.services.sla import SlaService
from core.services.staff import StaffService
from core.services.stats import StatsService
from core.services.surveys import SurveyService
from core.services.ticket_queries import TicketQueries
from core.services.tickets import TicketService
from core.services.timers import TimerService
from core.sla.config import builtin_sla


@dataclass(frozen=True, slots=True, kw_only=True)
class Wiring:
    """What the hub's configuration tells the services: the shared alert rooms of its channels, the service levels
    (the built-in ones when None), `[survey]` (the reopen window, the survey's timing and questions), the webhook
    subscribers, how long a conversation stays with a person while nobody writes, when the summaries go out, and how
    long a job offer waits for an answer before it moves on."""

    rooms: tuple[Room, ...] = ()
    sla: SlaSettings | None = None
    survey: SurveySettings = field(default_factory=SurveySettings)
    hooks: tuple[str, ...] = ()
    handover_timeout: timedelta = DEFAULT_TIMEOUT
    describe_wait: timedelta = DESCRIBE_WAIT
    """How long a bare request waits for its description (`[intake] describe_wait`)."""
    media_links: str = ""
    """Where customers' links to shared files start (`[media] public_url`)."""
    reports: ReportSettings = field(default_factory=ReportSettings)
    accept_timeout: timedelta = ACCEPT_TIMEOUT
    labour_rate_cents: int = 0
    """What an hour of labour costs out of warranty (`[pricing] labour_rate`), in fen."""
    working_hours: tuple[Shift, ...] = DEFAULT_HOURS
    """Technicians' working hours where their own are not set (`[dispatch] working_hours`): visits are offered in
    them."""
    channels: frozenset[str] = frozenset()
    """The channels this hub sends on (configured here): one-time codes go nowhere else, and job offers only to
    technicians reached on one of them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    tickets: TicketService
    people: PeopleService
    conversations: ConversationService
    dispatch: DispatchService
    intake: IntakeService
    alerts: AlertService
    timers: TimerService
    sla: SlaService
    surveys: SurveyService
    closure: ClosureService
    knowledge: KnowledgeService
    events: EventService
    handovers: HandoverService
    staff: StaffService
    customers: CustomerService
    queries: TicketQueries
    stats: StatsService
    deliveries: DeliveryService
    media: MediaService
    reports: ReportService
    parts: PartsService
    appointments: AppointmentService
    devices: DeviceService
    merges: MergeService
    linking: LinkingService
    costs: CostService
    jobsheets: JobSheetService

    @classmethod
    def in_transaction(cls, session: AsyncSession, clock: Clock, *, wiring: Wiring = Wiring(),
                       wake_timers: Callable[[datetime], None] | None = None) -> Services:
        """One set per transaction: what the services keep in hand is valid only inside it. `wake_timers` is called
        after a commit that scheduled a timer, with the earliest due time it scheduled."""
        timers = TimerService(session=session, clock=clock, wake=wake_timers)
        sla = wiring.sla or builtin_sla()
        clocks = SlaService(settings=sla, timers=timers, clock=clock)
        stats = StatsService(session=session)
        events = EventService(session=session, clock=clock, urls=wiring.hooks)
        tickets = TicketService(session=session, clock=clock, sla=clocks, events=events)
        people = PeopleService(session=session, clock=clock)
        conversations = ConversationService(session=session, clock=clock)
        dispatch = DispatchService(session=session, tickets=tickets, people=people, timers=timers, clock=clock,
                                   channels=wiring.channels, accept_timeout=wiring.accept_timeout)
        surveys = SurveyService(session=session, clock=clock, tickets=tickets, timers=timers, settings=wiring.survey,
                                events=events)
        handovers = HandoverService(session=session, clock=clock, tickets=tickets, people=people,
                                    conversations=conversations, timers=timers, timeout=wiring.handover_timeout)
        devices = DeviceService(session=session, clock=clock, tickets=tickets)
        merges = MergeService(session=session, clock=clock, tickets=tickets, devices=devices)
        parts = PartsService(session=session, clock=clock, tickets=tickets)
        return cls(tickets=tickets, people=people, conversations=conversations, dispatch=dispatch,
                   intake=IntakeService(tickets=tickets, people=people, dispatch=dispatch, devices=devices,
                                        describe_wait=wiring.describe_wait),
                   alerts=AlertService(people=people, rooms=wiring.rooms), timers=timers, sla=clocks,
                   surveys=surveys, closure=ClosureService(clock=clock, tickets=tickets, dispatch=dispatch,
                                                           surveys=surveys, timers=timers, settings=wiring.survey),
                   knowledge=KnowledgeService(session=session, clock=clock), events=events, handovers=handovers,
                   staff=StaffService(session=session, clock=clock, people=people),
                   customers=CustomerService(session=session, clock=clock),
                   queries=TicketQueries(session=session, clock=clock, handovers=handovers, surveys=surveys),
                   stats=stats, deliveries=DeliveryService(session=session, clock=clock),
                   media=MediaService(session=session, clock=clock, links=wiring.media_links),
                   reports=ReportService(stats=stats, timers=timers, settings=wiring.reports, zone=sla.timezone),
                   parts=parts,
                   appointments=AppointmentService(session=session, clock=clock, tickets=tickets, timers=timers,
                                                   working_hours=wiring.working_hours),
                   devices=devices, merges=merges,
                   linking=LinkingService(session=session, clock=clock, people=people, merges=merges,
                                          channels=wiring.channels),
                   costs=CostService(session=session),
                   jobsheets=JobSheetService(tickets=tickets, parts=parts, devices=devices,
                                             labour_rate_cents=wiring.labour_rate_cents))

    async def preload(self, inbounds: Sequence[Inbound], *,
                      between: Callable[[], Awaitable[None]] | None = None,
                      naming_models: Sequence[Inbound] = (), asking_tickets: Sequence[Inbound] = ()) -> None:
        """Fetch what a batch of messages will ask for (senders, thread states, open tickets and who declined or was
        offered those a detail may dispatch, the devices of the senders of `naming_models`, those of them that name a
        model, and the newest tickets of the senders of `asking_tickets`, status queries and reports) in a few
        queries instead of several per message; the senders never seen before become customers together. `between`
        is awaited before each of these steps (to let the event loop's other tasks run: the caller's read of the
        batch and the new customers' inserts made one step of up to 20 ms together)."""
        async def admit() -> None:
            await self.people.admit((i.channel, i.sender, i.display_name) for i in inbounds)
            self.tickets.new_customers(self.people.created)

        steps = [admit,
                 lambda: self.conversations.preload((i.channel, i.conversation, i.sender) for i in inbounds),
                 lambda: self.tickets.preload_open((i.channel, i.conversation) for i in inbounds),
                 lambda: self.dispatch.preload_answers((i.channel, i.conversation) for i in inbounds),
                 lambda: self.surveys.preload((i.channel, i.conversation, i.sender) for i in inbounds)]
        if naming_models:
            steps.append(lambda: self.devices.preload_owned(
                self.people.customers_among((i.channel, i.sender) for i in naming_models)))
        if asking_tickets:
            steps.append(lambda: self.tickets.preload_newest(
                self.people.customers_among((i.channel, i.sender) for i in asking_tickets)))
        for step in steps:
            if between is not None:
                await between()
            await step()
