"""The chat page in headless Chromium against a real server whose sink answers every message with a ticket card."""
from __future__ import annotations

import asyncio
import base64
import contextlib
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.base import OutgoingFile
from channels.webchat.channel import WebChatChannel
from channels.webchat.config import WebChatConfig
from core.envelopes import Inbound, Outbound
from templates.render import Action, Rendered
from testkit.media_samples import photo_of_size, png

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
EXPECTED_PROBLEMS = ("/chat/ws", "net::ERR_FAILED")
"""What the browser logs when a test stops the server's socket or cuts a request off."""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="browser tests need Debian's chromium at /usr/bin/chromium "
                                       "(apt-get install chromium fonts-wqy-zenhei)")
playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect
expect.set_options(timeout=20_000)


@pytest.fixture
def channel(recorder, clock, tmp_path) -> WebChatChannel:
    """Answers each message with a ticket reply, as the hub would after opening a ticket."""
    channel = WebChatChannel(config=WebChatConfig(upload_dir=str(tmp_path / "uploads")), intake=recorder, clock=clock)
    replies = 0

    async def answer(inbound: Inbound) -> None:
        nonlocal replies
        replies += 1
        ticket_id = f"SR-20261123-{replies:04d}"
        ticket = {"id": ticket_id, "type": "repair", "type_label": "维修", "status": "new", "status_label": "待受理",
                  "priority": "P2", "summary": inbound.text, "entities": {"phones": ["13800138000"]}}
        message = Outbound(channel="webchat", account="web", recipient=inbound.sender,
                           conversation=inbound.conversation, template="ticket_opened", data={"ticket": ticket},
                           idempotency_key=f"reply-{inbound.external_id}")
        markdown = f"已为您创建工单 **{ticket_id}**，工程师将尽快与您联系。"
        rendered = Rendered(markdown=markdown, text=markdown.replace("**", ""), subject="", html="",
                            actions=(Action(id="status", label="查询进度", command=f"查询进度 {ticket_id}"),))
        await channel.send(message, rendered)

    recorder.on_inbound = answer
    return channel


@pytest.fixture
async def page(client) -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        page = await browser.new_page(locale="zh-CN")
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        await page.goto(str(client.make_url("/chat")))
        await expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "online")
        yield page
        await browser.close()
        assert [p for p in problems if not any(allowed in p for allowed in EXPECTED_PROBLEMS)] == []


async def test_chinese_message_gets_a_reply_with_a_ticket_card(page, recorder):
    await expect(page).to_have_title("售后服务 · 在线客服")
    await page.get_by_test_id("message-input").type("洗衣机不脱水，噪音很大")
    await page.get_by_test_id("message-input").press("Enter")

    customer = page.locator("[data-testid=message][data-role=customer]")
    await expect(customer.locator(".bubble")).to_have_text("洗衣机不脱水，噪音很大")
    await expect(customer).to_have_attribute("data-status", "sent")
    agent = page.locator("[data-testid=message][data-role=agent]")
    await expect(agent.locator(".bubble")).to_contain_text("已为您创建工单 SR-20261123-0001")
    card = page.get_by_test_id("ticket-card")
    await expect(card).to_contain_text("SR-20261123-0001")
    await expect(card).to_contain_text("维修")
    await expect(card).to_contain_text("13800138000")
    assert [i.text for i in recorder.accepted] == ["洗衣机不脱水，噪音很大"]

    await page.get_by_test_id("action-button").click()
    await expect(customer.nth(1).locator(".bubble")).to_have_text("查询进度 SR-20261123-0001")
    await expect(page.get_by_test_id("ticket-card")).to_have_count(2)


async def test_a_ticket_card_shows_under_the_newest_reply_about_it_only(page, channel, recorder):
    """A detail added is answered with the ticket as it now stands: that card replaces the one shown before."""
    await page.get_by_test_id("message-input").type("洗衣机不脱水")
    await page.get_by_test_id("message-input").press("Enter")
    await expect(page.get_by_test_id("ticket-card")).to_have_count(1)
    [inbound] = recorder.accepted
    ticket = {"id": "SR-20261123-0001", "type": "repair", "type_label": "维修", "status": "dispatched",
              "status_label": "已派单", "priority": "P3", "summary": "洗衣机不脱水",
              "entities": {"addresses": ["上海市浦东新区张江路100号"]}}
    update = Outbound(channel="webchat", account="web", recipient=inbound.sender, conversation=inbound.conversation,
                      template="ticket_updated", data={"ticket": ticket}, idempotency_key="updated-1")
    await channel.send(update, _text("已补充到工单 SR-20261123-0001，谢谢！"))
    agent = page.locator("[data-testid=message][data-role=agent]")
    await expect(agent).to_have_count(2)
    await expect(page.get_by_test_id("ticket-card")).to_have_count(1)
    await expect(agent.nth(1).get_by_test_id("ticket-card")).to_contain_text("已派单")
    await page.reload()
    await expect(page.get_by_test_id("ticket-card")).to_have_count(1)
    await expect(agent.nth(1).get_by_test_id("ticket-card")).to_contain_text("张江路100号")


