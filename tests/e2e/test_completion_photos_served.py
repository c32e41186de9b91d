"""A technician's completion photo through the served hub: sent in the WeCom app, fetched from the WeCom fake, and
delivered to the customer with the completion notice in the customer's own channel — an image message on WeChat
(uploaded as temporary media, a 503 on the upload retried), a file shared into the Slack thread through the
external upload, an attachment of the notice mail, an image frame of the web chat carrying the picture itself (no
address to open) — the bytes that arrive being the ones the hub kept. Where the
platform refuses the file, its link goes instead and still opens the photo. The ticket's audit log says which way
each photo went."""
from __future__ import annotations

import asyncio
import base64
import email
import time
from typing import Any

from sqlalchemy import select

from core.storage.models import MediaAttachment, Ticket
from testkit.media_samples import photo

REPAIR = "洗衣机不脱水了，电话1381234567{n}，地址上海市浦东新区张江路10{n}号"
NOTICE = "问题解决了吗"


async def _ticket(staffed, channel: str) -> str:  # type: ignore[no-untyped-def]
    """The code of the newest ticket opened on `channel`."""
    async with staffed.hub.sessions() as session:
        return str(await session.scalar(select(Ticket.code).where(Ticket.channel == channel)
                                        .order_by(Ticket.id.desc()).limit(1)))


async def _kept_photo(staffed, code: str, *, timeout: float = 30.0) -> bytes:  # type: ignore[no-untyped-def]
    """The bytes the hub kept of the ticket's photo, once fetched from the platform."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with staffed.hub.sessions() as session:
            row = await session.scalar(select(MediaAttachment).join(Ticket, Ticket.id == MediaAttachment.ticket_id)
                                       .where(Ticket.code == code, MediaAttachment.status == "stored"))
        if row is not None:
            data = await staffed.hub.media.blobs.get(row.sha256)
            assert data is not None
            return data
        await asyncio.sleep(0.05)
    raise AssertionError(f"the photo of {code} was not kept in time")


async def _photographed_and_done(staffed, code: str) -> bytes:  # type: ignore[no-untyped-def]
    """The job taken, photographed in the WeCom app and finished; the photo's bytes as the hub kept them."""
    for step in (f"接单 {code}", f"出发 {code}", f"到达 {code}"):
        assert await staffed.wecom("wangshifu", step) == 200
        await staffed.settled()
    assert await staffed.wecom_photo("wangshifu", photo(width=320, height=240)) == 200
    kept = await _kept_photo(staffed, code)
    assert await staffed.wecom("wangshifu", f"完工 {code} 已更换排水泵") == 200
    await staffed.settled()
    return kept


async def _events(staffed, code: str) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    status, ticket = await staffed.api("GET", f"/tickets/{code}")
    assert status == 200
    return [(e["kind"], e["data"]["after"]) for e in ticket["events"] if e["kind"].startswith("media_")]


async def test_a_wechat_customer_gets_the_photo_as_an_image_message_after_the_notice(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    staffed = messaging_hub
    assert await staffed.wechat("o-photo-customer", REPAIR.format(n=1)) == 200
    await staffed.settled()
    code = await _ticket(staffed, "wechat")
    staffed.weixin.fail_uploads = 1
    kept = await _photographed_and_done(staffed, code)

    sent = [b for b in staffed.weixin.sent("/cgi-bin/message/custom/send") if b["touser"] == "o-photo-customer"]
    [notice] = [b for b in sent if b["msgtype"] == "text" and NOTICE in b["text"]["content"]]
    [image] = [b for b in sent if b["msgtype"] == "image"]
    assert sent.index(image) == sent.index(notice) + 1
    assert "/media/" not in notice["text"]["content"], "a photo sent as itself is not also a link"
    uploaded = staffed.weixin.media[image["image"]["media_id"]]
    assert (uploaded.data, uploaded.platform, uploaded.content_type) == (kept, "wechat", "image/jpeg")
    assert [k for k, _ in await _events(staffed, code)] == ["media_sent"]


async def test_a_slack_customer_gets_the_photo_shared_into_the_thread(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    staffed = messaging_hub
    assert await staffed.slack_message("U0CUSTPHOTO", REPAIR.format(n=2), channel="D0PHOTO") == 200
    await staffed.settled()
    code = await _ticket(staffed, "slack")
    kept = await _photographed_and_done(staffed, code)

    [notice] = [m for m in staffed.slack_sent("D0PHOTO") if NOTICE in m["text"]]
    [upload] = staffed.slack.uploads
    assert (upload["data"], upload["channel"]) == (kept, "D0PHOTO")
    assert upload["filename"].endswith(".jpg") and "/media/" not in notice["text"]
    [(kind, data)] = await _events(staffed, code)
    assert (kind, data["channel"]) == ("media_sent", "slack")


async def test_a_photo_slack_refuses_goes_as_its_link_which_opens_it(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    staffed = messaging_hub
    assert await staffed.slack_message("U0CUSTLINK", REPAIR.format(n=3), channel="D0LINK") == 200
    await staffed.settled()
    code = await _ticket(staffed, "slack")
    staffed.slack.fail("files.getUploadURLExternal", "file_uploads_disabled")
    kept = await _photographed_and_done(staffed, code)

    texts = [m["text"] for m in staffed.slack_sent("D0LINK")]
    notice = next(i for i, t in enumerate(texts) if NOTICE in t)
    [link_text] = [t for t in texts[notice + 1:] if "完工照片" in t]
    path = link_text[link_text.index("/media/"):].split()[0].rstrip(">")
    async with staffed._http.get(staffed.server.make_url(path)) as response:
        assert (response.status, await response.read()) == (200, kept)
    assert staffed.slack.uploads == []
    [(kind, data)] = await _events(staffed, code)
    assert kind == "media_link_sent" and "file_uploads_disabled" in data["detail"]


async def test_a_mail_customer_gets_the_photo_attached_to_the_notice(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    staffed = staffed_hub
    await staffed.mail("photo.customer@example.com", "洗衣机坏了", REPAIR.format(n=4))
    deadline = time.monotonic() + 30
    while not staffed.mails_to("photo.customer@example.com") and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await staffed.settled()
    code = await _ticket(staffed, "email")
    kept = await _photographed_and_done(staffed, code)

    [notice] = [m for m in staffed.mails_to("photo.customer@example.com") if NOTICE in _body(m)]
    [attached] = [part for part in email.message_from_bytes(bytes(notice)).walk()
                  if part.get_content_disposition() == "attachment"]
    assert (attached.get_payload(decode=True), attached.get_content_type()) == (kept, "image/jpeg")
    assert "/media/" not in _body(notice)
    assert [k for k, _ in await _events(staffed, code)] == ["media_sent"]


async def test_a_web_chat_customer_sees_the_photo_in_the_conversation(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    staffed = messaging_hub
    customer = await staffed.chat("customerwebchat000051")
    await customer.say(REPAIR.format(n=5))
    code = (await customer.next())["ticket"]["id"]
    await staffed.settled()
    kept = await _photographed_and_done(staffed, code)

    while NOTICE not in (notice := await customer.next())["text"]:
        pass
    image = await customer.next("image")
    assert image["src"].startswith("data:image/jpeg;base64,") and "/media/" not in notice["text"]
    assert base64.b64decode(image["src"].split(",", 1)[1]) == kept
    assert [k for k, _ in await _events(staffed, code)] == ["media_sent"]


def _body(mail) -> str:  # type: ignore[no-untyped-def]
    part = mail.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
