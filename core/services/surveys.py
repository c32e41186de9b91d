"""Satisfaction surveys: scheduled when a ticket closes, sent by a timer after `[survey] delay`, reminded once,
expired after `[survey] expire`. A survey is answered in the thread its ticket came from, one question at a time
(CSAT, then NPS when configured, then an optional comment); each step is on the ticket's audit log.

A question that is out does not hold the conversation: the customer may write about anything else meanwhile, and
the survey waits until it expires. So the pipeline asks `waiting` for the thread (the batch's threads are fetched
together by `preload`)."""
from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Iterable

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.domain.surveys import SurveySettings, SurveyStatus, SurveyStep, SurveyView
from core.domain.tickets import Priority, TicketType, TicketView
from core.services.events import SURVEY_ANSWERED, EventService
from core.services.people import Contact
from core.services.tickets import TicketService
from core.services.timers import TimerService
from core.storage.among import Among, dialect_of
from core.storage.models import Survey, Ticket

ASK = "survey.ask"
REMIND = "survey.remind"
EXPIRE = "survey.expire"
"""Timer kinds; each timer's key is `<kind>:<ticket code>`, so each fires once per ticket."""
ACTOR = "system:survey"

_Thread = tuple[str, str, str]


class SurveyService:
    def __init__(self, *, session: AsyncSession, clock: Clock, tickets: TicketService, timers: TimerService,
                 settings: SurveySettings, events: EventService) -> None:
        """`events`: each score is also a `survey.answered` webhook event."""
        self._session = session
        self._clock = clock
        self._tickets = tickets
        self._timers = timers
        self._events = events
        self.settings = settings
        self._waiting: dict[_Thread, Survey | None] = {}
        self._rows: dict[str, Survey] = {}
        self._codes: dict[int, str] = {}
        """Ticket code per held row (by `id()`: new rows have no primary key before the flush)."""

    async def schedule(self, ticket: TicketView, customer: Contact) -> None:
        """After closure: the survey goes to `customer` once `delay` has passed."""
        if await self._find(ticket.code) is not None:
            return
        now = self._clock.now()
        row = Survey(ticket_id=await self._tickets.row_id(ticket), customer_id=ticket.customer_id,
                     channel=customer.channel, conversation=customer.conversation, recipient=customer.address,
                     locale=customer.locale, status=SurveyStatus.SCHEDULED, step=SurveyStep.CSAT, comment="",
                     created_at=now)
        self._session.add(row)
        self._keep(ticket.code, row)
        await self._timers.schedule(ASK, f"{ASK}:{ticket.code}", now + self.settings.delay, {"ticket": ticket.code})
        await self._tickets.record(ticket, ACTOR, "survey_scheduled", {}, {"at": (now + self.settings.delay)
                                                                           .isoformat()})

    async def ask(self, code: str) -> SurveyView | None:
        """The delay is over: the CSAT question goes out now (None if the survey is gone or already out)."""
        row = await self._find(code)
        if row is None or row.status != SurveyStatus.SCHEDULED:
            return None
        now = self._clock.now()
        row.status, row.step, row.asked_at = SurveyStatus.ASKED, SurveyStep.CSAT, now
        row.expires_at = now + self.settings.expire
        self._waiting[(row.channel, row.conversation, row.recipient)] = row
        if self.settings.remind:
            await self._timers.schedule(REMIND, f"{REMIND}:{code}", now + self.settings.remind, {"ticket": code})
        await self._timers.schedule(EXPIRE, f"{EXPIRE}:{code}", row.expires_at, {"ticket": code})
        await self._record(code, "survey_sent", {"expires_at": row.expires_at.isoformat()})
        return _view(code, row)

    async def remind(self, code: str) -> SurveyView | None:
        """The one reminder, if the survey still waits for its first answer."""
        row = await self._find(code)
        if row is None or row.status != SurveyStatus.ASKED or row.reminded_at is not None or row.csat is not None:
            return None
        row.reminded_at = self._clock.now()
        await self._record(code, "survey_reminded", {})
        return _view(code, row)

    async def expire(self, code: str) -> SurveyView | None:
        """Stop waiting; what was answered stays. None if the survey was finished before."""
        row = await self._find(code)
        if row is None or row.status not in (SurveyStatus.SCHEDULED, SurveyStatus.ASKED):
            return None
        row.status = SurveyStatus.ANSWERED if row.csat is not None else SurveyStatus.EXPIRED
        self._forget(row)
        await self._record(code, "survey_expired", {"step": row.step, "csat": row.csat, "nps": row.nps})
        return _view(code, row)

    async def preload(self, threads: Iterable[_Thread]) -> None:
        """Fetch the waiting surveys of these (channel, conversation, recipient) threads in one query."""
        wanted = set(threads) - self._waiting.keys()
        if not wanted:
            return
        self._waiting.update(dict.fromkeys(wanted))
        statement, threads = _asked(dialect_of(self._session))
        found = await self._session.execute(statement, threads.given(wanted))
        for row, code in found.tuples():
            row = self._keep(code, row)
            self._waiting[(row.channel, row.conversation, row.recipient)] = row

    async def waiting(self, channel: str, conversation: str, recipient: str) -> SurveyView | None:
        """The survey whose question is out in this thread, unless it has expired."""
        await self.preload([(channel, conversation, recipient)])
        row = self._waiting[(channel, conversation, recipient)]
        if row is None or row.status != SurveyStatus.ASKED or _expired(row, self._clock.now()):
            return None
        return _view(self._codes[id(row)], row)

    async def score(self, survey: SurveyView, score: int, remark: str = "") -> SurveyView:
        """The answer to the question out (CSAT or NPS); the next question is NPS (when asked for) or the comment.
        A `remark` written with the score ("师傅很专业，给5分") is the comment (after one given with the CSAT): it is not
        asked for again, and with no NPS question left the survey is done."""
        row = await self._require(survey.ticket)
        now = self._clock.now()
        if row.step == SurveyStep.CSAT:
            row.csat, row.answered_at = score, now
            row.step = SurveyStep.NPS if self.settings.nps else SurveyStep.COMMENT
        else:
            row.nps, row.step = score, SurveyStep.COMMENT
        if remark:
            row.comment = f"{row.comment}；{remark}" if row.comment else remark
        answered: dict[str, object] = {survey.step: score, "comment": remark} if remark else {survey.step: score}
        await self._record(survey.ticket, "survey_answered", answered)
        self._events.emit(SURVEY_ANSWERED, {"ticket": survey.ticket, "question": survey.step, "score": score,
                                            "csat": row.csat, "nps": row.nps})
        if row.step == SurveyStep.COMMENT and row.comment:
            self._answered(row)
        return _view(survey.ticket, row)

    async def remark(self, survey: SurveyView, text: str) -> SurveyView:
        """A remark on the service made while a score is asked for ("师傅挺好的，就是来得有点晚"): kept as the
        comment, so it is not asked for after the scores; the question stays out."""
        row = await self._require(survey.ticket)
        row.comment = f"{row.comment}；{text}" if row.comment else text
        await self._record(survey.ticket, "survey_answered", {"comment": text})
        return _view(survey.ticket, row)

    async def comment(self, survey: SurveyView, text: str) -> SurveyView:
        """The last step: the comment (empty when the customer declined to give one); the survey is done."""
        row = await self._require(survey.ticket)
        row.comment = text
        self._answered(row)
        await self._record(survey.ticket, "survey_answered", {"comment": text})
        return _view(survey.ticket, row)

    async def follow_up(self, survey: SurveyView, summary: str) -> TicketView:
        """A low score: a complaint ticket for staff to call the customer back, in the same thread, with the closed
        ticket's details; each ticket's audit log names the other. A ticket rather than a note on the closed one,
        because a ticket sits in the queue with an owner, a service level and a status until the call is made."""
        closed = await self._tickets.get(survey.ticket)
        if closed is None:
            raise LookupError(f"ticket {survey.ticket} does not exist")
        ticket = await self._tickets.open(
            customer_id=closed.customer_id, type=TicketType.COMPLAINT, priority=Priority.P2, channel=closed.channel,
            conversation=closed.conversation, text=summary, entities=closed.entities, sentiment="negative",
            actor=ACTOR, inbox_id=None)
        await self._tickets.record(ticket, ACTOR, "follow_up_of", {}, {"ticket": closed.code, "csat": survey.csat})
        await self._tickets.record(closed, ACTOR, "follow_up", {}, {"ticket": ticket.code, "csat": survey.csat})
        return ticket

    async def follow_up_of(self, survey: SurveyView) -> TicketView | None:
        """The follow-up ticket a low score opened, if any."""
        closed = await self._tickets.get(survey.ticket)
        if closed is None:
            return None
        found = await self._tickets.events(closed, "follow_up")
        return await self._tickets.get(str(found[-1]["ticket"])) if found else None

    async def of_ticket(self, code: str) -> SurveyView | None:
        row = await self._find(code)
        return None if row is None else _view(code, row)

    async def _record(self, code: str, action: str, after: dict[str, object]) -> None:
        ticket = await self._tickets.get(code)
        if ticket is not None:
            await self._tickets.record(ticket, ACTOR, action, {}, after)

    def _answered(self, row: Survey) -> None:
        """Every question is answered: the survey waits for nothing more."""
        row.status = SurveyStatus.ANSWERED
        self._forget(row)

    def _forget(self, row: Survey) -> None:
        self._waiting[(row.channel, row.conversation, row.recipient)] = None

    async def _require(self, code: str) -> Survey:
        row = await self._find(code)
        if row is None:
            raise LookupError(f"ticket {code} has no survey")
        return row

    async def _find(self, code: str) -> Survey | None:
        row = self._rows.get(code)
        if row is None:
            row = await self._session.scalar(select(Survey).join(Ticket, Ticket.id == Survey.ticket_id)
                                             .where(Ticket.code == code))
            if row is not None:
                row = self._keep(code, row)
        return row

    def _keep(self, code: str, row: Survey) -> Survey:
        """Hold the row (the session keeps only weak references to unchanged rows) with its ticket's code."""
        row = self._rows.setdefault(code, row)
        self._codes[id(row)] = code
        return row


@cache
def _asked(dialect: str) -> tuple[Select[tuple[Survey, str]], Among]:
    """The surveys whose question is out in the (channel, conversation, recipient) threads given, with their
    tickets' codes: every batch's preload, so built once per dialect."""
    threads = Among(dialect, [Survey.channel, Survey.conversation, Survey.recipient])
    return (select(Survey, Ticket.code).join(Ticket, Ticket.id == Survey.ticket_id)
            .where(threads.condition, Survey.status == SurveyStatus.ASKED).order_by(Survey.id)), threads


def _expired(row: Survey, now: datetime) -> bool:
    return row.expires_at is not None and row.expires_at <= now


def _view(code: str, row: Survey) -> SurveyView:
    return SurveyView(ticket=code, channel=row.channel, conversation=row.conversation, recipient=row.recipient,
                      locale=row.locale, status=row.status, step=row.step, csat=row.csat, nps=row.nps,
                      comment=row.comment)
