"""Fixtures: a fake clock, the fake WeChat API, a started `WeChatChannel` pointed at it, and an HTTP client that
drives `/webhooks/wechat` the way WeChat's servers do."""
from __future__ import annotations

import pytest

from channels.wechat.config import WeChatConfig
from channels.wechat.channel import WeChatChannel
from core.clock import FakeClock
from testkit.fakes.intake import RecordingIntake
from testkit.fakes.weixin_api import FakeWeixinApi, new_aes_key, serve_routes, wechat_push

APP_ID = "wx1234567890abcdef"
TOKEN = "callbacktoken"
AES_KEY = new_aes_key()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_api(clock):
    api = await FakeWeixinApi(clock=clock, app_id=APP_ID, app_secret="appsecret", corp_id="ww-corp",
                              corp_secret="corpsecret", agent_id=1000002, templates=["TPL_STATUS", "TPL_SURVEY", "TPL_NOTICE"]).start()
    yield api
    await api.close()


@pytest.fixture
def intake() -> RecordingIntake:
    return RecordingIntake()


@pytest.fixture
def config(fake_api) -> WeChatConfig:
    return WeChatConfig(app_id=APP_ID, app_secret="appsecret", token=TOKEN, encoding_aes_key=AES_KEY,
                        api_base_url=fake_api.url, menu_commands={"MENU_STATUS": "查询进度"},
                        templates={"dispatch_notice": {"id": "TPL_STATUS", "fields": {"content": "text"}},
                                   "survey_csat": {"id": "TPL_SURVEY", "fields": {"first": "subject",
                                                                                   "keyword1": "code",
                                                                                   "keyword2": "ticket.status",
                                                                                   "remark": "text"},
                                                   "url": "https://example.com/s"}})


@pytest.fixture
async def channel(config, intake, clock):
    ch = WeChatChannel(config=config, intake=intake, clock=clock)
    await ch.start()
    yield ch
    await ch.stop()


@pytest.fixture
async def client(channel):
    http = await serve_routes(channel.routes())
    yield http
    await http.close()


@pytest.fixture
def push(client, clock):
    """POST one push; safe (AES) mode unless `safe=False`. Returns the aiohttp response."""
    async def _push(xml: str, *, safe: bool = True, **overrides):
        options = dict(token=TOKEN, xml=xml, timestamp=int(clock.now().timestamp()), openid="o-customer")
        if safe:
            options.update(aes_key=AES_KEY, app_id=APP_ID)
        options.update(overrides)
        query, body = wechat_push(**options)
        return await client.post("/webhooks/wechat", params=query, data=body)
    return _push
