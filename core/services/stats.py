"""Figures for `/api/v1/stats`, the dashboard and the daily and weekly reports, counted by the database (GROUP BY
over indexed columns), never by loading tickets: tickets opened in a period by type, channel and status and per
local day, the open tickets now, SLA attainment, each technician's current load, what customers said of the service
(CSAT, NPS, survey response rate, per day too), the products and models most reported, repeat repairs of one
device, and how many questions the knowledge base settled on its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.people import PersonKind
from core.domain.sla import TARGETS
from core.domain.surveys import DETRACTOR_UP_TO, PROMOTER_FROM, Satisfaction, SurveyStatus
from core.domain.tickets import OPEN_STATUSES, TicketType
from core.services import figures_sql as sql
from core.services.dispatch import LOADED
from core.storage.models import KbAnswer, Staff, Survey, Ticket

REPEAT_WINDOW = timedelta(days=90)
"""A repair counts as a repeat when the same serial number had another repair this long before the period."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Load:
    staff_id: int
    name: str
    on_duty: bool
    capacity: int
    open_jobs: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodCount:
    period: str
    """The local day (`YYYY-MM-DD`) or month (`YYYY-MM`) in the time zone asked for."""
    key: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Attainment:
    """One SLA target over the tickets opened in a period that have it: met in time, breached (met late or still
    open past due), warned (reached the warning, not breached)."""

    target: str
    total: int
    met: int
    breached: int
    warned: int

    @property
    def rate(self) -> float | None:
        """Met in time among those decided (met or breached)."""
        decided = self.met + self.breached
        return self.met / decided if decided else None


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodSatisfaction:
    period: str
    answered: int
    csat_average: float | None
    nps: float | None
    nps_answers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranked:
    value: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeUse:
    """Knowledge-base answers sent in a period, those the customer found helpful, and the deflections (helpful,
    and no ticket opened for the question)."""

    answers: int
    helpful: int
    deflections: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume:
    total: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int]


