"""`/stats` for the dashboard and `/deliveries` (the outbox, dead letters included) for admins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.api import schemas as s
from bot.api.errors import bad_request, not_found
from bot.api.operations import Call, Operation
from core.services.deliveries import DeliveryView

DEFAULT_PERIOD = timedelta(days=30)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


async def stats(call: Call) -> s.Stats:
    q: s.StatsQuery = call.query
    until = _aware(q.until) if q.until is not None else call.hub.clock.now()
    since = _aware(q.since) if q.since is not None else until - DEFAULT_PERIOD
    if since >= until:
        raise bad_request("since", "must be before until")
    async with call.reading() as services:
        volume = await services.stats.volume(since=since, until=until)
        load = await services.stats.technician_load()
        said = await services.stats.satisfaction(since=since, until=until)
        deflected = await services.stats.deflections(since=since, until=until)
    return s.Stats(since=since, until=until, total=volume.total, by_type=volume.by_type,
                   by_channel=volume.by_channel, by_status=volume.by_status,
                   technician_load=[s.TechnicianLoad(staff_id=x.staff_id, name=x.name, on_duty=x.on_duty,
                                                     capacity=x.capacity, open_jobs=x.open_jobs) for x in load],
                   surveys_sent=said.sent, survey_response_rate=said.response_rate, csat_average=said.csat_average,
                   nps=said.nps, kb_deflections=deflected)


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
    Operation(method="GET", path="/stats", summary="Volume by type, channel and status; technician load; CSAT, NPS "
              "and knowledge-base deflections",
              tag="stats", role="supervisor", handler=stats, query=s.StatsQuery, response=s.Stats, errors=(400,)),
    Operation(method="GET", path="/deliveries", summary="Outgoing messages and webhook deliveries, dead letters "
              "included", tag="deliveries", role="admin", handler=list_deliveries, query=s.DeliveryQuery,
              response=s.DeliveryPage, errors=(400,)),
    Operation(method="POST", path="/deliveries/{id}/retry", summary="Send a dead delivery again", tag="deliveries",
              role="admin", handler=retry_delivery, response=s.Delivery, errors=(404,), int_params=("id",)),
)
