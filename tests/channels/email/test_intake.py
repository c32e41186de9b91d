"""IMAP intake against a real dovecot: nothing lost, nothing doubled, automatic mail recorded but marked."""
from __future__ import annotations

from imapclient import IMAPClient

from testkit.email_peers import wait_until
from testkit.email_samples import bounce, broken_mime, mail, new_message_id, with_attachment


async def test_imports_a_mail_then_flags_it_and_advances_the_cursor(mailbox, make_channel, sink, cursors):
    mailbox.append(mail(subject="打印机报修", body="卡纸了，型号 HP-1020。"))
    channel = make_channel()
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == 1 and cursors.values)
    await wait_until(lambda: all(mailbox.seen().values()))
    [item] = sink.messages
    assert item.channel == "email" and item.account == "agent@example.test"
    assert item.sender == "zhang@customer.cn"
    assert item.text == "打印机报修\n\n卡纸了，型号 HP-1020。"
    assert item.conversation == item.external_id == item.raw["message_id"]
    assert item.automatic == "" and item.display_name == "张三"
    [(name, value)] = cursors.values.items()
    assert name == f"imap:agent@example.test:{mailbox.folder}" and value.endswith(":1")


async def test_idle_delivers_mail_appended_while_running(mailbox, make_channel, sink):
    channel = make_channel()
    await channel.start()
    await wait_until(lambda: channel.caught_up)
    mailbox.append(mail(body="第一封"), mail(body="第二封"))
    await wait_until(lambda: len(sink.inbox) == 2)
    assert channel.connections == 1


async def test_polls_when_the_server_has_no_idle(mailbox, make_channel, sink, monkeypatch):
    monkeypatch.setattr(IMAPClient, "has_capability", lambda self, cap: cap != "IDLE")
    channel = make_channel()
    await channel.start()
    await wait_until(lambda: channel.caught_up)
    mailbox.append(mail(body="轮询模式"))
    await wait_until(lambda: len(sink.inbox) == 1)


async def test_batches_are_bounded_and_all_mail_arrives(mailbox, make_channel, sink, cursors):
    mailbox.append(*[mail(body=f"第 {i} 封") for i in range(12)])
    channel = make_channel(batch_size=5, fetch_bytes=2000)
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == 12 and cursors.values and next(iter(cursors.values.values())).endswith(":12"))
    assert sorted(m.text.rsplit("\n", 1)[-1] for m in sink.messages) == sorted(f"第 {i} 封" for i in range(12))


async def test_chinese_mail_in_every_charset_over_imap(mailbox, make_channel, sink):
    mailbox.append(
        mail(subject="朱镕基办公室打印机", body="镕字只在 GBK 里。", charset="gbk", label="gb2312"),
        mail(subject="空调报修", body="空调不制冷。", charset="gbk"),
        mail(subject="𠀀号机器", body="GB18030 四字节字符 𠀀。", charset="gb18030", cte="quoted-printable"),
        mail(subject="印表機卡紙", body="請派人來修理。", from_name="張三", charset="big5"),
        mail(subject="热水器漏水", body="漏水很严重。", charset="gbk", label="iso-8859-1", cte="8bit"),
    )
    channel = make_channel()
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == 5)
    texts = sorted(m.text for m in sink.messages)
    assert texts == sorted(["朱镕基办公室打印机\n\n镕字只在 GBK 里。", "空调报修\n\n空调不制冷。",
                            "𠀀号机器\n\nGB18030 四字节字符 𠀀。", "印表機卡紙\n\n請派人來修理。", "热水器漏水\n\n漏水很严重。"])


