"""Pictures and files from the chat page over HTTP, each one message of its session committed like a typed one (the
page's client id makes a resend the same message: the inbox dedupes on it).

`POST /chat/upload?session=…&id=…&name=…` takes the whole file as its body. The page itself sends in chunks, so a
dropped connection or a reload costs only the chunk in flight:
- `POST /chat/uploads?session=…&id=…&name=…&size=…` opens the upload (or finds the one already open for that message)
  and answers `{"upload": key, "offset": bytes the hub has, "size": …}`;
- `GET /chat/uploads/{key}` answers the same, or 404 once it expired (the page starts over);
- `PATCH /chat/uploads/{key}?offset=N` with the next bytes as the body: a chunk at any other offset is refused with
  409 and the offset the hub has; the last chunk commits the message and is answered `{"type": "ack", "id": …}` (an
  empty chunk at the end asks for that answer again).
Sizes, kinds (sniffed from the bytes, refused as soon as the first 8 KB say what they are) and the rate limits are
the same either way; refusals are error frames with a sentence and their status.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

from aiohttp import web

from channels.webchat.admission import Admission, Limited
from channels.webchat.config import WebChatConfig
from channels.webchat.frames import CLIENT_ID, FrameError, ack_frame, dumps, error_frame
from channels.webchat.resumable import PartialUploads, Staged
from channels.webchat.sessions import conversation_of, valid_session_id
from channels.webchat.texts import CROWDED, error_text, locale_for
from channels.webchat.uploads import PREFIX, UploadStore, upload_kind
from core.clock import Clock
from core.envelopes import Attachment, Inbound
from core.ports import FetchedMedia, IntakeSink, MediaGone

log = logging.getLogger(__name__)

READ_SIZE = 256 * 1024
SNIFF_BYTES = 8192
"""What the type is sniffed from (core.media.inspect reads no further)."""
_KEY = re.compile(r"[0-9a-f]{32}")


async def _body(request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes `limit` (the rest is never buffered)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(READ_SIZE):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _size(count: int) -> str:
    return f"{count / 1048576:g} MB" if count >= 1048576 else f"{count // 1024} KB"


def _position(staged: Staged) -> dict[str, Any]:
    return {"upload": staged.key, "offset": staged.size if staged.done else staged.offset, "size": staged.size}


class UploadEndpoints:
    """The upload routes of the web chat; `running` says whether the chat takes messages now."""

    def __init__(self, *, config: WebChatConfig, intake: IntakeSink, clock: Clock, admission: Admission,
                 running: Callable[[], bool]) -> None:
        self._intake = intake
        self._clock = clock
        self._admission = admission
        self._running = running
        self._max = config.max_upload_bytes
        self._expiry = config.upload_expiry
        self._files = UploadStore(root=Path(config.upload_dir), clock=clock)
        self._partial = PartialUploads(root=Path(config.upload_dir), clock=clock, expiry=config.upload_expiry)

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return [
            web.post("/chat/upload", self._whole),
            web.post("/chat/uploads", self._open),
            web.get("/chat/uploads/{key}", self._state),
            web.patch("/chat/uploads/{key}", self._chunk),
        ]

    async def fetch(self, source: str) -> FetchedMedia:
        return await self._files.fetch(source)

    async def sweep(self, wanted: Collection[str]) -> int:
        """Drop chunked uploads left unfinished (or finished and not asked about) for `upload_expiry`, and staged
        files as old whose download is over (`wanted`: the sources still waiting to be fetched)."""
        older_than = self._clock.now() - self._expiry
        return await self._partial.sweep() + await self._files.sweep(older_than=older_than, wanted=wanted)

    async def _whole(self, request: web.Request) -> web.Response:
        session, client_id, locale = self._who(request)
        if not valid_session_id(session) or not CLIENT_ID.fullmatch(client_id):
            return self._refused(400, locale, FrameError("bad_frame", client_id or None))
        assert session is not None
        if request.content_length is not None and request.content_length > self._max:
            return self._refused(413, locale, FrameError("file_too_large", client_id))
        limited = self._admission.message(self._admission.client_address(request), conversation_of(session))
        if limited:
            return self._refused(429, locale, FrameError("rate_limited", client_id), limited=limited)
        data = await _body(request, self._max)
        if data is None:
            return self._refused(413, locale, FrameError("file_too_large", client_id))
        attachment = await self._stage(data, request.query.get("name", ""))
        if attachment is None:
            return self._refused(415, locale, FrameError("unsupported_type", client_id))
        return await self._commit(session, client_id, locale, attachment)

    async def _open(self, request: web.Request) -> web.Response:
        session, client_id, locale = self._who(request)
        if not valid_session_id(session) or not CLIENT_ID.fullmatch(client_id):
            return self._refused(400, locale, FrameError("bad_frame", client_id or None))
        assert session is not None
        size = request.query.get("size", "")
        if not size.isdigit():
            return self._refused(400, locale, FrameError("bad_frame", client_id))
        if int(size) > self._max:
            return self._refused(413, locale, FrameError("file_too_large", client_id))
        if int(size) == 0:
            return self._refused(415, locale, FrameError("unsupported_type", client_id))
        limited = self._admission.message(self._admission.client_address(request), conversation_of(session))
        if limited:
            return self._refused(429, locale, FrameError("rate_limited", client_id), limited=limited)
        staged = await self._partial.open(session=session, client_id=client_id, name=request.query.get("name", ""),
                                          size=int(size), locale=locale)
        return web.json_response(_position(staged), dumps=dumps)

    async def _state(self, request: web.Request) -> web.Response:
        staged = await self._staged(request)
        if staged is None:
            return web.json_response({"code": "unknown_upload"}, status=404)
        return web.json_response(_position(staged), dumps=dumps)

    async def _chunk(self, request: web.Request) -> web.Response:
        if not self._running():
            raise web.HTTPServiceUnavailable(text="web chat is not running")
        key = request.match_info["key"]
        async with self._partial.lock(key):
            staged = await self._staged(request)
            if staged is None:
                return web.json_response({"code": "unknown_upload"}, status=404)
            at = _position(staged)["offset"]
            if request.query.get("offset") != str(at):
                return web.json_response({**_position(staged), "code": "wrong_offset"}, status=409, dumps=dumps)
            if staged.done:
                return await self._finish(staged)
            chunk = await _body(request, staged.size - staged.offset)
            if chunk is None:
                return self._refused(413, staged.locale, FrameError("file_too_large", staged.client_id))
            moved = await self._partial.append(staged, chunk)
            if staged.offset < min(SNIFF_BYTES, staged.size) <= moved.offset and upload_kind(
                    await self._partial.prefix(moved, SNIFF_BYTES)) is None:
                await self._partial.discard(key)
                return self._refused(415, staged.locale, FrameError("unsupported_type", staged.client_id))
            if moved.offset == moved.size:
                return await self._finish(moved)
            return web.json_response(_position(moved), dumps=dumps)

    async def _finish(self, staged: Staged) -> web.Response:
        """All bytes are here: staged like a whole upload and committed (again, for a page that asks again)."""
        try:
            data = (await self._files.fetch(PREFIX + staged.digest)).data if staged.done else \
                await self._partial.whole(staged)
        except MediaGone:
            await self._partial.discard(staged.key)
            return web.json_response({"code": "unknown_upload"}, status=404)
        attachment = await self._stage(data, staged.name)
        if attachment is None:
            await self._partial.discard(staged.key)
            return self._refused(415, staged.locale, FrameError("unsupported_type", staged.client_id))
        if not staged.done:
            await self._partial.handed_on(staged, attachment.url.removeprefix(PREFIX))
        return await self._commit(staged.session, staged.client_id, staged.locale, attachment)

    async def _stage(self, data: bytes, name: str) -> Attachment | None:
        """The attachment of an upload the chat takes (kept until the media fetcher keeps it); None for any other."""
        kind = upload_kind(data) if data else None
        if kind is None:
            return None
        return Attachment(kind=kind[0], name=name[:255], content_type=kind[1], size=len(data),
                          url=await self._files.stage(data))

    async def _commit(self, session: str, client_id: str, locale: str, attachment: Attachment) -> web.Response:
        conversation = conversation_of(session)
        inbound = Inbound(channel="webchat", account="web", external_id=f"{session}:{client_id}", sender=conversation,
                          conversation=conversation, text="", sent_at=self._clock.now(), attachments=(attachment,),
                          raw={"client_id": client_id, "locale": locale})
        try:
            await self._intake([inbound])
        except Exception:
            log.warning("web chat upload intake failed for %s; the page will resend", inbound.external_id,
                        exc_info=True)
            return self._refused(503, locale, FrameError("unavailable", client_id))
        return web.json_response(ack_frame(client_id), dumps=dumps)

    async def _staged(self, request: web.Request) -> Staged | None:
        key = request.match_info["key"]
        return await self._partial.get(key) if _KEY.fullmatch(key) else None

    def _who(self, request: web.Request) -> tuple[str | None, str, str]:
        """Session, client id and locale named by the query; refused when the chat is not running."""
        if not self._running():
            raise web.HTTPServiceUnavailable(text="web chat is not running")
        return request.query.get("session"), request.query.get("id", ""), locale_for(request.query.get("lang"))

    def _refused(self, status: int, locale: str, error: FrameError, *, limited: Limited | None = None) -> web.Response:
        sentence = error_text(CROWDED if limited and limited.crowded else error.code, locale).format(
            limit=_size(self._max))
        frame = error_frame(error.code, sentence, client_id=error.client_id,
                            retry_after=limited.retry_after if limited else None)
        return web.json_response(frame, status=status, dumps=dumps)
