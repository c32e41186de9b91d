"""The dashboard's figures on both stores, from rows written as they stand: per local day (China time), SLA
attainment judged by the same rule as a ticket's own state, the products and models most reported, repeat repairs
of one serial number, satisfaction per day and knowledge-base deflections."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.domain.sla import SlaState
from core.services import figures_sql as sql
from core.services.stats import StatsService
from core.storage.db import session_factory
from core.storage.models import Customer, KbAnswer, Survey, Ticket

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
SINCE, UNTIL = datetime(2026, 3, 1, tzinfo=CHINA), datetime(2026, 3, 11, tzinfo=CHINA)
H = timedelta(hours=1)


def ticket(n: int, at: datetime, **fields: Any) -> Ticket:
    values: dict[str, Any] = {"type": "repair", "priority": "P2", "status": "new", "channel": "webchat",
                              "summary": f"第{n}单", "entities": {}, **fields}
    return Ticket(code=f"SR-20260301-{n:04d}", customer_id=1, conversation=f"web:{n}", created_at=at, updated_at=at,
                  **values)


async def _write(engine, *groups: list[Any]) -> None:  # type: ignore[no-untyped-def]
    """The customer, then each group of rows in turn (a group may refer to the one before)."""
    async with session_factory(engine)() as session, session.begin():
        session.add(Customer(id=1, name="张先生", phone="13812345678", created_at=NOW))
        for rows in groups:
            await session.flush()
            session.add_all(rows)


async def _stats(engine):  # type: ignore[no-untyped-def]
    session = session_factory(engine)()
    return session, StatsService(session=session)


async def test_volume_per_local_day_and_open_tickets_now(engine) -> None:  # type: ignore[no-untyped-def]
    # 23:30 on 3 March in China is 15:30 UTC: it counts on the 3rd, not the 4th.
    await _write(engine, [
        ticket(1, datetime(2026, 3, 3, 15, 30, tzinfo=timezone.utc)),
        ticket(2, datetime(2026, 3, 3, 16, 30, tzinfo=timezone.utc), channel="wechat", status="closed"),
        ticket(3, datetime(2026, 3, 3, 17, 0, tzinfo=timezone.utc), type="invoice", status="assigned"),
        ticket(4, datetime(2026, 2, 20, tzinfo=timezone.utc), status="pending_parts"),
    ])
    session, stats = await _stats(engine)
    async with session:
        by_type = await stats.over_time("type", since=SINCE, until=UNTIL, zone=CHINA)
        by_channel = await stats.over_time("channel", since=SINCE, until=UNTIL, zone=CHINA)
        monthly = await stats.over_time("type", since=SINCE - 30 * 24 * H, until=UNTIL, zone=CHINA, bucket="month")
        assert [(d.period, d.key, d.count) for d in monthly] == [("2026-02", "repair", 1), ("2026-03", "invoice", 1),
                                                                 ("2026-03", "repair", 2)]
        assert [(d.period, d.key, d.count) for d in by_type] == [("2026-03-03", "repair", 1), ("2026-03-04", "invoice", 1),
                                                               ("2026-03-04", "repair", 1)]
        assert [(d.period, d.key, d.count) for d in by_channel] == [("2026-03-03", "webchat", 1),
                                                                  ("2026-03-04", "webchat", 1),
                                                                  ("2026-03-04", "wechat", 1)]
        assert await stats.open_by_status() == {"assigned": 1, "new": 1, "pending_parts": 1}


async def test_sla_attainment_and_the_queue_agree_on_each_tickets_state(engine) -> None:  # type: ignore[no-untyped-def]
    opened = NOW - 10 * H
    targets = {"first_response_warn_at": opened + 1 * H, "first_response_due_at": opened + 2 * H,
               "resolution_warn_at": opened + 8 * H, "resolution_due_at": opened + 20 * H}
    await _write(engine, [
        ticket(1, opened, **targets, first_response_at=opened + 0.5 * H, status="resolved",
               resolved_at=opened + 5 * H, clock_stopped_at=opened + 5 * H),          # both met, nothing warned
        ticket(2, opened, **targets, first_response_at=opened + 3 * H),               # late answer; resolution warns
        ticket(3, opened, **targets, status="pending_customer",
               clock_stopped_at=opened + 1.5 * H),                                    # paused while warned
        ticket(4, opened),                                                            # no policy
    ])
    session, stats = await _stats(engine)
    async with session:
        first, resolution = await stats.attainment(since=SINCE, until=UNTIL, now=NOW)
        assert (first.total, first.met, first.breached, first.warned) == (3, 1, 1, 1)
        assert first.rate == 0.5
        assert (resolution.total, resolution.met, resolution.breached, resolution.warned) == (3, 1, 0, 1)
        states = {}
        for state in SlaState:
            codes = await session.scalars(select(Ticket.code).where(sql.in_state(state, NOW)).order_by(Ticket.id))
            states[state.value] = [c[-1] for c in codes]
        assert states == {"ok": ["1", "4"], "warning": ["3"], "breached": ["2"]}


async def test_top_products_models_and_repeat_repairs(engine) -> None:  # type: ignore[no-untyped-def]
    day = NOW - 24 * H
    await _write(engine, [
        ticket(1, day, entities={"products": ["洗衣机"], "models": ["XQG80"], "serial_numbers": ["SN1"]}),
        ticket(2, day, entities={"products": ["洗衣机", "烘干机"], "models": ["XQG80"]}),
        ticket(3, day, entities={"products": ["空调"], "serial_numbers": ["SN2"]}),
        ticket(4, day - 40 * 24 * H, entities={"serial_numbers": ["SN1"]}),           # SN1 repaired before
        ticket(5, day - 200 * 24 * H, entities={"serial_numbers": ["SN2"]}),          # too long ago to count
        ticket(6, day, type="installation", entities={"serial_numbers": ["SN2"]}),    # not a repair
    ])
    session, stats = await _stats(engine)
    async with session:
        products = await stats.top_entities("products", since=SINCE, until=UNTIL)
        assert [(r.value, r.count) for r in products] == [("洗衣机", 2), ("烘干机", 1), ("空调", 1)]
        models = await stats.top_entities("models", since=SINCE, until=UNTIL, limit=1)
        assert [(r.value, r.count) for r in models] == [("XQG80", 2)]
        repeats = await stats.repeat_repairs(since=SINCE, until=UNTIL)
        assert [(r.value, r.count) for r in repeats] == [("SN1", 2)]


async def test_satisfaction_per_day_and_knowledge_use(engine) -> None:  # type: ignore[no-untyped-def]
    day1, day2 = datetime(2026, 3, 5, 2, tzinfo=timezone.utc), datetime(2026, 3, 6, 2, tzinfo=timezone.utc)
    tickets = [ticket(n, day1, status="closed") for n in range(1, 5)]

    def survey(n: int, asked: datetime, csat: int | None, nps: int | None) -> Survey:
        return Survey(ticket_id=n, customer_id=1, channel="webchat", conversation=f"web:{n}", recipient=f"web:{n}",
                      status="answered" if csat else "asked", csat=csat, nps=nps, created_at=asked, asked_at=asked)

    def answer(helpful: bool | None, ticket_id: int | None) -> KbAnswer:
        return KbAnswer(customer_id=1, channel="webchat", conversation="web:1", question="怎么退货",
                        article_id="return-policy", score=0.8, helpful=helpful, ticket_id=ticket_id,
                        answered_at=day1)

    await _write(engine, tickets, [survey(1, day1, 5, 10), survey(2, day1, 2, 3), survey(3, day2, 4, None),
                          survey(4, day2, None, None), answer(True, None), answer(True, 1), answer(False, None)])
    session, stats = await _stats(engine)
    async with session:
        days = await stats.satisfaction_over_time(since=SINCE, until=UNTIL, zone=CHINA)
        assert [(d.period, d.answered, d.csat_average, d.nps, d.nps_answers) for d in days] == [
            ("2026-03-05", 2, 3.5, 0.0, 2), ("2026-03-06", 1, 4.0, None, 0)]
        use = await stats.knowledge(since=SINCE, until=UNTIL)
        assert (use.answers, use.helpful, use.deflections) == (3, 2, 1)
        assert await stats.deflections() == 1
        assert await session.scalar(select(func.count()).select_from(Survey)) == 4