async def test_reply_thread_of_three_mails_stays_on_one_conversation(mailbox, make_channel, sink, smtp_peer):
    from core.envelopes import Outbound
    from templates.render import Rendered

    first_id = new_message_id()
    mailbox.append(mail(subject="冰箱不制冷", body="冰箱不制冷了。", message_id=first_id))
    channel = make_channel(smtp_port=smtp_peer.port)
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == 1)
    first = sink.messages[0]
    answer = Outbound(channel="email", account=first.account, recipient=first.sender, conversation=first.conversation,
                      template="ticket_opened", data={"ticket_id": "SR-20261123-0001", "subject": first.raw["subject"]},
                      idempotency_key="outbox-1", reply_to=first.external_id)
    ours = await channel.send(answer, Rendered(markdown="", text="已受理", subject="", html="", actions=()))
    customer_reply = mail(subject="Re: 冰箱不制冷 [SR-20261123-0001]",
                          body="明天上午在家。\n\n在 2026年11月23日 10:00，客服 写道：\n> 已受理",
                          in_reply_to=ours, references=f"{first_id} {ours}")
    mailbox.append(customer_reply)
    await wait_until(lambda: len(sink.inbox) == 2)
    second = next(m for m in sink.messages if m.external_id != first.external_id)
    mailbox.append(mail(subject="Re: 冰箱不制冷 [SR-20261123-0001]", body="师傅几点到？",
                        in_reply_to=second.external_id, references=f"{first_id} {ours} {second.external_id}"))
    await wait_until(lambda: len(sink.inbox) == 3)
    third = [m for m in sink.messages if m.external_id not in {first.external_id, second.external_id}][0]
    assert {m.conversation for m in sink.messages} == {first_id}
    assert second.text == "明天上午在家。" and third.text == "师傅几点到？"
    assert second.reply_to == ours and second.ticket_ref == third.ticket_ref == "SR-20261123-0001"


async def test_outlook_reply_without_threading_headers_keeps_the_ticket_id(mailbox, make_channel, sink):
    mailbox.append(mail(subject="RE: 冰箱不制冷 [SR-20261123-0007]", message_id="new",
                        body="已经好了，谢谢。\n\n________________________________\n发件人: 售后服务\n"
                             "发送时间: 2026年11月23日 10:00\n收件人: 张三\n主题: 冰箱不制冷\n\n已受理",
                        headers=(("Thread-Index", "AdnQk3x1"), ("X-Mailer", "Microsoft Outlook 16.0"))))
    await make_channel().start()
    await wait_until(lambda: len(sink.inbox) == 1)
    [item] = sink.messages
    assert item.ticket_ref == "SR-20261123-0007"
    assert item.text == "已经好了，谢谢。" and item.reply_to is None


async def test_out_of_office_and_bounce_are_recorded_as_automatic(mailbox, make_channel, sink):
    mailbox.append(
        mail(subject="自动回复: 冰箱不制冷", body="我正在休假，11月30日回来。",
             headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All"))),
        bounce(original_message_id="<as-0@aftersales.test>"),
    )
    await make_channel().start()
    await wait_until(lambda: len(sink.inbox) == 2)
    reasons = sorted(m.automatic for m in sink.messages)
    assert reasons == ["auto-submitted", "bounce"]
    delivery_report = next(m for m in sink.messages if m.automatic == "bounce")
    assert delivery_report.sender == "mailer-daemon@mx.customer.cn"
    assert [a.content_type for a in delivery_report.attachments] == ["message/delivery-status",
                                                                    "message/rfc822-headers"]


async def test_15_mb_mail_keeps_text_and_records_the_oversized_attachment(mailbox, make_channel, sink, tmp_path):
    mailbox.append(with_attachment(size=15 * 1024 * 1024))
    await make_channel().start()
    await wait_until(lambda: len(sink.inbox) == 1, timeout=60)
    [item] = sink.messages
    [attachment] = item.attachments
    assert item.text == "现场照片\n\n照片见附件。"
    assert attachment.name == "现场照片.jpg" and attachment.size == 15 * 1024 * 1024 and attachment.url == ""
    assert item.raw["attachments_skipped"][0]["size"] == 15 * 1024 * 1024
    assert not (tmp_path / "attachments").exists() or not any((tmp_path / "attachments").rglob("*"))


async def test_small_attachment_is_stored_by_hash(mailbox, make_channel, sink):
    mailbox.append(with_attachment(size=5000))
    await make_channel().start()
    await wait_until(lambda: len(sink.inbox) == 1)
    [attachment] = sink.messages[0].attachments
    from pathlib import Path
    stored = Path(attachment.url)
    assert stored.name == attachment.sha256 and stored.stat().st_size == 5000 and attachment.kind == "image"


async def test_broken_mime_goes_to_quarantine_and_is_not_fetched_again(mailbox, make_channel, sink, quarantine,
                                                                       cursors):
    raw = broken_mime()
    mailbox.append(raw, mail(body="后面的正常邮件"))
    channel = make_channel()
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == 1 and cursors.values and next(iter(cursors.values.values())).endswith(":2"))
    [item] = quarantine.items
    assert item["payload"] == raw and "broken MIME" in item["reason"] and item["channel"] == "email"
    assert all(mailbox.seen().values())


