"""Attachments through `/api/v1`: listed on the ticket with type, size and addresses, bytes and thumbnails served to
a token holder or a signed-in console only, and only under the ticket they belong to."""
from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select

from bot.api.signin import COOKIE
from bot.config import config_from_dict
from core.clock import FakeClock
from core.storage.models import InboxRow, MediaAttachment, Ticket
from testkit.database import copy_sqlite
from testkit.hub_process import RATE_KEYS
from testkit.media_samples import photo, photo_of_size
from testkit.understanding import keyword_understander
from tests.api.conftest import Api, hub_config
from testkit.served import served_hub


@pytest.fixture
async def api(tmp_path, migrated_sqlite: Path) -> AsyncIterator[Api]:  # type: ignore[no-untyped-def]
    url = copy_sqlite(migrated_sqlite, tmp_path / "hub.db")
    webchat = {**{key: 1000 for key in RATE_KEYS}, "upload_dir": str(tmp_path / "uploads")}
    config = config_from_dict(hub_config(url, media={"dir": str(tmp_path / "media")}, webchat=webchat))
    async with served_hub(config, understander=keyword_understander(), clock=FakeClock(), demo=True) as (hub, server):
        async with aiohttp.ClientSession() as http:
            yield Api(http, server, hub)


async def _ticket_with_media(api: Api) -> tuple[str, dict[str, int]]:
    """A ticket phoned in, with a stored photo, a photo still being fetched and a shared location."""
    code = (await api.phoned_in("空调不制冷了，上海市浦东新区张江路100号"))["id"]
    kept = await api.hub.media.keep(photo(width=900, height=600), kind="image")
    now = api.hub.clock.now()
    common = {"channel": "wechat", "account": "wx", "conversation": "o-1", "source": "", "declared_type": "",
              "attempts": 0, "note": "", "created_at": now, "details": {}, "thumbnail_sha256": "", "sha256": "",
              "content_type": "", "size": 0, "name": ""}
    async with api.hub.sessions() as session, session.begin():
        ticket_id = await session.scalar(select(Ticket.id).where(Ticket.code == code))
        rows = {
            "stored": MediaAttachment(**{**common, "kind": "image", "status": "stored", "sha256": kept.sha256,
                                         "thumbnail_sha256": kept.thumbnail_sha256, "size": kept.size,
                                         "content_type": kept.content_type, "name": "铭牌.jpg"}),
            "pending": MediaAttachment(**{**common, "kind": "voice", "status": "pending", "next_attempt_at": now}),
            "location": MediaAttachment(**{**common, "kind": "location", "status": "none",
                                           "details": {"latitude": 31.2, "longitude": 121.5, "label": "张江"}}),
        }
        for row in rows.values():
            row.ticket_id = ticket_id
            session.add(row)
        await session.flush()
        return code, {name: row.id for name, row in rows.items()}


async def _fetch(api: Api, path: str, headers: dict[str, str]) -> tuple[int, bytes, Any]:
    async with api.http.get(api.server.make_url(path), headers=headers) as response:
        return response.status, await response.read(), response.headers


async def test_ticket_lists_its_attachments_and_serves_them_to_staff(api: Api) -> None:
    code, ids = await _ticket_with_media(api)
    status, ticket = await api.get(f"/tickets/{code}", role="agent")
    assert status == 200
    stored, pending, location = ticket["attachments"]
    base = f"/api/v1/tickets/{code}/attachments/{ids['stored']}"
    assert (stored["type"], stored["status"], stored["content_type"], stored["url"], stored["thumbnail_url"]) == (
        "image", "stored", "image/jpeg", base, base + "/thumbnail")
    assert stored["size"] > 0 and stored["name"] == "铭牌.jpg"
    assert (pending["status"], pending["url"]) == ("pending", None)
    assert location["location"] == {"latitude": 31.2, "longitude": 121.5, "label": "张江"}

    bearer = {"Authorization": "Bearer agent-token-1"}
    status, body, headers = await _fetch(api, base, bearer)
    assert status == 200 and len(body) == stored["size"] and body[:2] == b"\xff\xd8" and b"Exif" not in body
    assert headers["Content-Type"] == "image/jpeg" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"].startswith("inline;")
    status, thumb, headers = await _fetch(api, base + "/thumbnail", bearer)
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and len(thumb) < len(body)


