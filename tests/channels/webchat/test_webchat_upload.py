"""Uploading a picture or file from the chat page over HTTP: tied to the chat session, committed like a typed message
(a resend after a dropped connection is the same message), and refused with a sentence when too large, of a kind the
chat does not take, or while the database is away."""
from __future__ import annotations

from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from channels.webchat.channel import WebChatChannel
from channels.webchat.config import WebChatConfig
from core.clock import FakeClock
from testkit.media_samples import PDF, png
from tests.channels.webchat.conftest import IntakeRecorder, make_app

SESSION = "s" * 22


@pytest.fixture
async def uploads(tmp_path, recorder: IntakeRecorder) -> AsyncIterator[tuple[TestClient, WebChatChannel]]:  # type: ignore[no-untyped-def]
    channel = WebChatChannel(config=WebChatConfig(max_upload_bytes=64 * 1024, upload_dir=str(tmp_path / "up")),
                             intake=recorder, clock=FakeClock())
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
