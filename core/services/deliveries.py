"""The outbox as staff see it: what is queued, sent and dead-lettered on each channel (webhook deliveries
included), and a dead delivery sent again once the cause is fixed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.storage.models import OutboxRow, OutboxStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryView:
    id: int
    channel: str
    recipient: str
    what: str
    """The message template, or the event type of a webhook delivery."""
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


class DeliveryService:
    def __init__(self, *, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def page(self, *, status: str | None, channel: str | None, after: int | None,
                   limit: int) -> tuple[list[DeliveryView], int | None]:
        """Newest first; the id to continue after, None on the last page."""
        query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit + 1)
        if status is not None:
            query = query.where(OutboxRow.status == status)
        if channel is not None:
            query = query.where(OutboxRow.channel == channel)
        if after is not None:
            query = query.where(OutboxRow.id < after)
        rows = list(await self._session.scalars(query))
        return [_view(r) for r in rows[:limit]], rows[limit - 1].id if len(rows) > limit else None

    async def retry(self, delivery_id: int) -> DeliveryView | None:
        """A dead delivery goes back in the queue with fresh attempts; None when there is no dead one by that id."""
        changed = await self._session.execute(
            update(OutboxRow).where(OutboxRow.id == delivery_id, OutboxRow.status == OutboxStatus.DEAD)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=self._clock.now())
            .execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            return None
        row = await self._session.get_one(OutboxRow, delivery_id, populate_existing=True)
        return _view(row)


def _view(row: OutboxRow) -> DeliveryView:
    payload = row.payload or {}
    body = (payload.get("data") or {}).get("body") or {}
    return DeliveryView(id=row.id, channel=row.channel, recipient=row.recipient,
                        what=str(payload.get("template") or body.get("type") or ""), status=row.status,
                        attempts=row.attempts, last_error=row.last_error, created_at=row.created_at,
                        next_attempt_at=row.next_attempt_at, sent_at=row.sent_at)