async def test_a_time_on_the_card_is_shown_as_a_time_in_china(page, channel, recorder):
    """The card showed "2026-12-03T09:00:00+08:00/2026-12-03T12:00:00+08:00" for "明天上午"."""
    await page.get_by_test_id("message-input").type("预约明天上午安装")
    await page.get_by_test_id("message-input").press("Enter")
    await expect(page.get_by_test_id("ticket-card")).to_have_count(1)
    [inbound] = recorder.accepted
    ticket = {"id": "SR-20261123-0001", "type": "installation", "status": "new", "priority": "P3", "summary": "预约安装",
              "entities": {"times": ["2026-12-03T01:00:00+00:00/2026-12-03T04:00:00+00:00", "2026-12-04T07:00:00Z"]}}
    update = Outbound(channel="webchat", account="web", recipient=inbound.sender, conversation=inbound.conversation,
                      template="ticket_updated", data={"ticket": ticket}, idempotency_key="updated-times")
    await channel.send(update, _text("已补充到工单 SR-20261123-0001，谢谢！"))
    card = page.locator("[data-testid=message][data-role=agent]").nth(1).get_by_test_id("ticket-card")
    await expect(card).to_contain_text("12/03 09:00–12:00、12/04 15:00")
    await expect(card).not_to_contain_text("T01:00")


async def test_a_picture_goes_up_from_the_paperclip_and_is_acknowledged(page, recorder, tmp_path):
    picture = tmp_path / "铭牌.png"
    picture.write_bytes(png(400, 300))
    await page.get_by_test_id("file-input").set_input_files(str(picture))
    customer = page.locator("[data-testid=message][data-role=customer]")
    await expect(customer.locator(".bubble")).to_have_text("📎 铭牌.png")
    await expect(customer).to_have_attribute("data-status", "sent")
    await expect(page.get_by_test_id("upload-progress")).to_have_count(0)
    [inbound] = recorder.accepted
    assert (inbound.text, inbound.attachments[0].kind, inbound.attachments[0].name) == ("", "image", "铭牌.png")


async def test_a_photo_from_the_service_shows_in_place_and_a_file_as_its_link(page, channel, recorder):
    await page.get_by_test_id("message-input").type("师傅修好了吗")
    await page.get_by_test_id("message-input").press("Enter")
    await expect(page.locator("[data-testid=message][data-role=agent]")).to_have_count(1)
    [inbound] = recorder.accepted
    notice = Outbound(channel="webchat", account="web", recipient=inbound.sender, conversation=inbound.conversation,
                      template="confirm_resolved", data={}, idempotency_key="confirm:SR-20261123-0001")
    picture = png(120, 80)
    sent = await channel.send_with_files(notice, _text("王师傅已完成您的工单"), [
        OutgoingFile(data=picture, content_type="image/png", name="完工.png", fallback=_text("完工照片：/media/a")),
        OutgoingFile(data=b"%PDF-1.4 job sheet", content_type="application/pdf", name="单据.pdf",
                     fallback=_text("完工照片：/media/b"))])

    assert [f.way for f in sent.files] == ["file", "link"]
    photo = page.get_by_test_id("photo")
    await expect(photo).to_have_attribute("alt", "完工.png")
    assert await photo.evaluate("img => img.complete ? img.naturalWidth : 0") == 120
    src = await photo.get_attribute("src")
    assert src is not None and base64.b64decode(src.split(",", 1)[1]) == picture
    bubbles = page.locator("[data-testid=message][data-role=agent] .bubble")
    await expect(bubbles).to_have_count(4)
    await expect(bubbles.nth(1)).to_contain_text("王师傅已完成您的工单")
    await expect(bubbles.nth(3)).to_have_text("完工照片：/media/b")

    await page.reload()
    await expect(page.get_by_test_id("photo")).to_have_attribute("src", src)


def _text(text: str) -> Rendered:
    return Rendered(markdown=text, text=text, subject="", html="", actions=())


