"""Async client for the WeChat / WeCom JSON APIs: token in the query string, `errcode` in the body.

wechatpy's client is blocking `requests` without timeouts; in the hub's event loop it would stall every webhook ack
behind a slow API call, and a thread pool would still race on token refresh. So calls go through aiohttp here, with
wechatpy kept for crypto and parsing. This module also owns the error policy both channels share:

* token rejected (40001/40014/42001) → refresh once (single-flight) and retry; again → retryable;
* busy / rate limited (-1, 45009, 45011, 45033), HTTP 5xx, network trouble → `RetryableSendError`, and further calls
  are held back for `retry_after` so concurrent senders back off together instead of hammering the quota;
* any other errcode → `PermanentSendError(code=errcode)`.
"""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

import aiohttp

from core.clock import Clock
from core.ports import FetchedMedia, MediaGone, PermanentSendError, RetryableSendError
from channels.base import OutgoingFile
from channels.downloads import TIMEOUT as DOWNLOAD_TIMEOUT, read_limited
from channels.tencent.token import AccessTokenCache

TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
BUSY_RETRY_AFTER: Mapping[int, float] = {-1: 1.0, 45009: 60.0, 45011: 60.0, 45033: 1.0}
"""Seconds to hold back after each "slow down" errcode (-1 system busy, 45009/45011 frequency, 45033 concurrency)."""
SERVER_ERROR_RETRY_AFTER = 5.0
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=10)
MEDIA_GONE_ERRCODES = frozenset({40007, 46001})
"""40007 invalid media_id (expired after three days, or never issued); 46001 media data not found."""


