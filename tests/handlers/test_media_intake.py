"""Media on WeChat and WeCom through the hub: the message is handled at once, its file fetched afterwards from the
platform's media API (the fake serves the bytes to a valid token only), kept with the ticket — a photo sent before
any words joins the ticket the next message opens — and a file that cannot be kept is noted and the customer asked
again, nothing lost."""
from __future__ import annotations

import io
import socket
from datetime import datetime, timezone

import pytest
from PIL import Image
from sqlalchemy import select

from core.clock import FakeClock
from core.envelopes import Attachment
from core.storage.models import MediaAttachment, OutboxRow
from testkit.fakes.weixin_api import FakeWeixinApi
from testkit.media_samples import AMR, PDF, photo, png
from tests.handlers.conftest import _desk

REPORT = "洗衣机漏水了，电话13812345678，地址上海市浦东新区张江路100号"


def media(kind: str, media_id: str, **fields: str) -> tuple[Attachment, ...]:
    return (Attachment(kind=kind, name=media_id, url=media_id, **fields),)


async def rows(desk) -> list[MediaAttachment]:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        return list(await session.scalars(select(MediaAttachment).order_by(MediaAttachment.id)))


async def test_a_photo_before_any_words_is_asked_about_then_kept_with_the_ticket(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    desk.weixin.put_media("m-photo", photo(width=800, height=600), "image/jpeg")
    replies = await desk.say("wechat", "o-cust", "", attachments=media("image", "m-photo"))
    assert [r["template"] for r in replies] == ["received_media"]
    assert [r.status for r in await rows(desk)] == ["pending"]

    assert await desk.hub.fetcher.fetch_due() == 1
    (row,) = await rows(desk)
    assert row.status == "stored" and row.content_type == "image/jpeg" and row.ticket_id is None
    kept = await desk.hub.media.blobs.get(row.sha256)
    assert kept is not None and b"Exif" not in kept and Image.open(io.BytesIO(kept)).size == (800, 600)
    assert await desk.hub.media.blobs.get(row.thumbnail_sha256)

    replies = await desk.say("wechat", "o-cust", REPORT)
    code = replies[0]["data"]["ticket"]["id"]
    ticket = await desk.ticket(code)
    assert [(r.ticket_id, r.kind) for r in await rows(desk)] == [(ticket.id, "image")]


async def test_voice_recognition_is_the_text_and_the_audio_is_kept(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    desk.weixin.put_media("m-voice", AMR, "audio/amr")
    replies = await desk.say("wechat", "o-cust", REPORT, attachments=media("voice", "m-voice", content_type="audio/amr"))
    ticket = await desk.ticket(replies[0]["data"]["ticket"]["id"])
    await desk.hub.fetcher.fetch_due()
    (row,) = await rows(desk)
    assert (row.ticket_id, row.status, row.content_type, row.size) == (ticket.id, "stored", "audio/amr", len(AMR))


async def test_a_shared_location_becomes_the_address_with_coordinates(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    replies = await desk.say("wechat", "o-cust", "空调不制冷了，电话13812345678")
    code = replies[0]["data"]["ticket"]["id"]
    await desk.say("wechat", "o-cust", "上海市浦东新区张江路100号 (31.2304, 121.4737)",
                   attachments=(Attachment(kind="location", name="上海市浦东新区张江路100号",
                                           url="geo:31.2304,121.4737"),))
    ticket = await desk.ticket(code)
    assert "上海市浦东新区张江路100号" in ticket.entities["addresses"]
    assert ticket.entities["locations"] == [{"latitude": 31.2304, "longitude": 121.4737,
                                             "label": "上海市浦东新区张江路100号"}]
    assert [(r.kind, r.status, r.ticket_id) for r in await rows(desk)] == [("location", "none", ticket.id)]


async def test_an_expired_media_id_is_noted_and_the_customer_asked_to_resend(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    await desk.say("wechat", "o-cust", REPORT, attachments=media("image", "m-expired"))
    await desk.hub.fetcher.fetch_due()
    (row,) = await rows(desk)
    assert row.status == "gone" and "40007" in row.note
    notice = await _notice(desk, row.id)
    assert notice["recipient"] == "o-cust" and notice["data"]["reason"] == "gone"


async def test_a_platform_hiccup_is_retried_after_a_backoff(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    desk.weixin.put_media("m-photo", photo(), "image/jpeg")
    desk.weixin.fail_media = 1
    await desk.say("wechat", "o-cust", REPORT, attachments=media("image", "m-photo"))
    await desk.hub.fetcher.fetch_due()
    (row,) = await rows(desk)
    assert row.status == "pending" and "503" in row.note and row.attempts == 1
    assert await desk.hub.fetcher.fetch_due() == 0
    desk.clock.advance(6)
    assert await desk.hub.fetcher.fetch_due() == 1
    assert [r.status for r in await rows(desk)] == ["stored"]


async def test_oversized_and_impostor_files_are_refused_and_the_customer_told(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    desk.weixin.put_media("m-big", bytes(3 * 1024 * 1024), "image/jpeg")
    desk.weixin.put_media("m-pdf", PDF, "image/jpeg")
    await desk.say("wechat", "o-cust", REPORT, attachments=media("image", "m-big"))
    await desk.say("wechat", "o-cust", "", attachments=media("image", "m-pdf"))
    await desk.hub.fetcher.fetch_due()
    big, pdf = await rows(desk)
    assert (big.status, big.note.split(":")[0]) == ("rejected", "too_large")
    assert (pdf.status, pdf.note.split(":")[0]) == ("rejected", "type_mismatch")
    assert (await _notice(desk, pdf.id))["data"]["reason"] == "type_mismatch"


async def test_wecom_media_needs_a_wecom_token(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    desk.weixin.put_media("w-photo", photo(), "image/jpeg", platform="wecom")
    await desk.say("wecom", "wangshifu", "", attachments=media("image", "w-photo"))
    await desk.hub.fetcher.fetch_due()
    (row,) = await rows(desk)
    assert row.status == "stored" and row.customer_id is None
    assert desk.weixin.token_requests["wecom"] == 1 and desk.weixin.media_downloads == ["w-photo"]


async def _notice(desk, attachment_id: int) -> dict:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        row = await session.scalar(select(OutboxRow).where(OutboxRow.idempotency_key == f"media:{attachment_id}:not_kept"))
    assert row is not None and row.payload["template"] == "media_not_kept"
    return row.payload


async def test_a_slack_file_share_is_downloaded_with_the_bot_token(slack_desk) -> None:  # type: ignore[no-untyped-def]
    desk = slack_desk
    shared = desk.slack.share_file("F0PHOTO", "leak.png", png(), "image/png")
    foreign = {**shared, "url_private": "https://files.example.com/steal-my-token.png"}
    await desk.say("slack", "U0CUST", REPORT, conversation="C0CUST:1.0", attachments=(
        Attachment(kind="image", name="leak.png", content_type="image/png", url=shared["url_private"]),
        Attachment(kind="image", name="x.png", content_type="image/png", url=foreign["url_private"])))
    await desk.hub.fetcher.fetch_due()
    kept, refused = await rows(desk)
    assert (kept.status, kept.content_type, kept.name) == ("stored", "image/png", "leak.png")
    assert refused.status == "gone" and "not a Slack file address" in refused.note
    assert desk.slack.file_downloads == ["F0PHOTO"]


async def test_a_technicians_completion_photos_reach_the_customer_as_links(media_desk) -> None:  # type: ignore[no-untyped-def]
    desk = media_desk
    code = (await desk.say("wechat", "o-cust", REPORT))[0]["data"]["ticket"]["id"]
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    desk.weixin.put_media("w-done", photo(), "image/jpeg", platform="wecom")
    [added] = await desk.say("wecom", "wangshifu", "", attachments=media("image", "w-done"))
    assert added["template"] == "job_photo_added" and added["data"] == {"code": code, "count": 1}
    await desk.hub.fetcher.fetch_due()

    out = await desk.say("wecom", "wangshifu", "完工 已更换进水阀")
    [notice] = [o for o in out if o["template"] == "confirm_resolved"]
    assert notice["recipient"] == "o-cust"
    [link] = notice["data"]["photos"]
    assert link.startswith("https://service.example.com/media/")
    async with desk.hub.sessions() as session:
        shared = await desk.hub.services(session).media.shared(link.rsplit("/", 1)[1])
    ticket = await desk.ticket(code)
    assert shared is not None and (shared.status, shared.ticket_id, shared.kind) == ("stored", ticket.id, "image")


async def test_a_photo_waits_while_the_s3_store_is_down_and_is_kept_once_it_is_back(
        tmp_path, demo_database) -> None:  # type: ignore[no-untyped-def]
    moto = pytest.importorskip("moto.server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clock = FakeClock(start=datetime.now(timezone.utc))
    api = await FakeWeixinApi(clock=clock, app_id="wx-app", app_secret="app-secret", corp_id="ww-corp",
                              corp_secret="corp-secret", agent_id=1000002).start()
    desk = await _desk(tmp_path, demo_database, clock,
                       media={"backend": "s3", "s3_bucket": "photos", "s3_region": "us-east-1",
                              "s3_endpoint_url": f"http://127.0.0.1:{port}",
                              "s3_access_key": "test", "s3_secret_key": "test"},
                       wechat={"app_id": "wx-app", "app_secret": "app-secret", "token": "t", "api_base_url": api.url})
    await desk.hub.channels["wechat"].start()
    server = moto.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        api.put_media("m-photo", photo(), "image/jpeg")
        replies = await desk.say("wechat", "o-cust", REPORT, attachments=media("image", "m-photo"))
        assert replies[0]["template"] == "ticket_opened"
        await desk.hub.fetcher.fetch_due()
        (row,) = await rows(desk)
        assert row.status == "pending" and "BlobUnavailable" in row.note

        server.start()
        client = await desk.hub.media.blobs._connected()
        await client.create_bucket(Bucket="photos")
        clock.advance(6)
        await desk.hub.fetcher.fetch_due()
        (row,) = await rows(desk)
        assert row.status == "stored" and await desk.hub.media.blobs.get(row.sha256)
    finally:
        await desk.hub.stop()
        await api.close()
        server.stop()
