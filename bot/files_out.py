"""Outbox messages that carry files (a technician's completion photos, `data["files"]`): the bytes are read from the
media store at send time and handed to a channel that sends files as files (`channels.base.FileSender`); what the
channel cannot send that way — or a file not stored yet — goes as its link, in the message itself or after it. How
each file went is written on the ticket's audit log (`media_sent`, `media_link_sent`, `media_not_sent`), so staff
can see whether the customer got the photo or only its link."""
from __future__ import annotations

import logging
import mimetypes
from pathlib import PurePosixPath
from typing import Any, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import Channel, OutgoingFile
from core.clock import Clock
from core.envelopes import Outbound
from core.media import BlobStore, BlobUnavailable
from core.services.unit import Services, Wiring
from core.storage.models import MediaStatus
from templates.render import Rendered, Renderer

log = logging.getLogger(__name__)

ACTOR = "system:outbox"
EVENTS = {"file": "media_sent", "link": "media_link_sent", "lost": "media_not_sent"}


class FilesOut:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], blobs: BlobStore, renderer: Renderer,
                 clock: Clock, wiring: Wiring) -> None:
        self._sessions = sessions
        self._blobs = blobs
        self._renderer = renderer
        self._clock = clock
        self._wiring = wiring

    async def send(self, channel: Channel, message: Outbound) -> str:
        """Send `message` with its files; returns the platform id of the message."""
        shared: list[Mapping[str, Any]] = list(message.data.get("files") or [])
        send_with_files = getattr(channel, "send_with_files", None)
        if send_with_files is None:
            platform_id = await channel.send(message, self._render(message, shared))
            await self._record(message, [(s, "link", f"{message.channel} sends no files") for s in shared])
            return platform_id
        loaded = [(s, await self._load(s, message.locale)) for s in shared]
        ready = [(s, f) for s, f in loaded if f is not None]
        waiting = [s for s, f in loaded if f is None]
        sent = await send_with_files(message, self._render(message, waiting), [f for _, f in ready])
        await self._record(message, [*((s, "link", "not in the media store") for s in waiting),
                                     *((s, d.way, d.detail) for (s, _), d in zip(ready, sent.files))])
        return sent.platform_id

    def _render(self, message: Outbound, as_links: Sequence[Mapping[str, Any]]) -> Rendered:
        """The message with links to `as_links` only (the template lists `photos`)."""
        return self._renderer.render(message.template, {**message.data, "photos": [s["link"] for s in as_links]},
                                     message.locale)

    async def _load(self, shared: Mapping[str, Any], locale: str) -> OutgoingFile | None:
        """The file's bytes from the media store; None when it is not there (still being fetched, refused, or the
        store cannot be read now): its link goes instead."""
        async with self._sessions() as session:
            found = await Services.in_transaction(session, self._clock, wiring=self._wiring).media.by_id(
                int(shared["attachment"]))
        if found is None or found.status != MediaStatus.STORED:
            return None
        try:
            data = await self._blobs.get(found.sha256)
        except BlobUnavailable:
            log.warning("media store unavailable: attachment %s goes as a link", found.id)
            return None
        if data is None:
            return None
        name = found.name or f"photo-{found.id}"
        if not PurePosixPath(name).suffix:
            name += mimetypes.guess_extension(found.content_type) or ""
        return OutgoingFile(data=data, content_type=found.content_type, name=name,
                            fallback=self._renderer.render("photo_link", {"link": shared["link"]}, locale))

    async def _record(self, message: Outbound, outcomes: Sequence[tuple[Mapping[str, Any], str, str]]) -> None:
        """Each file's way on its ticket's audit log. The message is sent already: a failure here is logged only."""
        try:
            async with self._sessions() as session, session.begin():
                tickets = Services.in_transaction(session, self._clock, wiring=self._wiring).tickets
                for shared, way, detail in outcomes:
                    ticket = await tickets.get(str(shared["ticket"]))
                    if ticket is not None:
                        await tickets.record(ticket, ACTOR, EVENTS[way], {}, {
                            "channel": message.channel, "attachment": shared["attachment"],
                            "name": shared.get("name", ""), "detail": detail})
        except Exception:  # noqa: BLE001 - the customer has the message; only the audit entry is missing
            log.exception("could not record how the files of %s went", message.idempotency_key)
