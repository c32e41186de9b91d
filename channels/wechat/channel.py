"""WeChat Official Account channel (customers): `/webhooks/wechat` callback and customer-service (客服) sending.

The webhook answers `success` only after the intake committed the message, and never with passive reply XML: the
pipeline's answer goes out asynchronously through `send`, so a slow pipeline can never miss WeChat's 5-second window
(and trigger its three retries). Retries are harmless anyway — the intake dedupes on `MsgId` / the event key.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import aiohttp
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from channels.base import OutgoingFile, SentWithFiles
from channels.outgoing import message_then_files
from channels.wechat.config import DEFAULT_TEMPLATE, TemplateMessage, WeChatConfig
from channels.wechat.inbound import to_inbound
from channels.tencent.api import WeixinApi, upload_image
from channels.tencent.callback import (Refused, check_fresh, check_token_signature, decrypt_body, read_body,
                                      require)
from channels.tencent.session import SessionOwner
from channels.tencent.webhook import accept
from core.clock import Clock
from core.envelopes import Inbound, Outbound
from core.ports import FetchedMedia, IntakeSink, PermanentSendError
from templates.render import Rendered

WINDOW_CLOSED_ERRCODES = frozenset({"45015", "45047"})
"""45015: the customer has not written within 48 hours; 45047: too many messages since they last wrote."""


class WeChatChannel:
    """Customers' Official Account. A message goes as a customer-service message (客服消息) while the customer's
    48-hour window is open. When it is closed, it falls back in order to the template message configured for the
    message's template, then to the `default` one (`[wechat] templates`); a template WeChat refuses moves on to the
    next. What was sent is the platform id the outbox row keeps: `custom:…` or `template:<name>:<msgid>`. With no
    template left the send fails permanently with the window's error code, so staff see it was not delivered."""

    name = "wechat"

    def __init__(self, *, config: WeChatConfig, intake: IntakeSink, clock: Clock,
                 http: aiohttp.ClientSession | None = None, max_body_bytes: int = 1_048_576) -> None:
        self._config = config
        self._intake = intake
        self._clock = clock
        self._max_body = max_body_bytes
        self._templates = config.template_messages()
        self._menu_commands = {str(k): str(v) for k, v in config.menu_commands.items()}
        self._crypto = (WeChatCrypto(config.token, config.encoding_aes_key, config.app_id)
                        if config.encoding_aes_key else None)
        self._api = WeixinApi(base_url=config.api_base_url, token_path="/cgi-bin/token", clock=clock,
                              token_params={"grant_type": "client_credential", "appid": config.app_id,
                                            "secret": config.app_secret})
        self._session = SessionOwner(http)

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return [web.get("/webhooks/wechat", self._verify_url), web.post("/webhooks/wechat", self._receive)]

    async def start(self) -> None:
        self._api.bind(await self._session.open())

    async def stop(self) -> None:
        await self._session.close()

    async def fetch_media(self, source: str, *, max_bytes: int) -> FetchedMedia:
        """A message's image, voice, video or file by its media id (valid for three days)."""
        return await self._api.download("/cgi-bin/media/get", {"media_id": source}, max_bytes=max_bytes)

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        payload = {"touser": message.recipient, "msgtype": "text", "text": {"content": rendered.text}}
        try:
            await self._api.call("/cgi-bin/message/custom/send", payload)
        except PermanentSendError as exc:
            if exc.code not in WINDOW_CLOSED_ERRCODES:
                raise
            return await self._send_template(message, rendered, exc)
        return f"custom:{message.idempotency_key}"

    async def send_with_files(self, message: Outbound, rendered: Rendered,
                              files: Sequence[OutgoingFile]) -> SentWithFiles:
        """The message, then each photo as an image message (uploaded as temporary media first); a file that is
        not an image, or that WeChat refuses, goes as its link."""

        async def as_file(file: OutgoingFile) -> None:
            media_id = await upload_image(self._api, file)
            await self._api.call("/cgi-bin/message/custom/send", {"touser": message.recipient, "msgtype": "image",
                                                                  "image": {"media_id": media_id}})
        return await message_then_files(self.send, message, rendered, files, as_file=as_file)

    async def _send_template(self, message: Outbound, rendered: Rendered, refused: PermanentSendError) -> str:
        """The window is closed: each configured template in turn until WeChat takes one."""
        for name in dict.fromkeys((message.template, DEFAULT_TEMPLATE)):
            template = self._templates.get(name)
            if template is None:
                continue
            try:
                reply = await self._api.call("/cgi-bin/message/template/send",
                                             template_payload(message, rendered, template))
            except PermanentSendError as exc:
                refused = exc
                continue
            return f"template:{name}:{reply.get('msgid', '')}"
        raise refused

    async def _verify_url(self, request: web.Request) -> web.Response:
        """Server URL check from the admin console: echo `echostr` when the token signature matches."""
        try:
            signature, timestamp, nonce, echostr = require(request.query, "signature", "timestamp", "nonce", "echostr")
            check_token_signature(self._config.token, signature, timestamp, nonce)
            check_fresh(timestamp, self._clock)
        except Refused as refused:
            return web.Response(status=refused.status, text=refused.reason)
        return web.Response(text=echostr)

    async def _receive(self, request: web.Request) -> web.Response:
        return await accept(request, channel=self.name, open_=self._open, parse=self._parse, intake=self._intake,
                            ack="success")

    async def _open(self, request: web.Request) -> bytes:
        """Safe mode (`encrypt_type=aes`) is decrypted and its AppId checked; plaintext mode is trusted on the token
        signature alone, as WeChat defines it (compatible mode sends both and is handled as safe mode)."""
        body = await read_body(request, self._max_body)
        signature, timestamp, nonce = require(request.query, "signature", "timestamp", "nonce")
        check_token_signature(self._config.token, signature, timestamp, nonce)
        check_fresh(timestamp, self._clock)
        if request.query.get("encrypt_type", "raw") != "aes":
            return body
        if self._crypto is None:
            raise Refused(403, "encrypted push but no encoding_aes_key configured")
        (msg_signature,) = require(request.query, "msg_signature")
        return decrypt_body(self._crypto, body, msg_signature, timestamp, nonce)

    def _parse(self, xml: bytes) -> Inbound:
        return to_inbound(xml, account=self._config.app_id, menu_commands=self._menu_commands)


def template_payload(message: Outbound, rendered: Rendered, template: TemplateMessage) -> dict[str, Any]:
    values = {keyword: _source(source, message.data, rendered) for keyword, source in template.fields.items()}
    payload: dict[str, Any] = {"touser": message.recipient, "template_id": template.id,
                               "data": {k: {"value": v} for k, v in values.items()}}
    if template.url:
        payload["url"] = template.url
    return payload


def _source(source: str, data: Mapping[str, Any], rendered: Rendered) -> str:
    """A field's value: the rendered text or subject, or a dotted path into the message's data ("" if absent)."""
    if source == "text":
        return rendered.text
    if source == "subject":
        return rendered.subject
    value: Any = data
    for part in source.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else str(value)