async def test_enter_does_not_send_while_an_ime_composition_is_open(page, recorder):
    box = page.get_by_test_id("message-input")
    await box.type("kongtiao")
    await box.dispatch_event("compositionstart")
    await box.press("Enter")
    await expect(page.locator("[data-testid=message]")).to_have_count(0)
    await box.fill("空调不制冷")
    await box.dispatch_event("compositionend")
    await box.press("Enter")
    await expect(page.locator("[data-testid=message][data-role=agent]")).to_have_count(1)
    assert [i.text for i in recorder.accepted] == ["空调不制冷"]


async def test_page_reconnects_and_resends_what_was_typed_while_offline(page, channel, recorder):
    status = page.get_by_test_id("connection-status")
    await channel.stop()
    await expect(status).not_to_have_attribute("data-state", "online")
    box = page.get_by_test_id("message-input")
    await box.type("热水器打不着火")
    await box.press("Enter")
    customer = page.locator("[data-testid=message][data-role=customer]")
    await expect(customer).to_have_attribute("data-status", "sending")

    await channel.start()
    await expect(status).to_have_attribute("data-state", "online")
    await expect(customer).to_have_attribute("data-status", "sent")
    await expect(page.get_by_test_id("ticket-card")).to_contain_text("SR-20261123-0001")
    await box.type("还有冰箱也不制冷")
    await box.press("Enter")
    await expect(page.get_by_test_id("ticket-card")).to_have_count(2)
    assert [i.text for i in recorder.accepted] == ["热水器打不着火", "还有冰箱也不制冷"]


async def test_unsent_message_survives_a_reload_and_is_sent_once_back_online(page, channel, recorder):
    await channel.stop()
    await expect(page.get_by_test_id("connection-status")).not_to_have_attribute("data-state", "online")
    await page.get_by_test_id("message-input").type("电视没有信号")
    await page.get_by_test_id("message-input").press("Enter")
    await page.reload()
    customer = page.locator("[data-testid=message][data-role=customer]")
    await expect(customer).to_have_attribute("data-status", "sending")
    await channel.start()
    await expect(customer).to_have_attribute("data-status", "sent")
    await expect(page.get_by_test_id("ticket-card")).to_have_count(1)
    assert [i.text for i in recorder.accepted] == ["电视没有信号"]


async def test_an_interrupted_upload_resumes_where_the_hub_stopped_even_after_a_reload(page, recorder, tmp_path):
    """Chunks of 256 KB: the third is cut off once (the page asks the hub and sends it again), the fifth hangs until
    the page is reloaded (the reloaded page finds the file and its upload and sends only what the hub lacks); once
    acknowledged, another reload sends nothing."""
    picture = photo_of_size(1_500_000)
    path = tmp_path / "铭牌.jpg"
    path.write_bytes(picture)
    chunk = 256 * 1024
    offsets: list[int] = []
    hanging, release = asyncio.Event(), asyncio.Event()

    async def interfere(route) -> None:  # type: ignore[no-untyped-def]
        offset = int(parse_qs(urlsplit(route.request.url).query)["offset"][0])
        offsets.append(offset)
        if offset == 2 * chunk and offsets.count(offset) == 1:
            await route.abort()
        elif offset == 4 * chunk and offsets.count(offset) == 1:
            hanging.set()
            await release.wait()
            with contextlib.suppress(Exception):  # the reload cancelled the request meanwhile
                await route.abort()
        else:
            await route.continue_()

    await page.route(lambda url: "/chat/uploads/" in url and "offset=" in url, interfere)
    await page.get_by_test_id("file-input").set_input_files(str(path))
    customer = page.locator("[data-testid=message][data-role=customer]")
    await expect(customer.locator(".bubble")).to_contain_text("📎 铭牌.jpg")
    await asyncio.wait_for(hanging.wait(), timeout=20)
    progress = page.get_by_test_id("upload-progress")
    await expect(progress).to_have_js_property("value", round(4 * chunk * 100 / len(picture)))
    assert offsets == [0, chunk, 2 * chunk, 2 * chunk, 3 * chunk, 4 * chunk]

    await page.reload()
    release.set()
    await expect(customer).to_have_attribute("data-status", "sent")
    await expect(progress).to_have_count(0)
    assert offsets[6:] == list(range(4 * chunk, len(picture), chunk))
    [inbound] = recorder.accepted
    assert (inbound.attachments[0].name, inbound.attachments[0].size) == ("铭牌.jpg", len(picture))
    await page.reload()
    await expect(customer).to_have_attribute("data-status", "sent")
    pending = "Object.keys(localStorage).filter((k) => k.includes('.uploads.')).map((k) => localStorage[k])"
    assert await page.evaluate(pending) == ["[]"]
    assert offsets[6:] == list(range(4 * chunk, len(picture), chunk))
    assert len(recorder.accepted) == 1 and recorder.duplicates == []