async def test_bytes_need_a_token_or_a_console_session_and_the_right_ticket(api: Api) -> None:
    code, ids = await _ticket_with_media(api)
    other = (await api.phoned_in("洗衣机漏水", phone="13900000000"))["id"]
    base = f"/api/v1/tickets/{code}/attachments/{ids['stored']}"
    assert (await _fetch(api, base, {}))[0] == 401
    assert (await _fetch(api, base, {"Authorization": "Bearer guessed"}))[0] == 401
    bearer = {"Authorization": "Bearer agent-token-1"}
    assert (await _fetch(api, f"/api/v1/tickets/{other}/attachments/{ids['stored']}", bearer))[0] == 404
    assert (await _fetch(api, f"/api/v1/tickets/{code}/attachments/{ids['pending']}", bearer))[0] == 404
    assert (await _fetch(api, f"/api/v1/tickets/{code}/attachments/{ids['location']}/thumbnail", bearer))[0] == 404

    async with api.http.post(api.server.make_url("/console/session"), json={"token": "agent-token-1"}) as response:
        assert response.status == 200
        cookie = response.cookies[COOKIE].value
    status, body, _ = await _fetch(api, base, {"Cookie": f"{COOKIE}={cookie}"})
    assert status == 200 and body[:2] == b"\xff\xd8"


async def test_a_web_chat_upload_is_kept(api: Api) -> None:
    """A photo of 1.5 MB: its body arrives in many chunks, all of which must be read."""
    picture = photo_of_size(1_500_000)
    async with api.http.post(api.server.make_url("/chat/upload"), data=picture,
                             params={"session": "w" * 22, "id": "up-1", "name": "故障.jpg"}) as response:
        assert response.status == 200 and await response.json() == {"type": "ack", "id": "up-1"}
    await _upload_kept(api)


async def _upload_kept(api: Api) -> None:
    """The one web-chat upload was handled and its bytes kept (without EXIF)."""
    for _ in range(500):
        async with api.hub.sessions() as session:
            row = await session.scalar(select(MediaAttachment))
            status = await session.scalar(select(InboxRow.status))
        if row is not None and row.status == "stored" and status == "done":
            break
        await asyncio.sleep(0.02)
    assert row is not None and (row.status, row.kind, row.name) == ("stored", "image", "故障.jpg"), row and row.note
    assert row.customer_id is not None and row.conversation == "web:" + "w" * 22
    stored = await api.hub.media.blobs.get(row.sha256)
    assert stored is not None and b"Exif" not in stored


async def test_a_staged_upload_is_dropped_a_day_after_it_was_kept_but_not_while_a_download_waits(  # type: ignore[no-untyped-def]
        api: Api, tmp_path) -> None:
    picture, waiting = photo_of_size(300_000), photo_of_size(200_000)
    async with api.http.post(api.server.make_url("/chat/upload"), data=picture,
                             params={"session": "w" * 22, "id": "up-1", "name": "故障.jpg"}) as response:
        assert response.status == 200
    await _upload_kept(api)
    staged = tmp_path / "uploads" / hashlib.sha256(picture).hexdigest()
    wanted = tmp_path / "uploads" / hashlib.sha256(waiting).hexdigest()
    wanted.write_bytes(waiting)
    now = api.hub.clock.now()
    async with api.hub.sessions() as session, session.begin():
        session.add(MediaAttachment(channel="webchat", account="web", conversation="web:" + "w" * 22,
                                    source="upload:" + wanted.name, kind="image", status="pending", declared_type="",
                                    attempts=3, note="", created_at=now, details={}, thumbnail_sha256="", sha256="",
                                    content_type="", size=0, name="", next_attempt_at=now + timedelta(days=30)))
    assert api.hub.fetcher is not None
    assert await api.hub.fetcher.sweep_uploads() == 0 and staged.exists()

    api.hub.clock.advance(25 * 3600)  # type: ignore[attr-defined]
    assert await api.hub.fetcher.sweep_uploads() == 1
    assert not staged.exists() and wanted.exists()
    async with api.hub.sessions() as session:
        kept = await session.scalar(select(MediaAttachment.sha256).where(MediaAttachment.status == "stored"))
    assert kept and await api.hub.media.blobs.get(kept) is not None


