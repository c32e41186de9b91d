"""Figures for `/api/v1/stats` and the dashboard, computed in the database over a period: what customers said of the
service (CSAT, NPS, survey response rate) and how many questions the knowledge base settled on its own."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.domain.surveys import DETRACTOR_UP_TO, PROMOTER_FROM, Satisfaction, SurveyStatus
from core.storage.models import KbAnswer, Survey


class StatsService:
    def __init__(self, *, session: AsyncSession) -> None:
        self._session = session

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
