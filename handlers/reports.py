"""The daily and weekly summaries, fired by their timers (core.services.reports): posted to the shared alert rooms
where supervisors already are, and the next one of the same kind scheduled in the same transaction."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.reports import ReportKind
from core.envelopes import Outbound
from core.services.alerts import Audience
from core.services.reports import REPORT_TIMER, Summary
from core.services.stats import Ranked
from handlers.base import TimerContext
from templates import phrases

TOP_TYPES = 5


class ReportJob:
    kind = REPORT_TIMER

    async def fire(self, due: TimerContext) -> list[Outbound]:
        reports = due.services.reports
        kind, day = ReportKind(due.payload["report"]), date.fromisoformat(due.payload["day"])
        if not reports.settings.sends(kind):
            return []
        await reports.schedule_after(kind, day, now=due.now)
        summary = await reports.summary(kind, day, now=due.now)
        return await due.services.alerts.alert(Audience(rooms=True), template="report_summary",
                                               data=report_data(summary, reports.zone, reports.settings.locale),
                                               key=due.key("report"),
                                               locale=reports.settings.locale)


def report_data(summary: Summary, zone: ZoneInfo, locale: str) -> dict[str, Any]:
    """The summary as the template shows it: local days, channels by their names in `locale`, rates as
    percentages, the longest lists cut short."""
    channel_names = phrases(locale, "channels")
    types = sorted(summary.volume.by_type.items(), key=lambda item: (-item[1], item[0]))[:TOP_TYPES]
    satisfaction = summary.satisfaction
    return {
        "report": summary.kind.value, "first_day": _day(summary.since, zone),
        "last_day": _day(summary.until - timedelta(microseconds=1), zone), "timezone": zone.key,
        "total": summary.volume.total, "types": [{"value": t, "count": n} for t, n in types],
        "channels": [{"value": channel_names.get(c, c), "count": n}
                     for c, n in sorted(summary.volume.by_channel.items())],
        "sla": [{"target": a.target, "total": a.total, "met": a.met, "breached": a.breached, "warned": a.warned,
                 "rate": "" if a.rate is None else f"{a.rate:.0%}"} for a in summary.attainment],
        "breaches": sum(a.breached for a in summary.attainment),
        "surveys": {"sent": satisfaction.sent, "answered": satisfaction.answered,
                    "csat": "" if satisfaction.csat_average is None else f"{satisfaction.csat_average:.1f}",
                    "nps": "" if satisfaction.nps is None else f"{satisfaction.nps:+.0f}"},
        "products": _ranked(summary.products), "models": _ranked(summary.models),
        "repeats": _ranked(summary.repeat_repairs),
    }


def _ranked(rows: list[Ranked]) -> list[dict[str, Any]]:
    return [{"value": r.value, "count": r.count} for r in rows]


def _day(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).date().isoformat()
