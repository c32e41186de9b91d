"""The download queue: `pending` attachment rows, due at `next_attempt_at`. A fetcher claims a row by moving its due
time a lease ahead (so another process, or a crash, never loses it: the lease runs out and it is claimed again),
fetches outside any transaction, then records the outcome. Failures are retried with backoff until `fetch_until`
(WeChat media ids live three days); a file refused for good or gone tells the customer, in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.envelopes import Inbound, Outbound
from core.media.keeper import Kept
from core.outbox import enqueue
from core.storage.models import Customer, InboxRow, MediaAttachment, MediaStatus

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
NOTE_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class DueFetch:
    id: int
    inbox_id: int | None
    customer_id: int | None
    channel: str
    account: str
    kind: str
    name: str
    source: str
    declared_type: str
    attempts: int
    fetch_until: datetime | None


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … up to an hour between attempts."""
    return min(timedelta(seconds=5 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class MediaQueue:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], clock: Clock, lease: timedelta = LEASE) -> None:
        self._sessions = sessions
        self._clock = clock
        self._lease = lease

    async def next_due(self) -> datetime | None:
        async with self._sessions() as session:
            return await session.scalar(select(func.min(MediaAttachment.next_attempt_at))
                                        .where(MediaAttachment.status == MediaStatus.PENDING))

    async def pending_sources(self, channel: str) -> set[str]:
        """What `channel`'s attachments still waiting to be fetched name as their source."""
        async with self._sessions() as session:
            return set(await session.scalars(select(MediaAttachment.source).distinct().where(
                MediaAttachment.channel == channel, MediaAttachment.status == MediaStatus.PENDING)))

    async def claim(self, limit: int) -> list[DueFetch]:
        """Up to `limit` due downloads, each claimed for `LEASE` (a row another fetcher claimed first is skipped)."""
        now = self._clock.now()
        media = MediaAttachment
        async with self._sessions() as session, session.begin():
            rows = list(await session.scalars(select(media).where(media.status == MediaStatus.PENDING,
                                                                  media.next_attempt_at <= now)
                                              .order_by(media.next_attempt_at, media.id).limit(limit)))
            claimed = []
            for row in rows:
                result = await session.execute(
                    update(media).where(media.id == row.id, media.status == MediaStatus.PENDING,
                                        media.next_attempt_at == row.next_attempt_at)
                    .values(next_attempt_at=now + self._lease, attempts=media.attempts + 1)
                    .execution_options(synchronize_session=False))
                if result.rowcount == 1:
                    claimed.append(DueFetch(id=row.id, inbox_id=row.inbox_id, customer_id=row.customer_id,
                                            channel=row.channel, account=row.account, kind=row.kind, name=row.name,
                                            source=row.source, declared_type=row.declared_type,
                                            attempts=row.attempts + 1, fetch_until=row.fetch_until))
        return claimed

    async def stored(self, fetch: DueFetch, kept: Kept) -> None:
        async with self._sessions() as session, session.begin():
            await self._set(session, fetch, status=MediaStatus.STORED, sha256=kept.sha256,
                            thumbnail_sha256=kept.thumbnail_sha256, content_type=kept.content_type, size=kept.size,
                            stored_at=self._clock.now(), next_attempt_at=None, note="")

    async def retry(self, fetch: DueFetch, error: str, *, after: float | None = None) -> bool:
        """Try again later; past `fetch_until` the file is given up as gone (the customer is asked to resend).
        Returns True when given up."""
        now = self._clock.now()
        due = now + max(backoff(fetch.attempts), timedelta(seconds=after or 0))
        if fetch.fetch_until is not None and due > fetch.fetch_until:
            await self.give_up(fetch, MediaStatus.GONE, f"not fetched in time: {error}")
            return True
        async with self._sessions() as session, session.begin():
            await self._set(session, fetch, next_attempt_at=due, note=error[:NOTE_LENGTH])
        return False

    async def give_up(self, fetch: DueFetch, status: MediaStatus, note: str) -> None:
        """Record that the file will not be kept (`rejected` or `gone`), and tell the sender in their thread."""
        async with self._sessions() as session, session.begin():
            await self._set(session, fetch, status=status, next_attempt_at=None, note=note[:NOTE_LENGTH])
            notice = await self._notice(session, fetch, status, note)
            if notice is not None:
                await enqueue(session, [notice], self._clock.now())

    @staticmethod
    async def _set(session: AsyncSession, fetch: DueFetch, **values: object) -> None:
        await session.execute(update(MediaAttachment).where(MediaAttachment.id == fetch.id,
                                                            MediaAttachment.status == MediaStatus.PENDING)
                              .values(**values).execution_options(synchronize_session=False))

    @staticmethod
    async def _notice(session: AsyncSession, fetch: DueFetch, status: MediaStatus, note: str) -> Outbound | None:
        """The message telling a customer their file was not kept (staff see the note on the ticket instead)."""
        if fetch.inbox_id is None or fetch.customer_id is None:
            return None
        payload = await session.scalar(select(InboxRow.payload).where(InboxRow.id == fetch.inbox_id))
        if payload is None:
            return None
        inbound = Inbound.from_dict(payload)
        locale = await session.scalar(select(Customer.locale).where(Customer.id == fetch.customer_id)) or "zh"
        reason = note.partition(":")[0] if status is MediaStatus.REJECTED else "gone"
        return Outbound(channel=inbound.channel, account=inbound.account, recipient=inbound.sender,
                        conversation=inbound.conversation, template="media_not_kept",
                        data={"kind": fetch.kind, "name": fetch.name, "reason": reason}, locale=locale,
                        idempotency_key=f"media:{fetch.id}:not_kept", reply_to=inbound.external_id)