async def test_connection_cut_mid_fetch_reconnects_and_imports_once(mailbox, make_channel, sink, proxy):
    mailbox.append(with_attachment(size=3 * 1024 * 1024), mail(body="第二封"))
    proxy.cut_after = 1024 * 1024
    channel = make_channel(imap_port=proxy.port)
    await channel.start()
    await wait_until(lambda: len(sink.inbox) == 2, timeout=60)
    assert proxy.cuts == 1 and channel.connections >= 2 and sink.duplicates == 0


async def test_connection_cut_during_idle_reconnects(mailbox, make_channel, sink, proxy):
    channel = make_channel(imap_port=proxy.port)
    await channel.start()
    await wait_until(lambda: channel.connections == 1 and channel.caught_up)
    proxy.cut_all()
    mailbox.append(mail(body="断线后的邮件"))
    await wait_until(lambda: len(sink.inbox) == 1)
    assert channel.connections >= 2


async def test_restart_between_fetch_and_commit_imports_exactly_once(mailbox, make_channel, sink, cursors):
    mailbox.append(mail(body="重启前取到的邮件"))
    sink.fail_before_commit = 1000
    first = make_channel()
    await first.start()
    await wait_until(lambda: sink.failures >= 1)
    await first.stop()
    assert not sink.inbox and not cursors.values and not any(mailbox.seen().values())
    sink.fail_before_commit = 0
    second = make_channel()
    await second.start()
    await wait_until(lambda: len(sink.inbox) == 1 and cursors.values and second.caught_up)
    assert len(sink.inbox) == 1 and sink.duplicates == 0


async def test_restart_after_commit_before_flag_is_deduplicated(mailbox, make_channel, sink, cursors):
    mailbox.append(mail(body="已提交未标记"))
    sink.fail_after_commit = 1
    first = make_channel()
    await first.start()
    await wait_until(lambda: sink.failures == 1)
    await first.stop()
    assert len(sink.inbox) == 1 and not cursors.values
    await make_channel().start()
    await wait_until(lambda: bool(cursors.values) and all(mailbox.seen().values()))
    assert len(sink.inbox) == 1 and sink.duplicates == 1


async def test_new_uidvalidity_rescans_without_duplicates(mailbox, make_channel, sink, cursors):
    raw = mail(body="重建邮箱前的邮件")
    mailbox.append(raw)
    channel = make_channel()
    await channel.start()
    await wait_until(lambda: bool(cursors.values))
    await channel.stop()
    before = next(iter(cursors.values.values()))
    mailbox.recreate()
    mailbox.append(raw, mail(body="重建后的新邮件"))
    await make_channel().start()
    await wait_until(lambda: len(sink.inbox) == 2 and next(iter(cursors.values.values())) != before)
    assert sink.duplicates == 1
