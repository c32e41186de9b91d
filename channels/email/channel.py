"""The email channel: IMAP intake into the hub's inbox, SMTP replies out of its outbox."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Sequence

from aiohttp import web

from channels.base import FileDelivery, OutgoingFile, SentWithFiles
from channels.email.attachments import AttachmentStore
from channels.email.config import EmailConfig
from channels.email.guard import SendRateLimit, address_reason
from channels.email.imap_intake import FetchedMail, ImapIntake
from channels.email.inbound import CHANNEL, external_id, to_inbound
from channels.email.parse import UnparseableMail, parse_mail
from channels.email.smtp_send import build_mail, deliver, with_links
from channels.email.threads import our_message_id
from core.clock import Clock
from core.envelopes import Inbound, Outbound
from core.ports import (CursorStore, FetchedMedia, IntakeSink, MediaGone, PermanentSendError, QuarantineStore,
                        RetryableSendError)
from templates.render import Rendered

log = logging.getLogger(__name__)


class EmailChannel:
    """`Channel` for one mailbox. Mail that cannot be parsed is quarantined whole and can be re-run with `reimport`."""

    name = CHANNEL

    def __init__(self, *, config: EmailConfig, intake: IntakeSink, cursors: CursorStore, quarantine: QuarantineStore,
                 clock: Clock, batch_size: int = 50, fetch_bytes: int = 32 * 1024 * 1024,
                 reconnect_backoff: tuple[float, float] = (0.5, 60.0)) -> None:
        self._config = config
        self._intake = intake
        self._quarantine = quarantine
        self._clock = clock
        self._attachments = AttachmentStore(root=Path(config.attachment_dir), max_bytes=config.max_attachment_bytes)
        self._domain = config.from_address.rpartition("@")[2] or config.imap_host
        self._rate = SendRateLimit(clock=clock, limit=config.send_limit, window=config.send_window)
        self._imap = ImapIntake(config=config, cursors=cursors, handle=self._commit, batch_size=batch_size,
                                fetch_bytes=fetch_bytes, backoff=reconnect_backoff)
        self._task: asyncio.Task[None] | None = None

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return []

    async def fetch_media(self, source: str, *, max_bytes: int) -> FetchedMedia:
        """An attachment the intake wrote under `attachment_dir` (nothing outside it is ever read)."""
        root = Path(self._config.attachment_dir).resolve()
        path = Path(source).resolve()
        if root not in path.parents:
            raise MediaGone(f"{source} is not under {root}")
        try:
            return FetchedMedia(data=await asyncio.to_thread(path.read_bytes))
        except FileNotFoundError as exc:
            raise MediaGone(f"{source} is no longer there") from exc

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._imap.run(), name=f"email-intake:{self._imap.cursor_name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._imap.stop()
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            log.warning("email intake did not stop within 10 s; cancelled")

    @property
    def connections(self) -> int:
        """IMAP sessions opened so far (reconnects included); for health pages and tests."""
        return self._imap.connections

    @property
    def caught_up(self) -> bool:
        """Everything in the folder is imported and the intake waits for new mail."""
        return self._imap.caught_up

    async def reimport(self, payload: bytes) -> bool:
        """Run a quarantined mail through intake again (after a parser fix); True when it was new."""
        inbound = await asyncio.to_thread(self._to_inbound, payload, None)
        return (await self._intake([inbound]))[0]

    async def _commit(self, batch: Sequence[FetchedMail]) -> None:
        inbound: list[Inbound] = []
        for mail in batch:
            try:
                inbound.append(await asyncio.to_thread(self._to_inbound, mail.raw, mail))
            except UnparseableMail as exc:
                log.warning("quarantining unparseable mail uid %s: %s", mail.uid, exc)
                await self._quarantine.quarantine(channel=CHANNEL, external_id=external_id("", mail.raw),
                                                  payload=mail.raw, reason=str(exc))
        if inbound:
            await self._intake(inbound)

    def _to_inbound(self, raw: bytes, mail: FetchedMail | None) -> Inbound:
        parsed = parse_mail(raw)
        received = (mail.received_at if mail else None) or self._clock.now()
        return to_inbound(parsed, raw=raw, account=self._config.imap_user, domain=self._domain,
                          received_at=received, attachments=self._attachments)

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        return await self._mail(message, rendered, ())

    async def send_with_files(self, message: Outbound, rendered: Rendered,
                              files: Sequence[OutgoingFile]) -> SentWithFiles:
        """One mail with the files attached. When the server refuses it for good (too large, say), the mail goes
        again without them, each file's link added under the text."""
        try:
            return SentWithFiles(platform_id=await self._mail(message, rendered, files),
                                 files=tuple(FileDelivery(way="file") for _ in files))
        except PermanentSendError as refused:
            if not files:
                raise
            why = f"{refused.code or 'refused'}: {refused}"
            log.warning("mail with %d attachments refused (%s); sending their links", len(files), why)
        platform_id = await self._mail(message, with_links(rendered, files), ())
        return SentWithFiles(platform_id=platform_id, files=tuple(FileDelivery(way="link", detail=why)
                                                                  for _ in files))

    async def _mail(self, message: Outbound, rendered: Rendered, files: Sequence[OutgoingFile]) -> str:
        recipient = message.recipient.strip().lower()
        if "@" not in recipient:
            raise PermanentSendError(f"not an email address: {message.recipient!r}", code="bad-address")
        if reason := address_reason(recipient):
            raise PermanentSendError(f"{recipient} is a machine address ({reason}); never answered", code=reason)
        if (wait := self._rate.retry_after(recipient)) is not None:
            raise RetryableSendError(f"send limit reached for {recipient}", retry_after=wait, code="rate-limited")
        message_id = our_message_id(idempotency_key=message.idempotency_key, conversation=message.conversation,
                                    domain=self._domain)
        mail = build_mail(message=message, rendered=rendered, sender=self._config.from_address,
                          message_id=message_id, now=self._clock.now())
        for file in files:
            maintype, _, subtype = file.content_type.partition("/")
            mail.add_attachment(file.data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                                filename=file.name)
        await deliver(mail, self._config)
        self._rate.record(recipient)
        return message_id
