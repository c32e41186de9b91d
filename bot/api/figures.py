"""`/stats` for the dashboard and `/deliveries` (the outbox, dead letters included) for admins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.api import schemas as s
from bot.api.errors import bad_request, not_found
from bot.api.operations import Call, Operation
from core.services.deliveries import DeliveryView
from core.services.figures_sql import DAY, MONTH
from core.services.stats import PeriodCount, Ranked

DEFAULT_PERIOD = timedelta(days=30)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


DAYS_UP_TO = timedelta(days=92)
"""Longer periods are counted by month."""
LONGEST = timedelta(days=36_525)
"""A century: "since 2000" is all of a hub's history, while a thousand years is thousands of empty months to count,
send and draw."""
TOP = 10


async def stats(call: Call) -> s.Stats:
    q: s.StatsQuery = call.query
    now = call.hub.clock.now()
    until = _aware(q.until) if q.until is not None else now
    since = _aware(q.since) if q.since is not None else until - DEFAULT_PERIOD
    if since >= until:
        raise bad_request("since", "must be before until")
    if until - since > LONGEST:
        raise bad_request("since", f"at most {LONGEST.days} days before until")
    zone = call.hub.config.sla.timezone
    bucket = DAY if until - since <= DAYS_UP_TO else MONTH
    period = {"since": since, "until": until}
    timed = {**period, "zone": zone, "bucket": bucket}
    async with call.reading() as services:
        figures = services.stats
        volume = await figures.volume(**period)
        by_type = await figures.over_time("type", **timed)
        by_channel = await figures.over_time("channel", **timed)
        attainment = await figures.attainment(**period, now=now)
        satisfaction = await figures.satisfaction(**period)
        satisfaction_periods = await figures.satisfaction_over_time(**timed)
        products = await figures.top_entities("products", **period, limit=TOP)
        models = await figures.top_entities("models", **period, limit=TOP)
        repeats = await figures.repeat_repairs(**period, limit=TOP)
        knowledge = await figures.knowledge(**period)
        open_now = await figures.open_by_status()
        load = await figures.technician_load()
    periods = _periods(since, until, zone, bucket)
    return s.Stats(
        since=since, until=until, timezone=zone.key, total=volume.total, by_type=volume.by_type,
        by_channel=volume.by_channel, by_status=volume.by_status, open_by_status=open_now,
        volume_over_time=s.VolumeOverTime(bucket=bucket, periods=periods, by_type=_series(periods, by_type),
                                          by_channel=_series(periods, by_channel)),
        sla=[s.SlaAttainment(target=a.target, total=a.total, met=a.met, breached=a.breached, warned=a.warned,
                             attainment=a.rate) for a in attainment],  # type: ignore[arg-type]
        surveys_sent=satisfaction.sent, survey_response_rate=satisfaction.response_rate,
        csat_average=satisfaction.csat_average, nps=satisfaction.nps, kb_deflections=knowledge.deflections,
        satisfaction_over_time=[s.SatisfactionPeriod(period=p.period, answered=p.answered,
                                                     csat_average=p.csat_average, nps=p.nps,
                                                     nps_answers=p.nps_answers) for p in satisfaction_periods],
        top_products=[_ranked(r) for r in products], top_models=[_ranked(r) for r in models],
        repeat_repairs=[_ranked(r) for r in repeats],
        knowledge=s.KnowledgeFigures(answers=knowledge.answers, helpful=knowledge.helpful),
        technician_load=[s.TechnicianLoad(staff_id=x.staff_id, name=x.name, on_duty=x.on_duty, capacity=x.capacity,
                                          open_jobs=x.open_jobs) for x in load])


def _periods(since: datetime, until: datetime, zone: ZoneInfo, bucket: str) -> list[str]:
    """Every local day (or month) the period touches, as the database names them."""
    first, last = since.astimezone(zone).date(), (until - timedelta(microseconds=1)).astimezone(zone).date()
    if bucket == DAY:
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return [f"{month // 12:04d}-{month % 12 + 1:02d}"
            for month in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)]


def _series(periods: list[str], counts: list[PeriodCount]) -> dict[str, list[int]]:
    """Sparse (period, key, count) rows as one dense list per key, aligned with `periods`."""
    position = {period: n for n, period in enumerate(periods)}
    series: dict[str, list[int]] = {}
    for row in counts:
        series.setdefault(row.key, [0] * len(periods))[position[row.period]] = row.count
    return series


def _ranked(r: Ranked) -> s.Ranked:
    return s.Ranked(value=r.value, count=r.count)


def _delivery(d: DeliveryView) -> s.Delivery:
    return s.Delivery(id=d.id, channel=d.channel, recipient=d.recipient, template=d.what, status=d.status,
                      attempts=d.attempts, last_error=d.last_error, created_at=d.created_at,
                      next_attempt_at=d.next_attempt_at, sent_at=d.sent_at)


async def list_deliveries(call: Call) -> s.DeliveryPage:
    q: s.DeliveryQuery = call.query
    after = s.page_after(q)
    async with call.reading() as services:
        items, last = await services.deliveries.page(status=q.status, channel=q.channel, after=after, limit=q.limit)
    return s.DeliveryPage(items=[_delivery(d) for d in items], next=s.encode_cursor(last))


async def retry_delivery(call: Call) -> s.Delivery:
    async with call.writing() as services:
        retried = await services.deliveries.retry(int(call.path["id"]))
    if retried is None:
        raise not_found(f"dead delivery {call.path['id']}")
    return _delivery(retried)


OPERATIONS = (
    Operation(method="GET", path="/stats", summary="The dashboard's figures: volume by type, channel and status "
              "(per day too), open tickets, SLA attainment, CSAT and NPS, top products and models, repeat repairs, "
              "knowledge-base deflection, technician load", tag="stats", role="supervisor", handler=stats, query=s.StatsQuery,
              response=s.Stats, errors=(400,)),
    Operation(method="GET", path="/deliveries", summary="Outgoing messages and webhook deliveries, dead letters "
              "included", tag="deliveries", role="admin", handler=list_deliveries, query=s.DeliveryQuery,
              response=s.DeliveryPage, errors=(400,)),
    Operation(method="POST", path="/deliveries/{id}/retry", summary="Send a dead delivery again", tag="deliveries",
              role="admin", handler=retry_delivery, response=s.Delivery, errors=(404,), int_params=("id",)),
)