class WeixinApi:
    """One app's API: `base_url` is the origin (CONTRACT.md), `token_path`/`token_params` the platform's token call."""

    def __init__(self, *, base_url: str, token_path: str, token_params: Mapping[str, str], clock: Clock) -> None:
        self._base = base_url.rstrip("/")
        self._token_path = token_path
        self._token_params = dict(token_params)
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._tokens = AccessTokenCache(fetch=self._fetch_token, clock=clock)
        self._paused_until = datetime.min.replace(tzinfo=timezone.utc)

    def bind(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST `payload` as UTF-8 JSON (Chinese unescaped, as the platform SDKs send it); returns the reply body."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return await self._post(path, {}, lambda: body)

    async def upload(self, path: str, params: Mapping[str, str], *, data: bytes, filename: str,
                     content_type: str) -> dict[str, Any]:
        """POST a file as the multipart form field `media`, the way the platforms take temporary media
        (`/cgi-bin/media/upload?type=image`); returns the reply, which names the file's `media_id`."""
        def form() -> aiohttp.FormData:
            fields = aiohttp.FormData()
            fields.add_field("media", data, filename=filename, content_type=content_type)
            return fields
        reply = await self._post(path, params, form)
        if not reply.get("media_id"):
            raise RetryableSendError(f"{path}: answer without a media_id")
        return reply

    async def _post(self, path: str, params: Mapping[str, str],
                    body: Callable[[], bytes | aiohttp.FormData]) -> dict[str, Any]:
        """One POST with the access token; a rejected token is refreshed and the call made once more."""
        self._check_paused()
        token = await self._tokens.get()
        reply = await self._request("POST", path, {**params, "access_token": token}, body())
        if _errcode(reply) in TOKEN_ERRCODES:
            self._tokens.invalidate(token)
            token = await self._tokens.get()
            reply = await self._request("POST", path, {**params, "access_token": token}, body())
            if _errcode(reply) in TOKEN_ERRCODES:
                self._tokens.invalidate(token)
                raise RetryableSendError(f"{path}: access token rejected after refresh",
                                         code=str(_errcode(reply)), retry_after=1.0)
        self._raise_for(path, reply)
        return reply

    async def download(self, path: str, params: Mapping[str, str], *, max_bytes: int) -> FetchedMedia:
        """GET a file (`/cgi-bin/media/get`): the bytes, or the platform's JSON error (token errors refreshed once
        like `call`; an unknown or expired media id → `MediaGone`). A video of an Official Account answers a
        `video_url` that is fetched in turn. Over `max_bytes` → `MediaRejected` without reading the rest."""
        self._check_paused()
        token = await self._tokens.get()
        answer = await self._download(self._base + path, {**params, "access_token": token}, max_bytes)
        if isinstance(answer, dict) and _errcode(answer) in TOKEN_ERRCODES:
            self._tokens.invalidate(token)
            token = await self._tokens.get()
            answer = await self._download(self._base + path, {**params, "access_token": token}, max_bytes)
        if isinstance(answer, FetchedMedia):
            return answer
        if _errcode(answer) in MEDIA_GONE_ERRCODES:
            raise MediaGone(f"{path}: errcode {_errcode(answer)} {answer.get('errmsg', '')}".strip())
        self._raise_for(path, answer)
        video = answer.get("video_url") or answer.get("down_url")
        if isinstance(video, str) and video:
            fetched = await self._download(video, {}, max_bytes)
            if isinstance(fetched, FetchedMedia):
                return fetched
        raise RetryableSendError(f"{path}: JSON answer without the file")

    async def _download(self, url: str, params: Mapping[str, str],
                        max_bytes: int) -> FetchedMedia | dict[str, Any]:
        if self._session is None:
            raise RuntimeError("WeixinApi used before start()")
        try:
            async with self._session.get(url, params=params, timeout=DOWNLOAD_TIMEOUT) as resp:
                if resp.status >= 500 or resp.status == 429:
                    raise RetryableSendError(f"media download: HTTP {resp.status}", code=f"http{resp.status}",
                                             retry_after=SERVER_ERROR_RETRY_AFTER)
                data = await read_limited(resp, max_bytes)
                content_type = resp.content_type
                name = (resp.content_disposition.filename or "") if resp.content_disposition else ""
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RetryableSendError(f"media download: {type(exc).__name__}: {exc}") from exc
        if content_type in ("application/json", "text/plain") and data[:1] == b"{":
            try:
                reply = json.loads(data.decode("utf-8"))
            except ValueError:
                reply = None
            if isinstance(reply, dict):
                return reply
        return FetchedMedia(data=data, content_type=content_type, name=name)

    async def _fetch_token(self) -> tuple[str, float]:
        reply = await self._request("GET", self._token_path, self._token_params, None)
        self._raise_for(self._token_path, reply)
        try:
            return str(reply["access_token"]), float(reply.get("expires_in", 7200))
        except (KeyError, TypeError, ValueError) as exc:
            raise RetryableSendError(f"{self._token_path}: malformed token reply") from exc

    async def _request(self, method: str, path: str, params: Mapping[str, str],
                       body: bytes | aiohttp.FormData | None) -> dict[str, Any]:
        if self._session is None:
            raise RuntimeError("WeixinApi used before start()")
        headers = {"Content-Type": "application/json; charset=utf-8"} if isinstance(body, bytes) else {}
        try:
            async with self._session.request(method, self._base + path, params=params, data=body, headers=headers,
                                             timeout=DEFAULT_TIMEOUT) as resp:
                text = await resp.text(encoding="utf-8")
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RetryableSendError(f"{path}: {type(exc).__name__}: {exc}") from exc
        if status >= 500 or status == 429:
            self._pause(SERVER_ERROR_RETRY_AFTER)
            raise RetryableSendError(f"{path}: HTTP {status}", code=f"http{status}", retry_after=SERVER_ERROR_RETRY_AFTER)
        try:
            reply = json.loads(text)
        except ValueError as exc:
            raise RetryableSendError(f"{path}: HTTP {status}, not JSON") from exc
        if not isinstance(reply, dict):
            raise RetryableSendError(f"{path}: HTTP {status}, unexpected JSON")
        return reply

    def _raise_for(self, path: str, reply: Mapping[str, Any]) -> None:
        code = _errcode(reply)
        if code == 0:
            return
        message = f"{path}: errcode {code} {reply.get('errmsg', '')}".strip()
        if code in BUSY_RETRY_AFTER:
            self._pause(BUSY_RETRY_AFTER[code])
            raise RetryableSendError(message, code=str(code), retry_after=BUSY_RETRY_AFTER[code])
        if code in TOKEN_ERRCODES:
            raise RetryableSendError(message, code=str(code), retry_after=1.0)
        raise PermanentSendError(message, code=str(code))

    def _pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock.now() + timedelta(seconds=seconds))

    def _check_paused(self) -> None:
        remaining = (self._paused_until - self._clock.now()).total_seconds()
        if remaining > 0:
            raise RetryableSendError("platform asked to slow down; holding back", code="backoff",
                                     retry_after=remaining)


async def upload_image(api: WeixinApi, file: OutgoingFile) -> str:
    """`file` uploaded as a temporary image (both platforms take it the same way); its `media_id`. Only images go
    this way: anything else is refused here, for its link to go instead."""
    if not file.content_type.startswith("image/"):
        raise PermanentSendError(f"{file.name} is {file.content_type}, not an image", code="not_an_image")
    reply = await api.upload("/cgi-bin/media/upload", {"type": "image"}, data=file.data, filename=file.name,
                             content_type=file.content_type)
    return str(reply["media_id"])


def _errcode(reply: Mapping[str, Any]) -> int:
    try:
        return int(reply.get("errcode", 0))
    except (TypeError, ValueError):
        return -1
