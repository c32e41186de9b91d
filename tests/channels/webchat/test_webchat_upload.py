"""Uploading a picture or file from the chat page over HTTP: tied to the chat session, committed like a typed message
(a resend after a dropped connection is the same message), and refused with a sentence when too large, of a kind the
chat does not take, or while the database is away. Sent in chunks it resumes from the offset the hub has, refuses a
chunk at any other offset, and an upload left unfinished expires."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from channels.webchat.channel import WebChatChannel
from channels.webchat.config import WebChatConfig
from core.clock import FakeClock
from testkit.media_samples import PDF, photo_of_size, png
from tests.channels.webchat.conftest import IntakeRecorder, make_app

SESSION = "s" * 22


@pytest.fixture
async def uploads(tmp_path, recorder: IntakeRecorder, clock: FakeClock) -> AsyncIterator[tuple[TestClient, WebChatChannel]]:  # type: ignore[no-untyped-def]
    config = WebChatConfig(max_upload_bytes=64 * 1024, upload_dir=str(tmp_path / "up"),
                           upload_expiry=timedelta(hours=1))
    channel = WebChatChannel(config=config, intake=recorder, clock=clock)
    async with TestClient(TestServer(make_app(channel))) as client:
        yield client, channel


async def _upload(client: TestClient, data: bytes, *, session: str = SESSION, id: str = "u1",  # noqa: A002
                  lang: str = "zh"):  # type: ignore[no-untyped-def]
    response = await client.post("/chat/upload", params={"session": session, "id": id, "name": "铭牌.png",
                                                         "lang": lang}, data=data)
    return response.status, await response.json()


async def test_an_upload_is_a_message_of_the_session_carrying_the_file(uploads, recorder: IntakeRecorder) -> None:  # type: ignore[no-untyped-def]
    client, channel = uploads
    picture = png()
    assert await _upload(client, picture) == (200, {"type": "ack", "id": "u1"})
    (inbound,) = recorder.accepted
    assert (inbound.conversation, inbound.external_id, inbound.text) == (f"web:{SESSION}", f"{SESSION}:u1", "")
    (attachment,) = inbound.attachments
    assert (attachment.kind, attachment.name, attachment.content_type, attachment.size) == (
        "image", "铭牌.png", "image/png", len(picture))
    assert (await channel.fetch_media(attachment.url, max_bytes=10**6)).data == picture

    assert await _upload(client, picture) == (200, {"type": "ack", "id": "u1"})
    assert len(recorder.accepted) == 1 and len(recorder.duplicates) == 1
    assert (await _upload(client, PDF, id="u2"))[0] == 200
    assert recorder.accepted[1].attachments[0].kind == "file"


@pytest.mark.parametrize("data, session, status, code", [
    (bytes(65 * 1024), SESSION, 413, "file_too_large"),
    (b"just some text", SESSION, 415, "unsupported_type"),
    (b"", SESSION, 415, "unsupported_type"),
    (png(), "short", 400, "bad_frame"),
])
async def test_refused_uploads_say_why(uploads, recorder: IntakeRecorder, data: bytes, session: str, status: int,  # type: ignore[no-untyped-def]
                                       code: str) -> None:
    client, _ = uploads
    answer_status, frame = await _upload(client, data, session=session)
    assert (answer_status, frame["code"]) == (status, code) and frame["message"]
    assert recorder.accepted == []


async def test_the_size_limit_is_named_and_a_database_outage_is_retried_by_the_page(uploads, recorder: IntakeRecorder) -> None:  # type: ignore[no-untyped-def]
    client, _ = uploads
    assert "up to 64 KB" in (await _upload(client, bytes(65 * 1024), lang="en"))[1]["message"]
    recorder.failure = RuntimeError("database is locked")
    status, frame = await _upload(client, png())
    assert (status, frame["code"], frame["id"]) == (503, "unavailable", "u1")
    recorder.failure = None
    assert (await _upload(client, png()))[0] == 200 and len(recorder.accepted) == 1


async def _open(client: TestClient, size: int, *, id: str = "c1") -> tuple[int, Any]:  # noqa: A002
    response = await client.post("/chat/uploads", params={"session": SESSION, "id": id, "name": "铭牌.jpg",
                                                          "size": str(size), "lang": "en"})
    return response.status, await response.json()


async def _chunk(client: TestClient, key: str, offset: int, data: bytes) -> tuple[int, Any]:
    response = await client.patch(f"/chat/uploads/{key}", params={"offset": str(offset)}, data=data)
    return response.status, await response.json()


async def test_a_chunked_upload_goes_on_from_the_offset_the_hub_has(uploads, recorder: IntakeRecorder) -> None:  # type: ignore[no-untyped-def]
    client, channel = uploads
    picture = photo_of_size(50_000)
    status, opened = await _open(client, len(picture))
    key = opened["upload"]
    assert status == 200 and opened == {"upload": key, "offset": 0, "size": len(picture)}
    assert await _chunk(client, key, 0, picture[:20_000]) == (200, {"upload": key, "offset": 20_000,
                                                                    "size": len(picture)})
    status, refused = await _chunk(client, key, 0, picture[:20_000])
    assert (status, refused["code"], refused["offset"]) == (409, "wrong_offset", 20_000)
    assert (await _chunk(client, key, 30_000, picture[30_000:]))[1]["offset"] == 20_000

    async with client.get(f"/chat/uploads/{key}") as response:
        assert response.status == 200 and (await response.json())["offset"] == 20_000
    assert await _open(client, len(picture)) == (200, {"upload": key, "offset": 20_000, "size": len(picture)})
    assert recorder.accepted == []

    assert await _chunk(client, key, 20_000, picture[20_000:]) == (200, {"type": "ack", "id": "c1"})
    (inbound,) = recorder.accepted
    assert (inbound.external_id, inbound.attachments[0].kind, inbound.attachments[0].name) == (
        f"{SESSION}:c1", "image", "铭牌.jpg")
    assert (await channel.fetch_media(inbound.attachments[0].url, max_bytes=10**6)).data == picture

    assert (await _open(client, len(picture)))[1]["offset"] == len(picture)
    assert await _chunk(client, key, len(picture), b"") == (200, {"type": "ack", "id": "c1"})
    assert len(recorder.accepted) == 1 and len(recorder.duplicates) == 1


async def test_chunked_uploads_keep_the_size_and_type_limits(uploads, recorder: IntakeRecorder) -> None:  # type: ignore[no-untyped-def]
    client, _ = uploads
    status, refused = await _open(client, 65 * 1024)
    assert (status, refused["code"]) == (413, "file_too_large") and "up to 64 KB" in refused["message"]
    assert (await _open(client, 0))[1]["code"] == "unsupported_type"

    key = (await _open(client, 20_000, id="text"))[1]["upload"]
    status, refused = await _chunk(client, key, 0, b"not a picture at all " * 500)
    assert (status, refused["code"], refused["id"]) == (415, "unsupported_type", "text")
    async with client.get(f"/chat/uploads/{key}") as response:
        assert response.status == 404

    key = (await _open(client, 1000, id="long"))[1]["upload"]
    assert (await _chunk(client, key, 0, png() + bytes(1000)))[0] == 413
    assert (await _chunk(client, "0" * 32, 0, png()))[0] == 404
    assert recorder.accepted == []


async def test_an_unfinished_upload_expires_and_the_sweep_removes_it(uploads, clock: FakeClock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client, channel = uploads
    picture = photo_of_size(30_000)
    key = (await _open(client, len(picture)))[1]["upload"]
    await _chunk(client, key, 0, picture[:10_000])
    clock.advance(50 * 60)
    assert await channel.sweep_uploads(()) == 0
    await _chunk(client, key, 10_000, picture[10_000:20_000])
    clock.advance(50 * 60)
    async with client.get(f"/chat/uploads/{key}") as response:
        assert response.status == 200 and (await response.json())["offset"] == 20_000

    clock.advance(11 * 60)
    async with client.get(f"/chat/uploads/{key}") as response:
        assert response.status == 404
    assert (await _chunk(client, key, 20_000, picture[20_000:]))[0] == 404
    assert await channel.sweep_uploads(()) == 1
    assert list((tmp_path / "up" / "partial").iterdir()) == []
    assert (await _open(client, len(picture)))[1]["offset"] == 0
