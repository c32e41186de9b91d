"""The services of one transaction (the unit of work): what a message's handling may change, all committed
together with the inbox row it came from and the replies it caused."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.sla import SlaSettings
from core.domain.surveys import SurveySettings
from core.envelopes import Inbound
from core.services.alerts import AlertService, Room
from core.services.closure import ClosureService
from core.services.conversations import ConversationService
from core.services.dispatch import DispatchService
from core.services.intake import IntakeService
from core.services.knowledge import KnowledgeService
from core.services.people import PeopleService
from core.services.sla import SlaService
from core.services.surveys import SurveyService
from core.services.tickets import TicketService
from core.services.timers import TimerService
from core.sla.config import builtin_sla


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

    @classmethod
    def in_transaction(cls, session: AsyncSession, clock: Clock, *, rooms: Sequence[Room] = (),
                       sla: SlaSettings | None = None, wake_timers: Callable[[], None] | None = None,
                       survey: SurveySettings = SurveySettings()) -> Services:
        """One set per transaction: what the services keep in hand is valid only inside it. `rooms` are the shared
        alert rooms the hub's channels are configured with; `sla` the configured service levels (the built-in ones
        when not given); `wake_timers` is called after a commit that scheduled a timer; `survey` is `[survey]`
        (the reopen window, the survey's timing and questions)."""
        timers = TimerService(session=session, clock=clock, wake=wake_timers)
        clocks = SlaService(settings=sla or builtin_sla(), timers=timers, clock=clock)
        tickets = TicketService(session=session, clock=clock, sla=clocks)
        people = PeopleService(session=session, clock=clock)
        dispatch = DispatchService(session=session, tickets=tickets, people=people)
        surveys = SurveyService(session=session, clock=clock, tickets=tickets, timers=timers, settings=survey)
        return cls(tickets=tickets, people=people, conversations=ConversationService(session=session, clock=clock),
                   dispatch=dispatch, intake=IntakeService(tickets=tickets, people=people, dispatch=dispatch),
                   alerts=AlertService(people=people, rooms=rooms), timers=timers, sla=clocks, surveys=surveys,
                   closure=ClosureService(clock=clock, tickets=tickets, dispatch=dispatch, surveys=surveys,
                                          timers=timers, settings=survey),
                   knowledge=KnowledgeService(session=session, clock=clock))

    async def preload(self, inbounds: Sequence[Inbound]) -> None:
        """Fetch what a batch of messages will ask for (senders, thread states, open tickets) in a few queries
        instead of several per message."""
        await self.people.preload((i.channel, i.sender) for i in inbounds)
        await self.conversations.preload((i.channel, i.conversation, i.sender) for i in inbounds)
        await self.tickets.preload_open((i.channel, i.conversation) for i in inbounds)
        await self.surveys.preload((i.channel, i.conversation, i.sender) for i in inbounds)
