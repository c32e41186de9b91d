"""Sends one webhook delivery: the event as JSON, signed `X-Aftersales-Signature: sha256=<hex HMAC of the body>`,
with `X-Aftersales-Delivery` (the same id on every retry, so receivers can drop repeats) and `X-Aftersales-Event`.
2xx is delivered; a timeout, a network error, 429 or 5xx is retried by the outbox with backoff; any other answer
is refused for good (dead-lettered, listed by `GET /api/v1/deliveries`)."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Sequence

import aiohttp
from aiohttp import web

from channels.webhooks.config import WebhooksConfig
from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Rendered

SIGNATURE = "X-Aftersales-Signature"
DELIVERY = "X-Aftersales-Delivery"
EVENT = "X-Aftersales-Event"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    name = "webhooks"

    def __init__(self, *, config: WebhooksConfig) -> None:
        self._secret = config.secret
        self._timeout = aiohttp.ClientTimeout(total=config.timeout.total_seconds())
        self._http: aiohttp.ClientSession | None = None

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return []

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=self._timeout)

    async def stop(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.close()

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        if self._http is None:
            raise RetryableSendError("webhook sender is not running", code="stopped")
        body = json.dumps(message.data["body"], ensure_ascii=False, separators=(",", ":")).encode()
        delivery = str(message.data["delivery"])
        headers = {"Content-Type": "application/json", SIGNATURE: sign(self._secret, body), DELIVERY: delivery,
                   EVENT: str(message.data["body"]["type"]), "User-Agent": "aftersales-webhooks"}
        try:
            async with self._http.post(message.recipient, data=body, headers=headers) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableSendError(f"{message.recipient}: {type(exc).__name__}: {exc}", code="unreachable") from exc
        if 200 <= status < 300:
            return delivery
        if status == 429 or status >= 500:
            raise RetryableSendError(f"{message.recipient} answered {status}", code=f"http_{status}",
                                     retry_after=float(retry_after) if retry_after.isdigit() else None)
        raise PermanentSendError(f"{message.recipient} answered {status}", code=f"http_{status}")
