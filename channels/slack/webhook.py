"""`POST /webhooks/slack` served by a bolt `AsyncApp` inside the hub's aiohttp app.

Order per request: signature (v0 HMAC, 5-minute window, judged by the hub's clock — bolt's own verifier cannot take
one, so it is switched off and done here) → well-formed body → bolt routes it (URL verification, events, slash
commands, buttons) → the listener commits the `Inbound` through the intake → ack. `process_before_response` makes
bolt answer Slack only after the listener returns, so a 200 means committed, and a failed commit is a 500 that
Slack retries. Retries are not filtered here: they reach the intake again and come back as duplicates.
Bolt learns the bot's identity from `BotIdentity` (its `authorize` hook) and holds a token-less client of its own:
listeners never call the Web API — replies leave through the outbox and `SlackChannel.send`.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Mapping

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock as SdkClock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from core.clock import Clock
from core.ports import IntakeSink
from channels.slack.identity import BotIdentity
from channels.slack.inbound import Malformed, action_inbounds, command_inbound, message_inbound

log = logging.getLogger(__name__)
ANY = re.compile(".*")


class _HubClock(SdkClock):
    """slack_sdk's clock interface (epoch seconds) over the hub's clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now().timestamp()


class SlackWebhook:
    """The one handler behind `POST /webhooks/slack`; see the module docstring for the order of checks."""

    def __init__(self, *, client: AsyncWebClient, signing_secret: str, intake: IntakeSink, clock: Clock) -> None:
        self._intake = intake
        self._clock = clock
        self._verifier = SignatureVerifier(signing_secret, clock=_HubClock(clock))
        self._identity = BotIdentity(client=client)
        self._app = AsyncApp(client=AsyncWebClient(base_url=client.base_url), signing_secret=signing_secret,
                             authorize=self._identity.bolt_authorize(),
                             request_verification_enabled=False, process_before_response=True, logger=log)
        self._app.event("message")(self._on_message)
        self._app.event("app_mention")(self._on_message)
        self._app.event(ANY)(self._on_other_event)
        self._app.command(ANY)(self._on_command)
        self._app.action(ANY)(self._on_action)
        self._app.error(self._on_error)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if not self._signed(body, timestamp, signature):
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            text = body.decode("utf-8")
            payload = parse_body(text, request.content_type)
            if not isinstance(payload, dict):
                raise ValueError("body is not an object")
        except ValueError as exc:
            return web.json_response({"error": f"malformed body: {exc}"}, status=400)
        if payload.get("type") != "url_verification":
            try:
                await self._identity.result()
            except (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                log.warning("slack auth.test failed, asking Slack to retry: %s", exc)
                return web.json_response({"error": "bot identity unavailable"}, status=503)
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=dict(request.headers))
        return await to_aiohttp_response(await self._app.async_dispatch(bolt_request))

    def _signed(self, body: bytes, timestamp: str | None, signature: str | None) -> bool:
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except ValueError:
            return False

    async def _on_message(self, body: Mapping[str, Any], context: AsyncBoltContext, ack: AsyncAck) -> None:
        inbound = message_inbound(body, bot_user_id=context.bot_user_id)
        if inbound is not None:
            await self._intake([inbound])
        await ack()

    async def _on_other_event(self, ack: AsyncAck) -> None:
        """Events the hub does not use (reactions, joins, app home) are acknowledged so Slack does not retry them."""
        await ack()

    async def _on_command(self, command: Mapping[str, Any], ack: AsyncAck) -> None:
        await self._intake([command_inbound(command, now=self._clock.now())])
        await ack()

    async def _on_action(self, body: Mapping[str, Any], ack: AsyncAck) -> None:
        inbounds = action_inbounds(body)
        if inbounds:
            await self._intake(inbounds)
        await ack()

    async def _on_error(self, error: Exception) -> BoltResponse | None:
        """A payload missing what Slack always sends is refused with a 400 (nothing was committed); anything else —
        a failed commit above all — stays bolt's 500 so Slack delivers it again."""
        if isinstance(error, Malformed):
            return BoltResponse(status=400, body={"error": f"malformed payload: {error}"})
        log.error("slack request failed: %s", error, exc_info=error)
        return None
