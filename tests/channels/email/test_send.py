"""SMTP replies against aiosmtpd: threaded, marked automatic, rate limited, typed errors."""
from __future__ import annotations

import pytest

from channels.email.threads import conversation_of_ours
from core.clock import FakeClock
from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Rendered

RENDERED = Rendered(markdown="**已受理**", text="已受理，工单号 SR-20261123-0001。", subject="",
                    html="<p>已受理，工单号 <b>SR-20261123-0001</b>。</p>", actions=())


def answer(recipient: str = "zhang@customer.cn", key: str = "outbox-1", **data) -> Outbound:
    return Outbound(channel="email", account="agent@example.test", recipient=recipient,
                    conversation="<root-1@customer.cn>", template="ticket_opened",
                    data={"subject": "冰箱不制冷", "ticket_id": "SR-20261123-0001",
                          "references": ["<root-1@customer.cn>"], **data},
                    idempotency_key=key, reply_to="<reply-2@customer.cn>")


async def test_reply_is_threaded_multipart_and_marked_automatic(build_channel, smtp_peer):
    channel = build_channel(smtp_port=smtp_peer.port)
    message_id = await channel.send(answer(), RENDERED)
    [mail] = smtp_peer.recorder.mails
    assert mail["Message-ID"].strip() == message_id  # long ids are folded onto their own line (RFC 5322 CFWS)
    assert conversation_of_ours(message_id, "aftersales.test") == "<root-1@customer.cn>"
    assert mail["Subject"] == "Re: 冰箱不制冷 [SR-20261123-0001]"
    assert mail["In-Reply-To"] == "<reply-2@customer.cn>"
    assert mail["References"] == "<root-1@customer.cn> <reply-2@customer.cn>"
    assert mail["Auto-Submitted"] == "auto-replied" and mail["X-Auto-Response-Suppress"] == "All"
    assert mail["X-Loop"] == "service@aftersales.test" and mail["To"] == "zhang@customer.cn"
    assert mail.get_content_type() == "multipart/alternative"
    assert mail.get_body(("plain",)).get_content().strip() == RENDERED.text
    assert "<b>SR-20261123-0001</b>" in mail.get_body(("html",)).get_content()


async def test_same_outbox_row_keeps_its_message_id_and_human_answers_are_not_automatic(build_channel, smtp_peer):
    channel = build_channel(smtp_port=smtp_peer.port)
    rendered = Rendered(markdown="", text="师傅明天到。", subject="上门时间 [SR-20261123-0001]", html="", actions=())
    first = await channel.send(answer(human=True), rendered)
    again = await channel.send(answer(human=True), rendered)
    assert first == again
    mail = smtp_peer.recorder.mails[0]
    assert mail["Auto-Submitted"] is None and mail["Subject"] == "上门时间 [SR-20261123-0001]"
    assert mail.get_content_type() == "text/plain"


@pytest.mark.parametrize("recipient", ["noreply@customer.cn", "MAILER-DAEMON@mx.customer.cn",
                                       "postmaster@customer.cn", "do-not-reply@shop.cn", "not-an-address"])
async def test_machine_addresses_are_never_answered(build_channel, smtp_peer, recipient):
    channel = build_channel(smtp_port=smtp_peer.port)
    with pytest.raises(PermanentSendError):
        await channel.send(answer(recipient=recipient), RENDERED)
    assert smtp_peer.recorder.mails == []


async def test_per_address_rate_limit_then_allowed_again(build_channel, smtp_peer):
    clock = FakeClock()
    channel = build_channel(smtp_port=smtp_peer.port, clock=clock, send_limit=2)
    await channel.send(answer(key="a"), RENDERED)
    clock.advance(60)
    await channel.send(answer(key="b"), RENDERED)
    with pytest.raises(RetryableSendError) as refused:
        await channel.send(answer(key="c"), RENDERED)
    assert refused.value.retry_after == 3600 - 60
    await channel.send(answer(key="d", recipient="li@customer.cn"), RENDERED)
    clock.advance(3600 - 60)
    await channel.send(answer(key="c"), RENDERED)
    assert len(smtp_peer.recorder.mails) == 4


async def test_refused_recipient_is_permanent(build_channel, smtp_peer):
    channel = build_channel(smtp_port=smtp_peer.port)
    with pytest.raises(PermanentSendError) as refused:
        await channel.send(answer(recipient="refuse-me@customer.cn"), RENDERED)
    assert refused.value.code == "550"


async def test_unreachable_relay_is_retryable(build_channel):
    from testkit.email_peers import free_port

    channel = build_channel(smtp_port=free_port())
    with pytest.raises(RetryableSendError):
        await channel.send(answer(), RENDERED)

