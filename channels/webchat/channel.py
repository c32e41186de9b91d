"""The web chat: a page at `/chat` and a websocket at `/chat/ws` speaking JSON frames.

Every customer message is committed through the hub's `IntakeSink` before it is acknowledged, so an `ack` means the
message survives a crash; when the database is locked or gone the client is told `unavailable` and resends the same
client id later (the inbox dedupes on it). Floods are refused before that (`admission`): a message over a limit, or a
new session over its address's limit, is answered `rate_limited` with `retry_after`. Replies go to every open socket
of the conversation; with none open, `send` raises `RecipientAway` and the message waits in the outbox: a socket
opened for the conversation tells the hub (`ChannelDeps.reachable`), and what waited goes out at once.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Sequence

from aiohttp import WSCloseCode, WSMsgType, web

from channels.base import OutgoingFile, SentWithFiles
from channels.outgoing import send_files
from channels.webchat.config import WebChatConfig
from channels.webchat.frames import (ClientMessage, FrameError, ack_frame, dumps, error_frame, hello_frame,
                                     image_frame, parse_client_frame, reply_frame)
from channels.webchat.admission import Admission, Limited
from channels.webchat.sessions import PREFIX, SocketRegistry, conversation_of, new_session_id, valid_session_id
from channels.webchat.upload_http import UploadEndpoints
from channels.webchat.texts import CROWDED, error_text, locale_for, page_strings
from core.clock import Clock
from core.envelopes import Inbound, Outbound
from core.ports import FetchedMedia, IntakeSink, PermanentSendError, RecipientAway, Reachable
from templates.render import Rendered

if TYPE_CHECKING:
    from channels.webchat.relay import RedisSocketRelay

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
HARD_LIMIT_FACTOR = 4
"""Frames up to `max_frame_bytes` get a polite `too_large`; beyond this multiple aiohttp closes the socket (1009)
without buffering the rest, so a hostile client cannot make the server hold large frames."""
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class WebChatChannel:
    """Serves the chat page and its websocket; one conversation per browser session (``web:<session>``)."""

    name = "webchat"
    account = "web"

    def __init__(self, *, config: WebChatConfig, intake: IntakeSink, clock: Clock,
                 relay: RedisSocketRelay | None = None, trusted_proxies: Sequence[str] = (),
                 reachable: Reachable | None = None) -> None:
        """`relay` reaches sockets held by other hub processes (several processes on the Redis bus);
        `trusted_proxies` are the reverse proxies whose `X-Forwarded-For` names the client; `reachable` is told
        when a conversation has a socket again."""
        self._intake = intake
        self._reachable = reachable
        self._relay = relay
        self._clock = clock
        self._max_frame_bytes = config.max_frame_bytes
        self._heartbeat = config.heartbeat.total_seconds()
        self._admission = Admission(config=config, trusted_proxies=trusted_proxies, clock=clock)
        self._sockets = SocketRegistry()
        self._running = False
        self._uploads = UploadEndpoints(config=config, intake=intake, clock=clock, admission=self._admission,
                                        running=lambda: self._running)

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return [
            web.get("/chat", self._page),
            web.get("/chat/ws", self._websocket),
            *self._uploads.routes(),
            web.get("/chat/strings", self._strings),
            web.static("/chat/static", STATIC_DIR),
        ]

    async def start(self) -> None:
        self._running = True
        if self._relay is not None:
            await self._relay.start(self._deliver_here, self._holds)

    async def stop(self) -> None:
        """Refuse new sockets and close open ones with 1001 (going away); clients reconnect to the next process."""
        self._running = False
        await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server going away")
                               for ws in self._sockets), return_exceptions=True)
        if self._relay is not None:
            await self._relay.stop()

    async def fetch_media(self, source: str, *, max_bytes: int) -> FetchedMedia:
        """An upload from the page, staged until it is kept."""
        return await self._uploads.fetch(source)

    async def sweep_uploads(self, wanted: Collection[str]) -> int:
        """Drop the page's chunked uploads that expired unfinished, and staged files no download waits for any
        more (run by the media fetcher, which says which sources are `wanted`)."""
        return await self._uploads.sweep(wanted)

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        session = message.conversation.removeprefix(PREFIX)
        if not message.conversation.startswith(PREFIX) or not valid_session_id(session):
            raise PermanentSendError(f"not a web chat conversation: {message.conversation!r}", code="bad_recipient")
        await self._push_frame(message.conversation, reply_frame(message.idempotency_key, message.data, rendered))
        return message.idempotency_key

    async def send_with_files(self, message: Outbound, rendered: Rendered,
                              files: Sequence[OutgoingFile]) -> SentWithFiles:
        """The message, then each picture as an `image` frame that carries its bytes (a `data:` URL): it reaches
        only this conversation's sockets, and no address of it exists that anyone could open. A file that is not a
        picture goes as its link."""
        platform_id = await self.send(message, rendered)
        numbers = itertools.count(1)  # each frame's own id: the page shows a frame id once

        async def as_file(file: OutgoingFile) -> None:
            if not file.content_type.startswith("image/"):
                raise PermanentSendError(f"{file.name} is {file.content_type}, not a picture", code="not_an_image")
            await self._push_frame(message.conversation, image_frame(f"{platform_id}:{next(numbers)}", file.name,
                                                                     file.content_type, file.data))

        async def as_link(file: OutgoingFile) -> None:
            await self._push_frame(message.conversation,
                                   reply_frame(f"{platform_id}:{next(numbers)}", {}, file.fallback))
        return SentWithFiles(platform_id=platform_id, files=await send_files(files, as_file=as_file,
                                                                             as_link=as_link))

    async def _push_frame(self, conversation: str, frame: dict[str, Any]) -> None:
        """`frame` to the conversation's open sockets, here or (through the relay) on another process."""
        if not await self._deliver_here(conversation, frame) and not (
                self._relay is not None and await self._relay.forward(conversation, frame)):
            raise RecipientAway(f"no open web chat socket for {conversation}", code="offline")

    def _holds(self, conversation: str) -> bool:
        return bool(self._sockets.open_sockets(conversation))

    async def _deliver_here(self, conversation: str, frame: dict[str, Any]) -> bool:
        """Push to every socket of the conversation open on this process; True when one took it. The frame is
        encoded once, and a conversation's one socket (the usual case) is written without a task of its own."""
        sockets = self._sockets.open_sockets(conversation)
        if not sockets:
            return False
        encoded = dumps(frame)
        if len(sockets) == 1:
            return await self._write(sockets[0], encoded)
        return any(await asyncio.gather(*(self._write(ws, encoded) for ws in sockets)))

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)

    async def _strings(self, request: web.Request) -> web.Response:
        return web.json_response(page_strings(request.query.get("lang")), dumps=dumps,
                                 headers={"Cache-Control": "max-age=300"})

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if not self._running:
            raise web.HTTPServiceUnavailable(text="web chat is not running")
        ws = web.WebSocketResponse(max_msg_size=self._max_frame_bytes * HARD_LIMIT_FACTOR, heartbeat=self._heartbeat)
        await ws.prepare(request)
        session = request.query.get("session")
        if not valid_session_id(session):
            session = new_session_id()
        locale = locale_for(request.query.get("lang"))
        address = self._admission.client_address(request)
        limited = self._admission.open_session(address, session)
        if limited:
            await self._refuse(ws, locale, FrameError("rate_limited"), limited=limited)
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too many new sessions")
            return ws
        conversation = conversation_of(session)
        self._sockets.add(conversation, ws)
        try:
            if not self._running:
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server going away")
                return ws
            await self._push(ws, hello_frame(session))
            await self._back(conversation)
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_text(ws, session, address, locale, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self._refuse(ws, locale, FrameError("bad_frame"))
        finally:
            self._sockets.remove(conversation, ws)
        return ws

    async def _back(self, conversation: str) -> None:
        """Tell the hub the customer is here, so what waited for them is sent now; a failure only delays it to the
        message's next retry."""
        if self._reachable is None:
            return
        try:
            await self._reachable(self.name, conversation)
        except Exception:  # noqa: BLE001 - the socket works without it; the outbox retries on its own schedule
            log.warning("could not hurry the messages waiting for %s", conversation, exc_info=True)

    async def _on_text(self, ws: web.WebSocketResponse, session: str, address: str, locale: str, data: str) -> None:
        parsed = parse_client_frame(data, max_frame_bytes=self._max_frame_bytes)
        if isinstance(parsed, FrameError):
            await self._refuse(ws, locale, parsed)
            return
        limited = self._admission.message(address, conversation_of(session))
        if limited:
            await self._refuse(ws, locale, FrameError("rate_limited", parsed.client_id), limited=limited)
            return
        message_id = parsed.client_id or "srv-" + uuid.uuid4().hex
        inbound = self._inbound(session, message_id, parsed, locale)
        try:
            await self._intake([inbound])
        except Exception:
            log.warning("web chat intake failed for %s; the client will resend", inbound.external_id, exc_info=True)
            await self._refuse(ws, locale, FrameError("unavailable", parsed.client_id))
            return
        await self._push(ws, ack_frame(message_id))

    def _inbound(self, session: str, message_id: str, message: ClientMessage, locale: str) -> Inbound:
        conversation = conversation_of(session)
        return Inbound(
            channel=self.name,
            account=self.account,
            external_id=f"{session}:{message_id}",
            sender=conversation,
            conversation=conversation,
            text=message.text,
            sent_at=self._clock.now(),
            raw={"client_id": message.client_id, "locale": locale},
        )

    async def _refuse(self, ws: web.WebSocketResponse, locale: str, error: FrameError, *,
                      limited: Limited | None = None) -> None:
        """An error frame; a refusal by the limits carries `retry_after`, and says so when the whole hub is busy
        rather than this customer too quick."""
        sentence = error_text(CROWDED if limited and limited.crowded else error.code, locale)
        frame = error_frame(error.code, sentence, client_id=error.client_id,
                            retry_after=limited.retry_after if limited else None)
        await self._push(ws, frame)

    @classmethod
    async def _push(cls, ws: web.WebSocketResponse, frame: dict[str, Any]) -> bool:
        """Send one frame; False when the socket went away meanwhile (never an exception for a closed browser)."""
        return await cls._write(ws, dumps(frame))

    @staticmethod
    async def _write(ws: web.WebSocketResponse, encoded: str) -> bool:
        """`_push` of a frame already encoded."""
        if ws.closed:
            return False
        try:
            await ws.send_str(encoded)
        except (ConnectionError, RuntimeError):
            return False
        return True
