"""The daily and weekly summaries: each scheduled as a durable timer keyed by the report (core.domain.reports), so it
goes out once ever across restarts and processes, and its figures counted by the same `StatsService` that answers
`/api/v1/stats` — a summary and the dashboard for the same days agree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.domain.reports import Due, ReportKind, ReportSettings, covered
from core.domain.surveys import Satisfaction
from core.services.stats import Attainment, Ranked, StatsService, Volume
from core.services.timers import TimerService

REPORT_TIMER = "report"
"""The timer kind of the summaries; payload `{"report": "daily" | "weekly", "day": "YYYY-MM-DD"}`."""
TOP = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """What one report says, for tickets opened (and surveys sent) in [since, until)."""

    kind: ReportKind
    since: datetime
    until: datetime
    volume: Volume
    attainment: list[Attainment]
    satisfaction: Satisfaction
    products: list[Ranked]
    models: list[Ranked]
    repeat_repairs: list[Ranked]


class ReportService:
    def __init__(self, *, stats: StatsService, timers: TimerService, settings: ReportSettings,
                 zone: ZoneInfo) -> None:
        self.settings = settings
        self.zone = zone
        self._stats = stats
        self._timers = timers

    async def schedule(self, now: datetime) -> None:
        """The next report of each kind that is on (at start: one already pending, e.g. missed while the hub was
        down, stays and goes out now; one already sent is never scheduled again)."""
        for due in self.settings.next_due(now, self.zone):
            await self._schedule(due)

    async def schedule_after(self, kind: ReportKind, day: date, *, now: datetime) -> None:
        """The report that follows the one sent on `day` (none already past `now`), in the transaction that sends
        it."""
        await self._schedule(self.settings.following(kind, day, self.zone, now=now))

    async def summary(self, kind: ReportKind, day: date, *, now: datetime) -> Summary:
        """The figures of the report sent on local `day`; SLA targets judged as of `now`."""
        since, until = covered(kind, day, self.zone)
        period = {"since": since, "until": until}
        return Summary(kind=kind, since=since, until=until, volume=await self._stats.volume(**period),
                       attainment=await self._stats.attainment(**period, now=now),
                       satisfaction=await self._stats.satisfaction(**period),
                       products=await self._stats.top_entities("products", **period, limit=TOP),
                       models=await self._stats.top_entities("models", **period, limit=TOP),
                       repeat_repairs=await self._stats.repeat_repairs(**period, limit=TOP))

    async def _schedule(self, due: Due) -> None:
        await self._timers.schedule(REPORT_TIMER, due.key, due.at, {"report": due.kind.value,
                                                                    "day": due.day.isoformat()})