class StatsService:
    def __init__(self, *, session: AsyncSession) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    async def volume(self, *, since: datetime, until: datetime) -> Volume:
        """Tickets opened in [since, until), counted three ways (the status is the one they have now)."""
        counts: dict[str, dict[str, int]] = {}
        for name, column in (("type", Ticket.type), ("channel", Ticket.channel), ("status", Ticket.status)):
            rows = await self._session.execute(
                select(column, func.count()).where(Ticket.created_at >= since, Ticket.created_at < until)
                .group_by(column).order_by(column))
            counts[name] = {str(key): int(n) for key, n in rows.all()}
        return Volume(total=sum(counts["type"].values()), by_type=counts["type"], by_channel=counts["channel"],
                      by_status=counts["status"])

    async def over_time(self, by: str, *, since: datetime, until: datetime, zone: ZoneInfo,
                        bucket: str = sql.DAY) -> list[PeriodCount]:
        """Tickets opened in [since, until) per local day (or month) in `zone` and per `type` or `channel`."""
        column = {"type": Ticket.type, "channel": Ticket.channel}[by]
        period = sql.local_period(Ticket.created_at, bucket, self._dialect, zone, since).label("period")
        rows = await self._session.execute(
            select(period, column, func.count()).where(Ticket.created_at >= since, Ticket.created_at < until)
            .group_by(period, column).order_by(period, column))
        return [PeriodCount(period=p, key=str(k), count=int(n)) for p, k, n in rows]

    async def open_by_status(self) -> dict[str, int]:
        """The tickets open now, whenever they were opened, by status."""
        rows = await self._session.execute(
            select(Ticket.status, func.count()).where(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(Ticket.status).order_by(Ticket.status))
        return {str(status): int(n) for status, n in rows}

    async def attainment(self, *, since: datetime, until: datetime, now: datetime) -> list[Attainment]:
        """Each SLA target over the tickets opened in [since, until), judged as of `now`, in one query."""
        columns = []
        for target in TARGETS:
            columns += [func.count().filter(getattr(Ticket, f"{target}_due_at").is_not(None)),
                        func.count().filter(sql.met(target, now)), func.count().filter(sql.breached(target, now)),
                        func.count().filter(sql.warned(target, now))]
        row = (await self._session.execute(
            select(*columns).where(Ticket.created_at >= since, Ticket.created_at < until))).one()
        return [Attainment(target=target, total=int(row[4 * n]), met=int(row[4 * n + 1]),
                           breached=int(row[4 * n + 2]), warned=int(row[4 * n + 3]))
                for n, target in enumerate(TARGETS)]

    async def top_entities(self, kind: str, *, since: datetime, until: datetime, limit: int = 10) -> list[Ranked]:
        """The values of one entity kind (`products`, `models`) on most tickets opened in [since, until)."""
        values = sql.entity_values(Ticket, kind, self._dialect)
        count = func.count(func.distinct(Ticket.id))
        rows = await self._session.execute(
            select(values.c.value, count).select_from(Ticket).join(values, sql.TRUE)
            .where(Ticket.created_at >= since, Ticket.created_at < until)
            .group_by(values.c.value).order_by(count.desc(), values.c.value).limit(limit))
        return [Ranked(value=str(v), count=int(n)) for v, n in rows]

    async def repeat_repairs(self, *, since: datetime, until: datetime, window: timedelta = REPEAT_WINDOW,
                             limit: int = 10) -> list[Ranked]:
        """Devices (by serial number) repaired more than once from `window` before the period to its end, with at
        least one of those repairs in the period; the most repaired first."""
        values = sql.entity_values(Ticket, "serial_numbers", self._dialect)
        repairs = func.count(func.distinct(Ticket.id))
        rows = await self._session.execute(
            select(values.c.value, repairs).select_from(Ticket).join(values, sql.TRUE)
            .where(Ticket.type == TicketType.REPAIR.value, Ticket.created_at >= since - window,
                   Ticket.created_at < until)
            .group_by(values.c.value).having(repairs > 1, func.max(Ticket.created_at) >= since)
            .order_by(repairs.desc(), values.c.value).limit(limit))
        return [Ranked(value=str(v), count=int(n)) for v, n in rows]

    async def technician_load(self) -> list[Load]:
        """Every technician with the jobs in hand that count against their capacity, as of now."""
        jobs = (select(Ticket.assignee_id, func.count().label("jobs"))
                .where(Ticket.status.in_([s.value for s in LOADED])).group_by(Ticket.assignee_id).subquery())
        rows = await self._session.execute(
            select(Staff.id, Staff.name, Staff.on_duty, Staff.capacity, func.coalesce(jobs.c.jobs, 0))
            .outerjoin(jobs, jobs.c.assignee_id == Staff.id)
            .where(Staff.role == PersonKind.TECHNICIAN.value).order_by(Staff.id))
        return [Load(staff_id=i, name=n, on_duty=bool(d), capacity=c, open_jobs=int(j)) for i, n, d, c, j in rows]

    async def satisfaction(self, *, since: datetime | None = None, until: datetime | None = None) -> Satisfaction:
        """Surveys sent in [since, until): how many, how many answered (a CSAT score), average CSAT and NPS."""
        query = _between(select(
            func.count(Survey.id), func.count(Survey.csat), func.avg(Survey.csat), func.count(Survey.nps),
            func.count(Survey.nps).filter(Survey.nps >= PROMOTER_FROM),
            func.count(Survey.nps).filter(Survey.nps <= DETRACTOR_UP_TO),
        ).where(Survey.status != SurveyStatus.SCHEDULED), Survey.asked_at, since, until)
        sent, answered, csat, nps_answers, promoters, detractors = (await self._session.execute(query)).one()
        nps = 100.0 * (promoters - detractors) / nps_answers if nps_answers else None
        return Satisfaction(sent=int(sent), answered=int(answered),
                            csat_average=None if csat is None else float(csat), nps=nps,
                            nps_answers=int(nps_answers))

    async def satisfaction_over_time(self, *, since: datetime, until: datetime, zone: ZoneInfo,
                                     bucket: str = sql.DAY) -> list[PeriodSatisfaction]:
        """`satisfaction` per local day (or month) the surveys were sent; periods without an answer are left out."""
        period = sql.local_period(Survey.asked_at, bucket, self._dialect, zone, since).label("period")
        rows = await self._session.execute(_between(select(
            period, func.count(Survey.csat), func.avg(Survey.csat), func.count(Survey.nps),
            func.count(Survey.nps).filter(Survey.nps >= PROMOTER_FROM),
            func.count(Survey.nps).filter(Survey.nps <= DETRACTOR_UP_TO),
        ).where(Survey.csat.is_not(None)), Survey.asked_at, since, until).group_by(period).order_by(period))
        return [PeriodSatisfaction(period=p, answered=int(answered), csat_average=None if csat is None else float(csat),
                                nps=100.0 * (promoters - detractors) / answers if answers else None,
                                nps_answers=int(answers))
                for p, answered, csat, answers, promoters, detractors in rows]

    async def knowledge(self, *, since: datetime | None = None, until: datetime | None = None) -> KnowledgeUse:
        helpful = KbAnswer.helpful.is_(True)
        answers, found_helpful, deflected = (await self._session.execute(_between(select(
            func.count(KbAnswer.id), func.count(KbAnswer.id).filter(helpful),
            func.count(KbAnswer.id).filter(helpful, KbAnswer.ticket_id.is_(None))),
            KbAnswer.answered_at, since, until))).one()
        return KnowledgeUse(answers=int(answers), helpful=int(found_helpful), deflections=int(deflected))

    async def deflections(self, *, since: datetime | None = None, until: datetime | None = None) -> int:
        """Knowledge-base answers the customer found helpful and no ticket was opened for."""
        return (await self.knowledge(since=since, until=until)).deflections


def _between(query: Select, column: object, since: datetime | None, until: datetime | None) -> Select:
    if since is not None:
        query = query.where(column >= since)  # type: ignore[operator]
    if until is not None:
        query = query.where(column < until)  # type: ignore[operator]
    return query
