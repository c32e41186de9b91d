"""Figures for `/api/v1/stats` and the dashboard, counted by the database (GROUP BY), never by loading tickets: tickets
opened in a period by type, channel and status, each technician's current load, what customers said of the service
(CSAT, NPS, survey response rate) and how many questions the knowledge base settled on its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.people import PersonKind
from core.domain.surveys import DETRACTOR_UP_TO, PROMOTER_FROM, Satisfaction, SurveyStatus
from core.services.dispatch import LOADED
from core.storage.models import KbAnswer, Staff, Survey, Ticket


@dataclass(frozen=True, slots=True, kw_only=True)
class Load:
    staff_id: int
    name: str
    on_duty: bool
    capacity: int
    open_jobs: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume:
    total: int
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int]


class StatsService:
    def __init__(self, *, session: AsyncSession) -> None:
        self._session = session

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

    async def deflections(self, *, since: datetime | None = None, until: datetime | None = None) -> int:
        """Knowledge-base answers the customer found helpful and no ticket was opened for."""
        query = _between(select(func.count(KbAnswer.id)).where(KbAnswer.helpful.is_(True),
                                                               KbAnswer.ticket_id.is_(None)),
                         KbAnswer.answered_at, since, until)
        return int(await self._session.scalar(query) or 0)



def _between(query: Select, column: object, since: datetime | None, until: datetime | None) -> Select:
    if since is not None:
        query = query.where(column >= since)  # type: ignore[operator]
    if until is not None:
        query = query.where(column < until)  # type: ignore[operator]
    return query
