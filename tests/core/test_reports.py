"""The daily and weekly summaries on SQLite and PostgreSQL with a fake clock: each goes out at its local time to
both alert rooms, once — however often the hub (re)starts and schedules them, and whichever process fires them —
with the figures `StatsService` (the one behind /api/v1/stats) gives for the same days; a bad `[reports]` value
stops the hub naming its key."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import default_timer_jobs
from bot.config import ConfigError, config_from_dict
from bot.timers import TimerWorker
from core.clock import FakeClock
from core.domain.reports import ReportSettings
from core.domain.surveys import SurveyStatus
from core.domain.tickets import Priority, TicketType
from core.services.alerts import Room
from core.services.unit import Services, Wiring
from core.sla.config import parse_sla
from core.storage.db import session_factory
from core.storage.models import OutboxRow, Survey, Timer
from templates.render import Renderer

ZONE = ZoneInfo("Asia/Shanghai")
SLA = parse_sla({"calendar": "24x7", "timezone": "Asia/Shanghai",
                 "policy": [{"first_response": "1h", "resolution": "1d"}]})
SETTINGS = ReportSettings(daily_at="08:30", weekly_on="monday", weekly_at="09:00")
WIRING = Wiring(rooms=(Room("slack", "C0ALERTS"), Room("wecom", "chat:ops")), sla=SLA, reports=SETTINGS)


def local(day: int, hour: int, minute: int = 0, *, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(timezone.utc)


class Desk:
    def __init__(self, engine: AsyncEngine, clock: FakeClock) -> None:
        self.sessions = session_factory(engine)
        self.clock = clock

    def worker(self) -> TimerWorker:
        """A timer worker as each hub process has its own."""
        return TimerWorker(sessions=self.sessions, clock=self.clock, jobs=default_timer_jobs(), wiring=WIRING,
                           after_commit=lambda: None)

    async def start(self) -> None:
        """What a hub does when it starts: schedule the next summaries."""
        async with self.sessions() as session, session.begin():
            await Services.in_transaction(session, self.clock, wiring=WIRING).reports.schedule(self.clock.now())

    async def open(self, n: int, text: str, *, entities: dict[str, list[str]], type: TicketType = TicketType.REPAIR,
                   csat: int | None = None, nps: int | None = None) -> None:
        async with self.sessions() as session, session.begin():
            services = Services.in_transaction(session, self.clock, wiring=WIRING)
            customer = await services.people.resolve(channel="webchat", sender=f"web:c{n}")
            ticket = await services.tickets.open(
                customer_id=customer.id, type=type, priority=Priority.P3, channel="webchat",
                conversation=f"web:c{n}", text=text, entities=entities, sentiment="neutral",
                actor=f"customer:{customer.id}", inbox_id=None)
            if csat is not None:
                now = self.clock.now()
                session.add(Survey(ticket_id=await services.tickets.row_id(ticket), customer_id=customer.id,
                                   channel="webchat", conversation=f"web:c{n}", recipient=f"web:c{n}",
                                   status=SurveyStatus.ANSWERED, csat=csat, nps=nps, created_at=now, asked_at=now,
                                   answered_at=now))

    async def until(self, at: datetime, *, workers: int = 1) -> list[dict[str, Any]]:
        """Move the clock to `at` and let `workers` processes fire what is due; the summaries queued, oldest first."""
        async with self.sessions() as session:
            before = set(await session.scalars(select(OutboxRow.id)))
        self.clock.advance((at - self.clock.now()).total_seconds())
        for _ in range(workers):
            await self.worker().fire_due()
        async with self.sessions() as session:
            rows = await session.scalars(select(OutboxRow).where(OutboxRow.id.not_in(before)).order_by(OutboxRow.id))
            return [row.payload for row in rows if row.payload["template"] == "report_summary"]

    async def figures(self, since: datetime, until: datetime) -> dict[str, Any]:
        async with self.sessions() as session:
            stats = Services.in_transaction(session, self.clock, wiring=WIRING).stats
            volume = await stats.volume(since=since, until=until)
            satisfaction = await stats.satisfaction(since=since, until=until)
            repeats = await stats.repeat_repairs(since=since, until=until)
            return {"total": volume.total, "csat": satisfaction.csat_average, "nps": satisfaction.nps,
                    "repeats": [(r.value, r.count) for r in repeats]}


async def _week(desk: Desk) -> None:
    """A hub running from the 20th: a ticket on Friday the 27th and three on Monday the 30th."""
    await desk.until(local(27, 10))
    await desk.open(1, "洗衣机不脱水 XQB80-1 SN 8800123", entities={"products": ["洗衣机"], "models": ["XQB80-1"],
                                                                  "serial_numbers": ["8800123"]}, csat=2, nps=3)
    await desk.until(local(30, 9))
    await desk.open(2, "洗衣机又不脱水了", entities={"products": ["洗衣机"], "models": ["XQB80-1"],
                                                  "serial_numbers": ["8800123"]}, csat=5, nps=10)
    await desk.open(3, "空调不制冷 KFR-35GW", entities={"products": ["空调"], "models": ["KFR-35GW"]}, csat=4, nps=9)
    await desk.until(local(30, 12))
    await desk.open(4, "开发票", entities={}, type=TicketType.INVOICE)


async def test_the_daily_summary_goes_out_once_at_its_time_with_the_stats_figures(engine: AsyncEngine,
                                                                                  clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    clock.advance((local(20, 12) - clock.now()).total_seconds())
    await desk.start()
    await _week(desk)
    assert await desk.until(local(1, 8, 29, month=12)) == [], "nothing before 08:30"
    await desk.start()  # a restart (or a second process starting) schedules nothing twice
    sent = await desk.until(local(1, 8, 30, month=12), workers=2)
    assert [(p["channel"], p["recipient"], p["template"]) for p in sent if p["data"]["report"] == "daily"] == [
        ("slack", "C0ALERTS", "report_summary"), ("wecom", "chat:ops", "report_summary")]
    data = sent[0]["data"]
    figures = await desk.figures(local(30, 0), local(1, 0, month=12))
    assert (data["first_day"], data["last_day"]) == ("2026-11-30", "2026-11-30")
    assert data["total"] == figures["total"] == 3
    assert data["types"] == [{"value": "repair", "count": 2}, {"value": "invoice", "count": 1}]
    assert data["surveys"]["csat"] == f"{figures['csat']:.1f}" == "4.5"
    assert data["surveys"]["nps"] == f"{figures['nps']:+.0f}" == "+100"
    assert sorted((r["value"], r["count"]) for r in data["products"]) == [("洗衣机", 1), ("空调", 1)]
    assert [(r["value"], r["count"]) for r in data["repeats"]] == figures["repeats"] == [("8800123", 2)]
    assert [(s["target"], s["breached"]) for s in data["sla"]] == [("first_response", 3), ("resolution", 0)]
    assert data["breaches"] == 3
    text = Renderer().render("report_summary", data, "zh").text
    assert "服务日报" in text and "新建工单：3" in text and "8800123（2 次）" in text and "CSAT 4.5/5" in text
    english = Renderer().render("report_summary", data, "en").text
    assert "Daily service summary: 2026-11-30" in english and "NPS +100" in english

    await desk.start()
    assert await desk.until(local(1, 20, month=12), workers=2) == [], "sent once, whatever starts and fires again"
    async with desk.sessions() as session:
        waiting = set(await session.scalars(select(Timer.key).where(Timer.status == "pending")))
    assert waiting >= {"report:daily:2026-12-02", "report:weekly:2026-12-07"}


async def test_the_weekly_summary_covers_the_seven_days_before_its_day_and_a_missed_daily_no_backlog(
        engine: AsyncEngine, clock: FakeClock) -> None:
    desk = Desk(engine, clock)
    clock.advance((local(20, 12) - clock.now()).total_seconds())
    await desk.start()
    await _week(desk)
    sent = await desk.until(local(7, 9, month=12))
    weekly = [p for p in sent if p["data"]["report"] == "weekly"]
    assert [p["recipient"] for p in weekly] == ["C0ALERTS", "chat:ops"]
    data = weekly[0]["data"]
    assert (data["first_day"], data["last_day"]) == ("2026-11-30", "2026-12-06")
    assert data["total"] == (await desk.figures(local(30, 0), local(7, 0, month=12)))["total"] == 3
    dailies = [p["data"]["first_day"] for p in sent if p["data"]["report"] == "daily"]
    assert dailies == ["2026-11-30", "2026-11-30"], "the one missed while time jumped a week, not a backlog"
    assert "服务周报 2026-11-30 至 2026-12-06" in Renderer().render("report_summary", data, "zh").subject


@pytest.mark.parametrize(("values", "key"), [({"daily_at": "8.30"}, "reports.daily_at"),
                                             ({"weekly_at": "25:00"}, "reports.weekly_at"),
                                             ({"weekly_on": "someday"}, "reports.weekly_on"),
                                             ({"locale": "fr"}, "reports.locale")])
def test_a_bad_reports_value_names_its_key(values: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        config_from_dict({"reports": values})


def test_reports_read_the_time_of_day_in_the_sla_time_zone() -> None:
    config = config_from_dict({"reports": {"daily_at": "08:30", "weekly_on": "Friday", "weekly_at": "17:00"},
                               "sla": {"timezone": "Europe/Berlin"}})
    berlin = ZoneInfo("Europe/Berlin")
    due = config.reports.next_due(datetime(2026, 11, 30, 12, tzinfo=timezone.utc), berlin)
    assert [(d.key, d.at.astimezone(berlin).isoformat()) for d in due] == [
        ("report:daily:2026-12-01", "2026-12-01T08:30:00+01:00"),
        ("report:weekly:2026-12-04", "2026-12-04T17:00:00+01:00")]
    assert not config_from_dict({}).reports.enabled
