"""WeCom (企业微信) app channel (staff: technicians and supervisors): `/webhooks/wecom` callback and app messages.

Staff are identified by their WeCom userid (`Inbound.sender`); the hub matches it to a technician or supervisor.
Like WeChat, the callback is acknowledged (empty 200) only after the intake commit and answers go out via `send`.
"""
from __future__ import annotations

from typing import Any, Sequence

import aiohttp
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

from channels.base import OutgoingFile, SentWithFiles
from channels.outgoing import message_then_files
from channels.wecom.cards import button_card, clip, markdown, task_id
from channels.wecom.config import WeComConfig
from channels.wecom.inbound import to_inbound
from channels.tencent.api import WeixinApi, upload_image
from channels.tencent.callback import Refused, check_fresh, decrypt_body, decrypt_echo, read_body, require
from channels.tencent.session import SessionOwner
from channels.tencent.webhook import accept
from core.clock import Clock
from core.envelopes import Inbound, Outbound
from core.ports import FetchedMedia, IntakeSink, PermanentSendError
from templates.render import Rendered

REPLACE_NAME_MAX = 20
"""How much of a rewritten card's text its grey button label shows."""
CHAT_PREFIX = "chat:"
"""Recipients written ``chat:<chatid>`` are group chats (supervisor alerts), sent through `/cgi-bin/appchat/send`."""


class WeComChannel:
    name = "wecom"

    def __init__(self, *, config: WeComConfig, intake: IntakeSink, clock: Clock,
                 http: aiohttp.ClientSession | None = None, max_body_bytes: int = 1_048_576) -> None:
        self._config = config
        self._intake = intake
        self._clock = clock
        self._max_body = max_body_bytes
        self._account = f"{config.corp_id}:{config.agent_id}"
        self._crypto = WeChatCrypto(config.token, config.encoding_aes_key, config.corp_id)
        self._api = WeixinApi(base_url=config.api_base_url, token_path="/cgi-bin/gettoken", clock=clock,
                              token_params={"corpid": config.corp_id, "corpsecret": config.secret})
        self._session = SessionOwner(http)

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return [web.get("/webhooks/wecom", self._verify_url), web.post("/webhooks/wecom", self._receive)]

    async def start(self) -> None:
        self._api.bind(await self._session.open())

    async def stop(self) -> None:
        await self._session.close()

    async def fetch_media(self, source: str, *, max_bytes: int) -> FetchedMedia:
        """A message's image, voice, video or file by its media id (valid for three days)."""
        return await self._api.download("/cgi-bin/media/get", {"media_id": source}, max_bytes=max_bytes)

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        """Group chats get markdown (or text with numbered actions: cards cannot go to a group); a person gets
        markdown, or a button card when there are actions — preceded by the full text if the card had to shorten it.
        A card's id is ``<msgid>:<response_code>``: `replaces` with it turns the card's buttons into the message's
        subject (`update_template_card`, once per card); anything else that `replaces` is sent as a new message."""
        if message.replaces:
            msgid, _, code = message.replaces.partition(":")
            if code and not message.recipient.startswith(CHAT_PREFIX):
                await self._api.call("/cgi-bin/message/update_template_card", {
                    "userids": [message.recipient], "agentid": _agent_id(self._config.agent_id),
                    "response_code": code, "button": {"replace_name": clip(rendered.subject or rendered.text,
                                                                            REPLACE_NAME_MAX)}})
                return message.replaces
        if message.recipient.startswith(CHAT_PREFIX):
            chat = {"chatid": message.recipient[len(CHAT_PREFIX):]}
            await self._api.call("/cgi-bin/appchat/send", {**chat, **_plain(rendered)})
            return f"appchat:{chat['chatid']}:{message.idempotency_key}"
        if not rendered.actions:
            reply = await self._post_to_user(message.recipient, _markdown(rendered))
            return str(reply.get("msgid", ""))
        card, shortened = button_card(rendered, task=task_id(message.idempotency_key))
        if shortened:
            await self._post_to_user(message.recipient, {"msgtype": "text", "text": {"content": rendered.text}})
        reply = await self._post_to_user(message.recipient, {"msgtype": "template_card", "template_card": card})
        code = reply.get("response_code")
        return f"{reply.get('msgid', '')}:{code}" if code else str(reply.get("msgid", ""))

    async def send_with_files(self, message: Outbound, rendered: Rendered,
                              files: Sequence[OutgoingFile]) -> SentWithFiles:
        """The message, then each photo as an image message (uploaded as temporary media first) to the same person
        or group chat; a file that is not an image, or that WeCom refuses, goes as its link."""

        async def as_file(file: OutgoingFile) -> None:
            image = {"msgtype": "image", "image": {"media_id": await upload_image(self._api, file)}}
            if message.recipient.startswith(CHAT_PREFIX):
                await self._api.call("/cgi-bin/appchat/send",
                                     {"chatid": message.recipient[len(CHAT_PREFIX):], **image})
            else:
                await self._post_to_user(message.recipient, image)
        return await message_then_files(self.send, message, rendered, files, as_file=as_file)

    async def _post_to_user(self, userid: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = await self._api.call("/cgi-bin/message/send",
                                     {"touser": userid, "agentid": _agent_id(self._config.agent_id), **body})
        if reply.get("invaliduser"):
            raise PermanentSendError(f"WeCom user {reply['invaliduser']!r} unknown or out of the app's visible range",
                                     code="81013")
        return reply

    async def _verify_url(self, request: web.Request) -> web.Response:
        """Callback URL check: the echo string is signed and encrypted; answer its plaintext."""
        try:
            signature, timestamp, nonce, echostr = require(request.query, "msg_signature", "timestamp", "nonce",
                                                           "echostr")
            check_fresh(timestamp, self._clock)
            plain = decrypt_echo(self._crypto, signature, timestamp, nonce, echostr)
        except Refused as refused:
            return web.Response(status=refused.status, text=refused.reason)
        return web.Response(text=plain)

    async def _receive(self, request: web.Request) -> web.Response:
        return await accept(request, channel=self.name, open_=self._open, parse=self._parse, intake=self._intake,
                            ack="")

    async def _open(self, request: web.Request) -> bytes:
        body = await read_body(request, self._max_body)
        signature, timestamp, nonce = require(request.query, "msg_signature", "timestamp", "nonce")
        check_fresh(timestamp, self._clock)
        return decrypt_body(self._crypto, body, signature, timestamp, nonce)

    def _parse(self, xml: bytes) -> Inbound:
        inbound = to_inbound(xml, account=self._account)
        agent = str(inbound.raw.get("AgentID") or "")
        if agent and agent != str(self._config.agent_id):
            raise Refused(403, "pushed for another agent")
        return inbound


def _agent_id(agent_id: str) -> int | str:
    return int(agent_id) if str(agent_id).isdigit() else agent_id


def _markdown(rendered: Rendered) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": markdown(rendered)}}


def _plain(rendered: Rendered) -> dict[str, Any]:
    if rendered.actions:
        return {"msgtype": "text", "text": {"content": rendered.text}}
    return _markdown(rendered)
