"""`WeChatChannel.send` against the fake API: customer-service messages, the 48-hour window and template fallback,
access-token caching/refresh shared by concurrent senders, and the retryable/permanent error split."""
from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import pytest

from channels.wechat.config import WeChatConfig
from channels.wechat.channel import WeChatChannel
from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Action, Rendered

CUSTOM = "/cgi-bin/message/custom/send"
TEMPLATE = "/cgi-bin/message/template/send"


def outbound(key: str = "out-1", template: str = "ticket_opened", **data) -> Outbound:
    return Outbound(channel="wechat", account="wx", recipient="o-customer", conversation="o-customer",
                    template=template, data=data, idempotency_key=key)


RENDERED = Rendered(markdown="已为您创建工单 **SR-20261123-0001**", text="已为您创建工单 SR-20261123-0001",
                    subject="", html="", actions=(Action(id="status", label="查询进度", command="查询进度"),))


async def test_customer_service_text_is_sent_as_utf8_json(channel, fake_api):
    fake_api.customer_wrote("o-customer")
    message_id = await channel.send(outbound(), RENDERED)
    [call] = fake_api.calls
    assert call.path == CUSTOM and message_id
    assert call.body == {"touser": "o-customer", "msgtype": "text", "text": {"content": RENDERED.text}}
    assert "已为您创建工单".encode() in call.raw and b"\\u" not in call.raw


async def test_one_token_serves_concurrent_senders(channel, fake_api):
    fake_api.customer_wrote("o-customer")
    await asyncio.gather(*(channel.send(outbound(f"k{i}"), RENDERED) for i in range(20)))
    assert fake_api.token_requests["wechat"] == 1
    assert len(fake_api.sent(CUSTOM)) == 20


@pytest.mark.parametrize("invalidate", ["expire_tokens", "revoke_tokens"], ids=["42001", "40001"])
async def test_rejected_token_is_refreshed_once_and_the_call_retried(channel, fake_api, invalidate):
    fake_api.customer_wrote("o-customer")
    await channel.send(outbound("a"), RENDERED)
    getattr(fake_api, invalidate)()
    await asyncio.gather(*(channel.send(outbound(f"b{i}"), RENDERED) for i in range(5)))
    assert fake_api.token_requests["wechat"] == 2
    assert len(fake_api.sent(CUSTOM)) == 6


async def test_token_is_renewed_before_it_expires(channel, fake_api, clock):
    fake_api.customer_wrote("o-customer")
    await channel.send(outbound("a"), RENDERED)
    clock.advance(7200 - 200)
    fake_api.customer_wrote("o-customer")
    await channel.send(outbound("b"), RENDERED)
    assert fake_api.token_requests["wechat"] == 2
    assert [c.errcode for c in fake_api.calls] == [0, 0]


async def test_closed_window_without_template_is_permanent_45015(channel, fake_api, clock):
    fake_api.customer_wrote("o-customer")
    clock.advance(48 * 3600 + 1)
    with pytest.raises(PermanentSendError) as failure:
        await channel.send(outbound(), RENDERED)
    assert failure.value.code == "45015"
    assert fake_api.sent(CUSTOM) == [] and fake_api.sent(TEMPLATE) == []


async def test_closed_window_falls_back_to_the_message_s_template(channel, fake_api):
    sent = await channel.send(outbound("a", template="survey_csat", code="SR-20261123-0001",
                                       ticket={"status": "closed"}), replace(RENDERED, subject="请评价"))
    by_name = await channel.send(outbound("b", template="dispatch_notice"), RENDERED)
    survey, notice = fake_api.sent(TEMPLATE)
    assert sent.startswith("template:survey_csat:") and by_name.startswith("template:dispatch_notice:")
    assert survey == {"touser": "o-customer", "template_id": "TPL_SURVEY", "url": "https://example.com/s",
                      "data": {"first": {"value": "请评价"}, "keyword1": {"value": "SR-20261123-0001"},
                               "keyword2": {"value": "closed"}, "remark": {"value": RENDERED.text}}}
    assert notice == {"touser": "o-customer", "template_id": "TPL_STATUS",
                      "data": {"content": {"value": RENDERED.text}}}


async def _channel(config, intake, clock, templates):  # type: ignore[no-untyped-def]
    channel = WeChatChannel(config=replace(config, templates=templates), intake=intake, clock=clock)
    await channel.start()
    return channel


async def test_then_to_the_default_template_and_past_one_wechat_refuses(config, intake, clock, fake_api):
    notice = {"id": "TPL_NOTICE", "fields": {"first": "text"}}
    channel = await _channel(config, intake, clock, {"survey_csat": {"id": "TPL_GONE", "fields": {"first": "text"}},
                                                     "default": notice})
    try:
        assert (await channel.send(outbound("a"), RENDERED)).startswith("template:default:")
        assert (await channel.send(outbound("b", template="survey_csat"), RENDERED)).startswith("template:default:")
    finally:
        await channel.stop()
    assert [c.body["template_id"] for c in fake_api.calls if c.path == TEMPLATE] == ["TPL_NOTICE", "TPL_GONE",
                                                                                      "TPL_NOTICE"]


async def test_a_template_wechat_refuses_with_none_left_is_permanent(config, intake, clock, fake_api):
    channel = await _channel(config, intake, clock, {"ticket_opened": {"id": "TPL_GONE", "fields": {"a": "text"}}})
    try:
        with pytest.raises(PermanentSendError) as failure:
            await channel.send(outbound(), RENDERED)
    finally:
        await channel.stop()
    assert failure.value.code == "40037"


@pytest.mark.parametrize("errcode, retry_after", [(45009, 60.0), (-1, 1.0)])
async def test_rate_limit_is_retryable_and_holds_back_all_senders(channel, fake_api, clock, errcode, retry_after):
    fake_api.customer_wrote("o-customer")
    fake_api.throttle(errcode)
    with pytest.raises(RetryableSendError) as first:
        await channel.send(outbound("a"), RENDERED)
    calls_before = len(fake_api.calls)
    with pytest.raises(RetryableSendError) as held:
        await channel.send(outbound("b"), RENDERED)
    assert (first.value.code, first.value.retry_after) == (str(errcode), retry_after)
    assert held.value.retry_after == pytest.approx(retry_after) and len(fake_api.calls) == calls_before
    clock.advance(retry_after)
    assert await channel.send(outbound("b"), RENDERED)


async def test_unreachable_api_is_retryable(intake, clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = WeChatConfig(app_id="wx", app_secret="s", token="t", api_base_url=f"http://127.0.0.1:{port}")
    channel = WeChatChannel(config=config, intake=intake, clock=clock)
    await channel.start()
    try:
        with pytest.raises(RetryableSendError):
            await channel.send(outbound(), RENDERED)
    finally:
        await channel.stop()


async def test_wrong_app_secret_fails_the_send(config, intake, clock, fake_api):
    channel = WeChatChannel(config=replace(config, app_secret="wrong"), intake=intake, clock=clock)
    await channel.start()
    try:
        with pytest.raises(PermanentSendError) as failure:
            await channel.send(outbound(), RENDERED)
        assert failure.value.code == "40125"
    finally:
        await channel.stop()
