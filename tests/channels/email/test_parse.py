"""Parsing without a server: charsets, bodies, reply stripping, threading keys and the automatic-mail guard."""
from __future__ import annotations

import base64

import pytest

from channels.email.body import html_to_text, new_content
from channels.email.charsets import decode_bytes, decode_header_value
from channels.email.parse import UnparseableMail, parse_mail
from channels.email.threads import our_message_id, thread_key, ticket_id_in
from testkit.email_samples import bounce, broken_mime, html_only, mail


@pytest.mark.parametrize(("text", "codec", "label"), [
    ("朱镕基", "gbk", "gb2312"),           # GBK-only character under a GB2312 label
    ("堃𠀀", "gb18030", "gbk"),             # four-byte GB18030 under a GBK label
    ("印表機卡紙", "big5", "big5"),
    ("热水器漏水了", "gbk", "iso-8859-1"),  # client wrote its default label over GBK bytes
    ("热水器漏水了", "utf-8", "us-ascii"),
    ("热水器漏水了", "gbk", "utf-8"),       # declared UTF-8, written in GBK
    ("热水器漏水了", "gbk", "x-unknown-charset"),
])
def test_decode_survives_narrow_and_wrong_labels(text, codec, label):
    assert decode_bytes(text.encode(codec), label) == text


def test_latin1_text_stays_latin1():
    assert decode_bytes("café crème".encode("latin-1"), "iso-8859-1") == "café crème"


def test_rfc2047_mixed_and_raw_8bit_headers():
    word = "=?gb2312?B?" + base64.b64encode("镕".encode("gbk")).decode() + "?="
    assert decode_header_value(f"Re: {word} =?utf-8?Q?=E6=8A=A5=E4=BF=AE?= now") == "Re: 镕报修 now"
    raw = "From: 李四 <li@example.cn>\r\nSubject: 空调报修\r\n\r\n空调不制冷\r\n".encode("gbk")
    parsed = parse_mail(raw)
    assert (parsed.subject, parsed.from_name, parsed.text) == ("空调报修", "李四", "空调不制冷")


def test_quoted_printable_body_and_html_only_mail_is_sanitised():
    parsed = parse_mail(html_only("<html><head><style>p{color:red}</style></head><body><p>打印机&amp;传真机</p>"
                                  "<script>alert(1)</script><div>第二行<br>第三行</div>"
                                  "<div class=\"gmail_quote\">在 2026年 写道：<blockquote>旧的</blockquote></div>"
                                  "</body></html>"))
    assert parsed.from_html and parsed.text == "打印机&传真机\n第二行\n第三行"


@pytest.mark.parametrize("body", [
    "好的，明天上午可以。\n\n-----原始邮件-----\n发件人: 售后\n发送时间: 2026年11月23日\n主题: 报修\n\n已受理",
    "好的，明天上午可以。\n\nOn Mon, 23 Nov 2026 at 10:00, Service <s@aftersales.test> wrote:\n> 已受理\n> 工单",
    "好的，明天上午可以。\n\nFrom: Service\nSent: Monday\nTo: 张三\nSubject: 报修\n\n已受理",
    "好的，明天上午可以。\n-- \n张三 | 某某科技 | 138 0000 0000",
    "好的，明天上午可以。\n\n发自我的iPhone",
    "好的，明天上午可以。\n\n在 2026年11月23日 10:00，售后服务 写道：\n> 已受理",
])
def test_quoted_history_and_signatures_are_stripped(body):
    assert new_content(body) == "好的，明天上午可以。"


def test_html_block_structure_becomes_lines():
    assert html_to_text("<ul><li>一</li><li>二</li></ul><p>三&nbsp;四</p>") == "- 一\n- 二\n三 四"


def test_broken_mime_and_senderless_mail_are_unparseable():
    with pytest.raises(UnparseableMail, match="broken MIME"):
        parse_mail(broken_mime())
    with pytest.raises(UnparseableMail, match="no sender"):
        parse_mail(b"Subject: hi\r\n\r\nbody")
    with pytest.raises(UnparseableMail):
        parse_mail(b"\xff\xfe\x00garbage without headers")


def test_truncated_multipart_keeps_what_arrived():
    raw = (b"From: a@customer.cn\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xe6\x89\x93\xe5\x8d\xb0\xe6\x9c\xba\r\n")
    assert parse_mail(raw).text == "打印机"


@pytest.mark.parametrize(("headers", "sender", "subject", "reason"), [
    ((("Auto-Submitted", "auto-replied"),), "a@customer.cn", "x", "auto-submitted"),
    ((("X-Loop", "helpdesk@other.cn"),), "a@customer.cn", "x", "loop"),
    ((("Precedence", "bulk"),), "a@customer.cn", "x", "bulk"),
    ((("Precedence", "junk"),), "a@customer.cn", "x", "bulk"),
    ((("Precedence", "list"),), "a@customer.cn", "x", "list"),
    ((("List-Id", "<users.lists.cn>"),), "a@customer.cn", "x", "list"),
    ((("X-Auto-Response-Suppress", "DR, OOF, AutoReply"),), "a@customer.cn", "x", "auto-response-suppress"),
    ((), "no-reply@shop.cn", "订单通知", "noreply-sender"),
    ((), "postmaster@customer.cn", "x", "bounce"),
    ((), "a@customer.cn", "Automatic reply: 报修", "auto-reply-subject"),
    ((), "a@customer.cn", "自动回复：我在休假", "auto-reply-subject"),
    ((("Return-Path", "<>"),), "a@customer.cn", "x", "bounce"),
    ((("Auto-Submitted", "no"),), "a@customer.cn", "报修", None),
])
def test_automatic_mail_is_recognised(headers, sender, subject, reason):
    assert parse_mail(mail(sender=sender, subject=subject, headers=headers)).auto == reason


def test_delivery_status_report_is_a_bounce():
    assert parse_mail(bounce(original_message_id="<x@y>")).auto == "bounce"


def test_our_message_ids_carry_the_conversation_through_broken_threads():
    ours = our_message_id(idempotency_key="k", conversation="<root@customer.cn>", domain="aftersales.test")
    assert ours.endswith("@aftersales.test>")
    assert thread_key(message_id="<c@x>", in_reply_to=[], references=["<other@x>", ours],
                      domain="aftersales.test") == "<root@customer.cn>"
    assert thread_key(message_id="<c@x>", in_reply_to=[ours], references=[], domain="elsewhere.test") == ours
    assert thread_key(message_id="<c@x>", in_reply_to=["<b@x>"], references=["<a@x>", "<b@x>"],
                      domain="aftersales.test") == "<a@x>"
    assert thread_key(message_id="<c@x>", in_reply_to=[], references=[], domain="aftersales.test") == "<c@x>"


def test_ticket_id_in_subject():
    assert ticket_id_in("RE: 回复：冰箱 [ SR-20261123-0042 ]") == "SR-20261123-0042"
    assert ticket_id_in("SR-20261123-0042 without brackets") is None
