"""Attachments as the tickets see them: recorded with the message that carried them (in its transaction), linked to
the ticket that message lands on — or, for a photo sent before any words, to the ticket the next message opens — and
listed for staff. Fetching the bytes happens later, outside the message's transaction (core.media.queue)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.envelopes import Attachment, Inbound
from core.storage.models import MediaAttachment, MediaStatus, Ticket

FETCH_WINDOW = timedelta(days=3)
"""How long a download is retried: WeChat and WeCom media ids expire after three days."""
ORPHAN_WINDOW = timedelta(days=1)
"""A photo sent before any words joins the ticket its thread opens within this long."""
FETCHED = frozenset({"image", "voice", "video", "file"})
SHARED_PATH = "/media/"
"""Customers' links to shared files: `/media/<key>`."""


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    ticket_id: int | None
    inbox_id: int | None
    kind: str
    name: str
    content_type: str
    size: int
    status: str
    sha256: str
    thumbnail_sha256: str
    details: dict[str, Any]
    note: str
    created_at: datetime


class MediaService:
    def __init__(self, *, session: AsyncSession, clock: Clock, links: str = "") -> None:
        """`links`: where customers' links to shared files start (the hub's public address)."""
        self._session = session
        self._clock = clock
        self._links = links
        self.received = 0
        """How many attachments this transaction queued for download (the hub wakes its fetcher after commit)."""

    def receive(self, *, inbox_id: int, inbound: Inbound, customer_id: int | None) -> None:
        """Record what `inbound` carried; what has bytes to fetch is queued for now."""
        now = self._clock.now()
        for attachment in inbound.attachments:
            row = MediaAttachment(inbox_id=inbox_id, customer_id=customer_id, channel=inbound.channel,
                                  account=inbound.account, conversation=inbound.conversation, kind=attachment.kind,
                                  name=attachment.name[:255], source=attachment.url,
                                  declared_type=attachment.content_type[:100], size=attachment.size,
                                  details=location_details(attachment), created_at=now, attempts=0, note="",
                                  sha256="", thumbnail_sha256="", content_type="")
            if attachment.kind not in FETCHED:
                row.status = MediaStatus.NONE
            elif not attachment.url:
                row.status = MediaStatus.REJECTED
                row.note = "too_large: the channel did not keep the bytes"
            else:
                row.status = MediaStatus.PENDING
                row.next_attempt_at = now
                row.fetch_until = now + FETCH_WINDOW
                self.received += 1
            self._session.add(row)

    async def share_staff_files(self, ticket_code: str) -> list[dict[str, Any]]:
        """The files staff added to the ticket (completion photos), for the customer: each `{"attachment": id,
        "ticket": code, "name": …, "link": url}`, its link under a random key of its own (a link opens that one
        file and nothing else). The outbox sends each as a file where the customer's channel can, else the link."""
        rows = await self._session.scalars(
            select(MediaAttachment).join(Ticket, Ticket.id == MediaAttachment.ticket_id)
            .where(Ticket.code == ticket_code, MediaAttachment.customer_id.is_(None),
                                          MediaAttachment.status.in_((MediaStatus.STORED, MediaStatus.PENDING)))
            .order_by(MediaAttachment.id))
        shared = []
        for row in rows:
            row.share_token = row.share_token or secrets.token_urlsafe(32)
            shared.append({"attachment": row.id, "ticket": ticket_code, "name": row.name,
                           "link": f"{self._links}{SHARED_PATH}{row.share_token}"})
        return shared

    async def by_id(self, attachment_id: int) -> AttachmentView | None:
        row = await self._session.get(MediaAttachment, attachment_id)
        return attachment_view(row) if row is not None else None

    async def shared(self, token: str) -> AttachmentView | None:
        """The file behind a customer's link, once stored."""
        row = await self._session.scalar(select(MediaAttachment).where(MediaAttachment.share_token == token))
        return attachment_view(row) if row is not None else None

    async def find(self, ticket_code: str, attachment_id: int) -> AttachmentView | None:
        """Attachment `attachment_id` if it belongs to ticket `ticket_code` (an id alone never reaches bytes)."""
        row = await self._session.scalar(
            select(MediaAttachment).join(Ticket, Ticket.id == MediaAttachment.ticket_id)
            .where(MediaAttachment.id == attachment_id, Ticket.code == ticket_code.upper()))
        return attachment_view(row) if row is not None else None



async def attachments_of(session: AsyncSession, ticket_id: int) -> list[AttachmentView]:
    """A ticket's attachments, oldest first."""
    rows = await session.scalars(select(MediaAttachment).where(MediaAttachment.ticket_id == ticket_id)
                                 .order_by(MediaAttachment.id))
    return [attachment_view(r) for r in rows]


def location_details(attachment: Attachment) -> dict[str, Any]:
    """`latitude`, `longitude` and `label` of a shared location (`geo:lat,lng`); empty for anything else."""
    if attachment.kind != "location" or not attachment.url.startswith("geo:"):
        return {}
    lat, _, lng = attachment.url[4:].partition(",")
    try:
        return {"latitude": float(lat), "longitude": float(lng), "label": attachment.name}
    except ValueError:
        return {"label": attachment.name}


def attachment_view(row: MediaAttachment) -> AttachmentView:
    return AttachmentView(id=row.id, ticket_id=row.ticket_id, inbox_id=row.inbox_id, kind=row.kind, name=row.name,
                          content_type=row.content_type or row.declared_type, size=row.size, status=row.status,
                          sha256=row.sha256, thumbnail_sha256=row.thumbnail_sha256, details=dict(row.details),
                          note=row.note, created_at=row.created_at)
