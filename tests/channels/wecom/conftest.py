"""Fixtures: a fake clock, the fake WeCom API, a started `WeComChannel` pointed at it, and an HTTP client that
drives `/webhooks/wecom` with callbacks encrypted the way WeCom builds them."""
from __future__ import annotations

import pytest

from channels.wecom.config import WeComConfig
from channels.wecom.channel import WeComChannel
from core.clock import FakeClock
from testkit.fakes.intake import RecordingIntake
from testkit.fakes.weixin_api import FakeWeixinApi, new_aes_key, serve_routes, wecom_push

CORP_ID = "ww0123456789abcdef"
AGENT_ID = 1000002


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_api(clock):
    api = await FakeWeixinApi(clock=clock, app_id="wx-unused", app_secret="unused", corp_id=CORP_ID,
                              corp_secret="corpsecret", agent_id=AGENT_ID).start()
    yield api
    await api.close()


@pytest.fixture
def intake() -> RecordingIntake:
    return RecordingIntake()


@pytest.fixture
def config(fake_api) -> WeComConfig:
    return WeComConfig(corp_id=CORP_ID, agent_id=str(AGENT_ID), secret="corpsecret", token="wecomtoken",
                       encoding_aes_key=new_aes_key(), api_base_url=fake_api.url)


@pytest.fixture
async def channel(config, intake, clock):
    ch = WeComChannel(config=config, intake=intake, clock=clock)
    await ch.start()
    yield ch
    await ch.stop()


@pytest.fixture
async def client(channel):
    http = await serve_routes(channel.routes())
    yield http
    await http.close()


@pytest.fixture
def push(client, clock, config):
    """POST one encrypted callback; keyword overrides change what the platform would sign/encrypt with."""
    async def _push(xml: str, **overrides):
        options = dict(token=config.token, aes_key=config.encoding_aes_key, corp_id=config.corp_id,
                       agent_id=AGENT_ID, xml=xml, timestamp=int(clock.now().timestamp()))
        options.update(overrides)
        query, body = wecom_push(**options)
        return await client.post("/webhooks/wecom", params=query, data=body)
    return _push
