"""`WeComChannel.send` against the fake API: markdown to staff, dispatch cards whose buttons come back as commands,
group-chat alerts, token/backoff handling shared with WeChat, and photos after a message (uploaded as temporary
media, then an image message; a file that cannot go as an image goes as its link)."""
from __future__ import annotations

import asyncio

import pytest

from channels.base import OutgoingFile
from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Action, Rendered
from testkit.fakes.weixin_api import message_xml
from testkit.media_samples import png

SEND = "/cgi-bin/message/send"
APPCHAT = "/cgi-bin/appchat/send"


def outbound(recipient: str = "zhang.wei", key: str = "outbox:42:dispatch") -> Outbound:
    return Outbound(channel="wecom", account="corp:1000002", recipient=recipient, conversation=recipient,
                    template="dispatch_notice", data={}, idempotency_key=key)


NOTICE = Rendered(markdown="**SLA 预警** SR-20261123-0001 首次响应将在 10 分钟后超时",
                  text="SLA 预警 SR-20261123-0001 首次响应将在 10 分钟后超时", subject="", html="", actions=())
DISPATCH = Rendered(
    markdown="**新派单** SR-20261123-0001\n空调不制冷 · 上海市浦东新区张江路 88 号", subject="",
    text="新派单 SR-20261123-0001\n空调不制冷 · 上海市浦东新区张江路 88 号\n\n1. 接单\n2. 拒单", html="",
    actions=(Action(id="accept", label="接单", command="接单 SR-20261123-0001"),
             Action(id="decline", label="拒单", command="拒单 SR-20261123-0001")))


async def test_plain_notice_goes_as_markdown(channel, fake_api):
    message_id = await channel.send(outbound(), NOTICE)
    [body] = fake_api.sent(SEND)
    assert message_id.startswith("wecom-")
    assert body == {"touser": "zhang.wei", "agentid": 1000002, "msgtype": "markdown",
                    "markdown": {"content": NOTICE.markdown}}


async def test_dispatch_is_a_button_card_whose_keys_are_the_commands(channel, fake_api):
    await channel.send(outbound(), DISPATCH)
    [body] = fake_api.sent(SEND)
    card = body["template_card"]
    assert body["msgtype"] == "template_card" and card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == "新派单 SR-20261123-0001"
    assert card["sub_title_text"] == "空调不制冷 · 上海市浦东新区张江路 88 号"
    assert [(b["text"], b["key"]) for b in card["button_list"]] == [
        ("接单", "接单 SR-20261123-0001"), ("拒单", "拒单 SR-20261123-0001")]
    assert card["task_id"].startswith("outbox_42_dispatch-")


async def test_pressing_the_card_button_reaches_the_hub_as_the_command(channel, fake_api, push, intake):
    await channel.send(outbound(), DISPATCH)
    card = fake_api.sent(SEND)[0]["template_card"]
    pressed = message_xml({"ToUserName": "ww0123456789abcdef", "FromUserName": "zhang.wei",
                           "CreateTime": 1795399260, "MsgType": "event", "Event": "template_card_event",
                           "EventKey": card["button_list"][0]["key"], "TaskId": card["task_id"],
                           "CardType": "button_interaction", "ResponseCode": "rc", "AgentID": 1000002})
    typed = message_xml({"ToUserName": "ww0123456789abcdef", "FromUserName": "zhang.wei", "CreateTime": 1795399261,
                         "MsgType": "text", "Content": "接单 SR-20261123-0001", "MsgId": 8001, "AgentID": 1000002})
    await push(pressed)
    await push(typed)
    assert [i.text for i in intake.committed] == ["接单 SR-20261123-0001", "接单 SR-20261123-0001"]


async def test_text_too_long_for_a_card_is_sent_in_full_first(channel, fake_api):
    long = Rendered(markdown="**新派单** SR-1\n" + "故障描述" * 60, text="新派单 SR-1\n" + "故障描述" * 60 + "\n\n1. 接单",
                    subject="", html="", actions=DISPATCH.actions[:1])
    await channel.send(outbound(), long)
    full, card = fake_api.sent(SEND)
    assert full["msgtype"] == "text" and full["text"]["content"] == long.text
    assert card["msgtype"] == "template_card" and len(card["template_card"]["sub_title_text"]) <= 112


async def test_group_chat_alerts_use_appchat(channel, fake_api):
    await channel.send(outbound("chat:supervisors"), NOTICE)
    await channel.send(outbound("chat:supervisors", key="k2"), DISPATCH)
    markdown, text = fake_api.sent(APPCHAT)
    assert markdown == {"chatid": "supervisors", "msgtype": "markdown", "markdown": {"content": NOTICE.markdown}}
    assert text == {"chatid": "supervisors", "msgtype": "text", "text": {"content": DISPATCH.text}}
    assert fake_api.sent(SEND) == []


async def test_expired_token_is_refreshed_once_for_all_senders(channel, fake_api):
    await channel.send(outbound(), NOTICE)
    fake_api.expire_tokens()
    await asyncio.gather(*(channel.send(outbound(key=f"k{i}"), NOTICE) for i in range(10)))
    assert fake_api.token_requests["wecom"] == 2 and len(fake_api.sent(SEND)) == 11


async def test_rate_limit_is_retryable(channel, fake_api):
    fake_api.throttle(45009)
    with pytest.raises(RetryableSendError) as failure:
        await channel.send(outbound(), NOTICE)
    assert failure.value.code == "45009" and failure.value.retry_after


async def test_platform_refusal_is_permanent_with_its_errcode(channel, fake_api):
    with pytest.raises(PermanentSendError) as failure:
        await channel.send(outbound("chat:"), NOTICE)
    assert failure.value.code == "86003"


async def test_a_photo_goes_after_its_message_as_an_image_and_a_pdf_as_its_link(channel, fake_api):
    picture = png(64, 48)
    link = Rendered(markdown="完工照片：https://service.example.com/media/k", subject="", html="", actions=(),
                    text="完工照片：https://service.example.com/media/k")
    files = [OutgoingFile(data=picture, content_type="image/png", name="done.png", fallback=link),
             OutgoingFile(data=b"%PDF-1.4", content_type="application/pdf", name="sheet.pdf", fallback=link)]
    sent = await channel.send_with_files(outbound(), NOTICE, files)

    assert [f.way for f in sent.files] == ["file", "link"] and "not_an_image" in sent.files[1].detail
    notice, image, pdf_link = fake_api.sent(SEND)
    assert notice["msgtype"] == "markdown" and pdf_link["markdown"]["content"] == link.markdown
    assert image["msgtype"] == "image" and image["agentid"] == 1000002
    [uploaded] = fake_api.uploads
    assert image["image"]["media_id"] == uploaded
    held = fake_api.media[uploaded]
    assert (held.data, held.content_type, held.filename, held.platform) == (picture, "image/png", "done.png", "wecom")


async def test_an_upload_the_platform_refuses_goes_as_its_link(channel, fake_api):
    link = Rendered(markdown="完工照片：/media/k", text="完工照片：/media/k", subject="", html="", actions=())
    sent = await channel.send_with_files(outbound(), NOTICE, [
        OutgoingFile(data=b"not really a jpeg", content_type="image/jpeg", name="x.jpg", fallback=link)])
    assert sent.files[0].way == "link" and "40005" in sent.files[0].detail
    assert [b["msgtype"] for b in fake_api.sent(SEND)] == ["markdown", "markdown"] and fake_api.uploads == []
