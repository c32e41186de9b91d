"""Outbound through slack_sdk against the fake Web API: threads, Block Kit buttons, in-place updates, failures."""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from channels.slack.channel import SlackChannel
from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Action, Rendered

ACCEPT = Action(id="accept", label="接单", command="接单 SR-20261123-0001", style="primary")
DECLINE = Action(id="decline", label="拒单", command="拒单 SR-20261123-0001", style="danger")


def _outbound(conversation: str = "C0SHARED:1763859600.000200", recipient: str = "U0CUST",
              replaces: str | None = None, **data) -> Outbound:
    return Outbound(channel="slack", account="T0CUSTOMER", recipient=recipient, conversation=conversation,
                    template="dispatch_notice", data=data, idempotency_key="out-1", replaces=replaces)


def _rendered(markdown: str = "**新工单** SR-20261123-0001 <维修>", actions: tuple[Action, ...] = ()) -> Rendered:
    text = markdown.replace("**", "")
    if actions:
        text += "\n\n" + "\n".join(f"{n}. {a.label}: {a.command}" for n, a in enumerate(actions, 1))
    return Rendered(markdown=markdown, text=text, subject="", html="", actions=actions)


async def test_reply_goes_into_the_thread_as_mrkdwn(channel, fake_api):
    message_id = await channel.send(_outbound(), _rendered())
    [call] = fake_api.called("chat.postMessage")
    assert call["channel"] == "C0SHARED"
    assert call["thread_ts"] == "1763859600.000200"
    assert call["blocks"] == [{"type": "section",
                               "text": {"type": "mrkdwn", "text": "*新工单* SR-20261123-0001 &lt;维修&gt;"}}]
    assert call["text"] == "新工单 SR-20261123-0001 &lt;维修&gt;"
    channel_id, ts = message_id.split(":")
    assert channel_id == "C0SHARED"
    assert (channel_id, ts) in fake_api.messages


async def test_buttons_become_an_actions_block(channel, fake_api):
    await channel.send(_outbound(conversation="C0DISPATCH"), _rendered(actions=(ACCEPT, DECLINE)))
    [call] = fake_api.called("chat.postMessage")
    assert call["channel"] == "C0DISPATCH"
    assert "thread_ts" not in call
    section, actions = call["blocks"]
    assert actions["type"] == "actions"
    assert [(b["action_id"], b["value"], b["text"]["text"], b.get("style")) for b in actions["elements"]] == [
        ("as_accept_0", "接单 SR-20261123-0001", "接单", "primary"),
        ("as_decline_1", "拒单 SR-20261123-0001", "拒单", "danger")]
    assert "1. 接单: 接单 SR-20261123-0001" in call["text"]


async def test_links_and_headings_convert_to_mrkdwn(channel, fake_api):
    await channel.send(_outbound(), _rendered("# 进度\n见 [工单页](https://hub.test/t/1) & 说明"))
    [call] = fake_api.called("chat.postMessage")
    assert call["blocks"][0]["text"]["text"] == "*进度*\n见 <https://hub.test/t/1|工单页> &amp; 说明"


async def test_long_text_is_split_into_sections(channel, fake_api):
    paragraph = "故障描述" * 200
    await channel.send(_outbound(), _rendered("\n\n".join([paragraph] * 5)))
    [call] = fake_api.called("chat.postMessage")
    sections = [b["text"]["text"] for b in call["blocks"]]
    assert len(sections) > 1
    assert all(len(s) <= 3000 for s in sections)


async def test_no_conversation_goes_to_the_recipient_or_alerts_channel(channel, fake_api):
    await channel.send(_outbound(conversation="", recipient="U0SUPERVISOR"), _rendered())
    await channel.send(_outbound(conversation="", recipient=""), _rendered())
    assert [c["channel"] for c in fake_api.called("chat.postMessage")] == ["U0SUPERVISOR", "C0ALERTS"]


async def test_accepted_job_updates_the_dispatch_message_in_place(channel, fake_api):
    posted = await channel.send(_outbound(conversation="C0DISPATCH"), _rendered(actions=(ACCEPT, DECLINE)))
    updated = await channel.send(_outbound(conversation="C0DISPATCH", replaces=posted),
                                 _rendered("SR-20261123-0001 已由 **王五** 接单"))
    assert updated == posted
    [call] = fake_api.called("chat.update")
    assert f"{call['channel']}:{call['ts']}" == posted
    assert [b["type"] for b in call["blocks"]] == ["section"]
    assert fake_api.messages[tuple(posted.split(":"))]["text"] == "SR-20261123-0001 已由 王五 接单"
    assert len(fake_api.called("chat.postMessage")) == 1


async def test_update_of_an_unknown_message_is_permanent(channel, fake_api):
    with pytest.raises(PermanentSendError) as info:
        await channel.send(_outbound(replaces="C0DISPATCH:1.000001"), _rendered())
    assert info.value.code == "message_not_found"
    with pytest.raises(PermanentSendError) as info:
        await channel.send(_outbound(replaces="garbage"), _rendered())
    assert info.value.code == "bad_message_id"


async def test_rate_limit_is_retryable_with_retry_after(channel, fake_api):
    fake_api.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(RetryableSendError) as info:
        await channel.send(_outbound(), _rendered())
    assert info.value.retry_after == 7
    assert info.value.code == "ratelimited"
    assert len(fake_api.called("chat.postMessage")) == 1
    assert await channel.send(_outbound(), _rendered())
    assert len(fake_api.called("chat.postMessage")) == 2


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth"])
async def test_refusals_are_permanent_and_named(channel, fake_api, error):
    fake_api.fail("chat.postMessage", error)
    with pytest.raises(PermanentSendError) as info:
        await channel.send(_outbound(), _rendered())
    assert info.value.code == error
    assert "C0SHARED" in str(info.value)
    assert len(fake_api.called("chat.postMessage")) == 1


@asynccontextmanager
async def _started(config, intake, clock, **changes):
    channel = SlackChannel(config=replace(config, **changes), intake=intake, clock=clock)
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()


async def test_wrong_token_is_permanent(fake_api, intake, clock, config):
    async with _started(config, intake, clock, bot_token="xoxb-revoked") as wrong:
        with pytest.raises(PermanentSendError) as info:
            await wrong.send(_outbound(), _rendered())
    assert info.value.code == "invalid_auth"


async def test_platform_5xx_is_retryable(channel, fake_api):
    fake_api.fail("chat.postMessage", "internal_error", status=503)
    with pytest.raises(RetryableSendError) as info:
        await channel.send(_outbound(), _rendered())
    assert info.value.code == "internal_error"


async def test_unreachable_api_is_retryable(intake, clock, config):
    async with _started(config, intake, clock, api_base_url="http://127.0.0.1:9/api/") as down:
        with pytest.raises(RetryableSendError) as info:
            await down.send(_outbound(), _rendered())
    assert info.value.code == "network"