async def test_a_chunked_web_chat_upload_is_kept_and_an_abandoned_one_swept(api: Api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    picture = photo_of_size(1_500_000)
    chunk = 700_000

    async def send(client_id: str, upto: int) -> list[Any]:
        """The picture's chunks up to `upto`; the hub's answers."""
        async with api.http.post(api.server.make_url("/chat/uploads"), params={
                "session": "w" * 22, "id": client_id, "name": "故障.jpg", "size": str(len(picture))}) as response:
            key = (await response.json())["upload"]
        answers = []
        for offset in range(0, upto, chunk):
            async with api.http.patch(api.server.make_url(f"/chat/uploads/{key}"), params={"offset": str(offset)},
                                      data=picture[offset:offset + chunk]) as response:
                answers.append(await response.json())
        return answers

    answers = await send("up-1", len(picture))
    assert answers[0]["offset"] == chunk and answers[-1] == {"type": "ack", "id": "up-1"}
    await _upload_kept(api)
    assert (await send("up-2", chunk))[0]["offset"] == chunk

    assert api.hub.fetcher is not None and len(list((tmp_path / "uploads" / "partial").iterdir())) == 3
    api.hub.clock.advance(25 * 3600)  # type: ignore[attr-defined]
    api.hub.fetcher.wake()
    for _ in range(500):
        if not list((tmp_path / "uploads" / "partial").iterdir()):
            break
        await asyncio.sleep(0.02)
    assert list((tmp_path / "uploads" / "partial").iterdir()) == []


async def test_a_shared_file_opens_by_its_link_alone_and_nothing_else_does(api: Api) -> None:
    code, ids = await _ticket_with_media(api)
    async with api.hub.sessions() as session, session.begin():
        row = await session.get(MediaAttachment, ids["stored"])
        assert row is not None
        row.share_token = "k" * 43
    status, body, headers = await _fetch(api, "/media/" + "k" * 43, {})
    assert status == 200 and body[:2] == b"\xff\xd8" and headers["X-Content-Type-Options"] == "nosniff"
    assert (await _fetch(api, "/media/" + "j" * 43, {}))[0] == 404
    assert (await _fetch(api, f"/media/{ids['stored']}", {}))[0] == 404


async def test_staff_type_a_serial_off_a_nameplate_photo_and_the_device_shows_it(api: Api) -> None:
    code, ids = await _ticket_with_media(api)
    other, other_ids = await _ticket_with_media(api)
    assert other != code
    device = f"/tickets/{code}/device"
    status, refused = await api.post(device, {"serial": "KFR-35GW-001", "attachment": other_ids["stored"]})
    assert (status, refused["error"]["message"]) == (
        404, f"attachment {other_ids['stored']} of ticket {code} does not exist")
    status, refused = await api.post(device, {"serial": "KFR-35GW-001", "attachment": ids["pending"]})
    assert status == 400 and refused["error"]["message"] == (
        f"attachment: attachment {ids['pending']} is a voice, not a picture")
    assert (await api.post(device, {"serial": "KFR-35GW-001", "attachment": ids["location"]}))[0] == 400
    assert (await api.get("/devices/KFR-35GW-001"))[0] == 404

    status, ticket = await api.post(device, {"serial": "kfr-35gw-001", "attachment": ids["stored"]}, role="agent")
    assert status == 200 and ticket["device"]["serial"] == "KFR-35GW-001"
    (event,) = [e for e in ticket["events"] if e["kind"] == "nameplate"]
    assert event["data"]["after"] == {"attachment": ids["stored"], "serial": "KFR-35GW-001"}
    status, unit = await api.get("/devices/KFR-35GW-001")
    base = f"/api/v1/tickets/{code}/attachments/{ids['stored']}"
    assert status == 200 and unit["nameplate"] == {"ticket": code, "attachment": ids["stored"], "url": base,
                                                   "thumbnail_url": base + "/thumbnail"}
    status, body, _ = await _fetch(api, unit["nameplate"]["url"], {"Authorization": "Bearer agent-token-1"})
    assert status == 200 and body[:2] == b"\xff\xd8"

    status, ticket = await api.post(device, {"serial": "KFR-35GW-001", "attachment": ids["stored"]})
    assert status == 200 and [e["kind"] for e in ticket["events"]].count("nameplate") == 1
    status, ticket = await api.post(f"/tickets/{other}/device", {"serial": "KFR-35GW-001",
                                                                 "attachment": other_ids["stored"]})
    (event,) = [e for e in ticket["events"] if e["kind"] == "nameplate"]
    assert event["data"]["before"] == {"attachment": ids["stored"]}
    assert (await api.get("/devices/KFR-35GW-001"))[1]["nameplate"]["ticket"] == other
