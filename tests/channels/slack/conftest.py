"""Fixtures: a fake clock, the fake Slack Web API, a started `SlackChannel` pointed at it, an in-memory intake that
reports duplicates like the hub's inbox, and `slack` — a driver that signs and posts to `/webhooks/slack` exactly the
way Slack's servers do (events as JSON, slash commands as a form, button presses as a form field `payload`)."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels.slack.config import SlackConfig
from channels.slack.channel import SlackChannel
from core.clock import FakeClock
from testkit.fakes.intake import RecordingIntake
from testkit.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlackApi, sign

BOT_TOKEN = "xoxb-1-test-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class SlackDriver:
    """Builds Slack's payloads, signs them with the app's signing secret at the fake clock's time, posts them."""

    def __init__(self, client: TestClient, clock: FakeClock) -> None:
        self.client = client
        self.clock = clock
        self._seq = 0

    async def post(self, body: bytes, *, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   headers: dict[str, str] | None = None):
        ts = int(self.clock.now().timestamp()) if timestamp is None else timestamp
        all_headers = {"Content-Type": content_type, **sign(secret, ts, body), **(headers or {})}
        return await self.client.post("/webhooks/slack", data=body, headers=all_headers)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None,
                    **envelope: Any):
        body = self.envelope(event, event_id=event_id, **envelope)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(json.dumps(body).encode(), content_type="application/json", headers=headers)

    def envelope(self, event: dict[str, Any], *, event_id: str | None = None, **extra: Any) -> dict[str, Any]:
        self._seq += 1
        return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "type": "event_callback",
                "event": event, "event_id": event_id or f"Ev{self._seq:08d}",
                "event_time": int(self.clock.now().timestamp()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}], **extra}

    def message(self, text: str, *, user: str = "U0CUST", channel: str = "C0SHARED", ts: str | None = None,
                **fields: Any) -> dict[str, Any]:
        self._seq += 1
        ts = ts or f"{int(self.clock.now().timestamp())}.{self._seq:06d}"
        return {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel,
                "channel_type": "channel", "team": TEAM_ID, **fields}

    async def command(self, text: str, **fields: Any):
        self._seq += 1
        form = {"token": "legacy", "team_id": TEAM_ID, "team_domain": "customer", "channel_id": "C0SHARED",
                "channel_name": "acme-support", "user_id": "U0CUST", "user_name": "li.lei", "command": "/ticket",
                "text": text, "api_app_id": "A0APP", "response_url": "https://hooks.slack.test/commands/1",
                "trigger_id": f"1337.{self._seq}.abc", **fields}
        return await self.post(urlencode(form).encode(), content_type="application/x-www-form-urlencoded")

    def block_actions(self, value: str, *, user: str = "U0TECH", channel: str = "C0DISPATCH",
                      message_ts: str = "1763859600.000100", thread_ts: str | None = None) -> dict[str, Any]:
        self._seq += 1
        message = {"type": "message", "ts": message_ts, "text": "dispatch", "bot_id": "B0BOT"}
        if thread_ts:
            message["thread_ts"] = thread_ts
        return {"type": "block_actions", "team": {"id": TEAM_ID, "domain": "customer"},
                "user": {"id": user, "username": "wang.wu", "name": "wang.wu", "team_id": TEAM_ID},
                "api_app_id": "A0APP", "token": "legacy", "trigger_id": f"2448.{self._seq}.def",
                "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                              "is_ephemeral": False},
                "channel": {"id": channel, "name": "dispatch"}, "message": message,
                "response_url": "https://hooks.slack.test/actions/1",
                "actions": [{"action_id": "as_accept_0", "block_id": "as_actions_0", "type": "button",
                             "value": value, "text": {"type": "plain_text", "text": "Accept"},
                             "action_ts": f"{int(self.clock.now().timestamp())}.{self._seq:06d}"}]}

    async def action(self, payload: dict[str, Any]):
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, content_type="application/x-www-form-urlencoded")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_api():
    api = await FakeSlackApi(token=BOT_TOKEN).start()
    yield api
    await api.close()


@pytest.fixture
def intake() -> RecordingIntake:
    return RecordingIntake()


@pytest.fixture
def config(fake_api) -> SlackConfig:
    return SlackConfig(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_base_url=fake_api.url,
                       alerts_channel="C0ALERTS")


@pytest.fixture
async def channel(config, intake, clock):
    ch = SlackChannel(config=config, intake=intake, clock=clock)
    await ch.start()
    yield ch
    await ch.stop()


@pytest.fixture
async def slack(channel, clock):
    app = web.Application()
    app.add_routes(channel.routes())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield SlackDriver(client, clock)
    await client.close()
