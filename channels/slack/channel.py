"""Slack channel: B2B customers in Slack Connect channels and DMs, technicians and supervisors in internal channels.

Inbound through `/webhooks/slack` (see `webhook`). Outbound with slack_sdk's `AsyncWebClient` against
`config.api_base_url`: replies go into the conversation's thread, buttons become a Block Kit actions block, and
`Outbound.replaces` rewrites an earlier message in place (buttons removed). `send` returns ``"{channel_id}:{ts}"``
— the id to pass back as `replaces`, and the same form as a message's `external_id` inbound.
"""
from __future__ import annotations

import asyncio
from typing import Sequence
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from channels.base import OutgoingFile, SentWithFiles
from channels.downloads import TIMEOUT as DOWNLOAD_TIMEOUT, read_limited
from channels.outgoing import message_then_files
from channels.slack.api import checked
from channels.slack.blocks import message_body
from channels.slack.config import SlackConfig
from channels.slack.webhook import SlackWebhook
from core.clock import Clock
from core.envelopes import Outbound
from core.ports import FetchedMedia, IntakeSink, MediaGone, PermanentSendError, RetryableSendError
from templates.render import Rendered

API_TIMEOUT_SECONDS = 10


class SlackChannel:
    name = "slack"

    def __init__(self, *, config: SlackConfig, intake: IntakeSink, clock: Clock) -> None:
        self._config = config
        self._client = AsyncWebClient(token=config.bot_token, base_url=config.api_base_url,
                                      timeout=API_TIMEOUT_SECONDS)
        self._webhook = SlackWebhook(client=self._client, signing_secret=config.signing_secret, intake=intake,
                                     clock=clock)

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        return [web.post("/webhooks/slack", self._webhook.handle)]

    async def start(self) -> None:
        """One HTTP session for all API calls (the SDK otherwise opens one per call)."""
        self._client.session = aiohttp.ClientSession()

    async def stop(self) -> None:
        session, self._client.session = self._client.session, None
        if session is not None:
            await session.close()

    async def fetch_media(self, source: str, *, max_bytes: int) -> FetchedMedia:
        """A shared file's `url_private`, downloaded with the bot token — sent only to Slack's own hosts (or the
        configured API's), never to an address someone else chose."""
        if not self._slack_host(source):
            raise MediaGone(f"not a Slack file address: {source}")
        session = self._client.session
        if session is None:
            raise RetryableSendError("Slack channel not started")
        try:
            async with session.get(source, headers={"Authorization": f"Bearer {self._config.bot_token}"},
                                   timeout=DOWNLOAD_TIMEOUT) as resp:
                if resp.status == 429 or resp.status >= 500:
                    raise RetryableSendError(f"Slack file download: HTTP {resp.status}", code=f"http{resp.status}")
                if resp.status in (403, 404, 410):
                    raise MediaGone(f"Slack file download: HTTP {resp.status}")
                if resp.status != 200 or resp.content_type == "text/html":
                    raise PermanentSendError(f"Slack file download: HTTP {resp.status} {resp.content_type} (does "
                                             "the bot token have the files:read scope?)")
                data = await read_limited(resp, max_bytes)
                return FetchedMedia(data=data, content_type=resp.content_type)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RetryableSendError(f"Slack file download: {type(exc).__name__}: {exc}") from exc

    def _slack_host(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        api = urlsplit(self._config.api_base_url)
        return (parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))) or (
            (parts.scheme, host, parts.port) == (api.scheme, api.hostname, api.port))

    async def send(self, message: Outbound, rendered: Rendered) -> str:
        if message.replaces:
            channel_id, ts = _message_id(message.replaces)
            reply = await checked(f"chat.update in {channel_id}", self._client.chat_update(
                channel=channel_id, ts=ts, **message_body(rendered, with_actions=False)))
        else:
            channel_id, thread_ts = self._destination(message)
            reply = await checked(f"chat.postMessage to {channel_id}", self._client.chat_postMessage(
                channel=channel_id, thread_ts=thread_ts, **message_body(rendered)))
        return f"{reply['channel']}:{reply['ts']}"

    async def send_with_files(self, message: Outbound, rendered: Rendered,
                              files: Sequence[OutgoingFile]) -> SentWithFiles:
        """The message, then each file shared into the same conversation through Slack's external upload
        (`files.getUploadURLExternal`, the bytes to the URL it gives, `files.completeUploadExternal`); a file
        Slack refuses goes as its link."""
        channel_id, thread_ts = self._destination(message)

        async def as_file(file: OutgoingFile) -> None:
            await checked(f"files_upload_v2 to {channel_id}", self._client.files_upload_v2(
                channel=channel_id, thread_ts=thread_ts, file=file.data, filename=file.name, title=file.name))
        return await message_then_files(self.send, message, rendered, files, as_file=as_file)

    def _destination(self, message: Outbound) -> tuple[str, str | None]:
        """``C…:ts`` → that thread; a bare channel or user id → top-level there (a user id opens the bot's DM);
        nothing at all → the alerts channel."""
        target = message.conversation or message.recipient or self._config.alerts_channel
        if not target:
            raise PermanentSendError("Slack message has no conversation, recipient or alerts channel",
                                     code="no_destination")
        channel_id, _, thread_ts = target.partition(":")
        return channel_id, thread_ts or None


def _message_id(value: str) -> tuple[str, str]:
    channel_id, _, ts = value.partition(":")
    if not channel_id or not ts:
        raise PermanentSendError(f"replaces {value!r} is not '<channel_id>:<ts>'", code="bad_message_id")
    return channel_id, ts
