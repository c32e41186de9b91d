"""A whole hub served over HTTP on loopback: SQLite, memory bus, web chat and real NLP (`hub_server`), or with every
staff channel configured against its peers and the demo staff (`staffed_hub`)."""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
import redis.asyncio as redis
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy import func, select

from bot.app import build_app
from bot.bootstrap import Hub, build_hub
from bot.config import config_from_dict
from bot.demo import load_demo
from core.clock import SystemClock
from core.domain.people import PersonKind
from core.services.people import PeopleService
from core.storage.db import create_engine
from core.storage.models import InboxRow, OutboxRow
from tests.channels.slack.conftest import BOT_TOKEN, SIGNING_SECRET, SlackDriver
from tests.channels.wecom.conftest import AGENT_ID, CORP_ID
from testkit.database import copy_sqlite, empty_tables
from testkit.email_peers import PASSWORD, USER, Mailbox, SmtpPeer
from testkit.fakes.slack_api import FakeSlackApi
from testkit.fakes.weixin_api import FakeWeixinApi, message_xml, new_aes_key, wechat_push, wecom_push
from testkit.hub_process import RATE_KEYS
from testkit.understanding import keyword_understander

SERVICE_ADDRESS = "service@aftersales.test"
API_TOKEN = "console-token-1"
WECHAT_APP_ID = "wx-service"
WECHAT_TOKEN = "wechattoken"


@pytest.fixture
async def shared_stores(postgres_database: str, redis_url: str) -> AsyncIterator[AsyncEngine]:
    """The PostgreSQL database and the Redis bus several hub processes share, both emptied first; the engine."""
    engine = create_engine(postgres_database)
    await empty_tables(engine)
    bus = redis.from_url(redis_url)
    await bus.flushdb()
    await bus.aclose()
    yield engine
    await engine.dispose()


@pytest.fixture
def hub_sections() -> dict[str, Any]:
    """Config sections a test module adds to `hub_server`'s (overridden where one needs them)."""
    return {}


@pytest.fixture
async def hub_server(tmp_path, migrated_sqlite: Path,  # type: ignore[no-untyped-def]
                     hub_sections: dict[str, Any]) -> AsyncIterator[tuple[Hub, TestServer]]:
    config = config_from_dict({"database": {"url": copy_sqlite(migrated_sqlite, tmp_path / "hub.db")},
                               "webchat": {key: 1000 for key in RATE_KEYS}, **hub_sections})
    hub = build_hub(config)
    server = TestServer(build_app(hub))
    await server.start_server()
    yield hub, server
    await server.close()


class ChatClient:
    """A web-chat user over the real websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, session: str) -> None:
        self.ws = ws
        self.session = session
        self._n = 0

    async def say(self, text: str, *, client_id: str | None = None) -> dict[str, Any]:
        self._n += 1
        await self.ws.send_str(json.dumps({"type": "message", "text": text, "id": client_id or f"c{self._n}"},
                                          ensure_ascii=False))
        return await self.next("ack")

    async def next(self, kind: str = "message", timeout: float = 20.0) -> dict[str, Any]:
        while True:
            frame = json.loads((await self.ws.receive(timeout=timeout)).data)
            if frame["type"] == kind:
                return frame


@pytest.fixture
async def chat(hub_server) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    _, server = hub_server
    async with aiohttp.ClientSession() as http:
        clients = []

        async def connect(session: str | None = None, lang: str | None = None) -> ChatClient:
            ws = await http.ws_connect(server.make_url("/chat/ws").with_query(
                {key: value for key, value in (("session", session), ("lang", lang)) if value}))
            hello = json.loads((await ws.receive(timeout=10)).data)
            client = ChatClient(ws, hello["session"])
            clients.append(client)
            return client

        yield connect
        for client in clients:
            await client.ws.close()


async def push_wecom(http: aiohttp.ClientSession, server: TestServer, wecom: dict[str, Any], user: str, text: str,
                     msg_id: int, *, now: int | None = None, content: dict[str, Any] | None = None) -> int:
    """A text `user` typed in the WeCom app of the `wecom` section (or the message `content` stands for: its
    `MsgType` and fields), pushed to the served hub the way WeCom pushes it (at `now`, seconds since the epoch by
    the hub's clock; the real time by default); returns the HTTP status."""
    now = int(time.time()) if now is None else now
    xml = message_xml({"ToUserName": wecom["corp_id"], "FromUserName": user, "CreateTime": now,
                       **(content or {"MsgType": "text", "Content": text}), "MsgId": msg_id,
                       "AgentID": int(wecom["agent_id"])})
    query, body = wecom_push(token=wecom["token"], aes_key=wecom["encoding_aes_key"], corp_id=wecom["corp_id"],
                             agent_id=int(wecom["agent_id"]), xml=xml, timestamp=now)
    async with http.post(server.make_url("/webhooks/wecom"), params=query, data=body) as response:
        return response.status


class StaffedHub:
    """A served hub with every staff channel configured against its peers — WeCom and Slack fakes, dovecot and an
    SMTP recorder for email — plus the web chat and the WeChat Official Account (on the same fake as WeCom); demo
    staff loaded. Messages go in the way each platform sends
    them (encrypted WeCom callbacks, signed Slack events, mail appended over IMAP, a browser's websocket) and come
    out through the real send paths."""

    def __init__(self, *, hub: Hub, server: TestServer, slack: FakeSlackApi, weixin: FakeWeixinApi,
                 smtp: SmtpPeer | None, mailbox: Mailbox | None, wecom: dict[str, Any], http: aiohttp.ClientSession) -> None:
        self.hub, self.server, self.slack, self.weixin, self.smtp, self.mailbox = hub, server, slack, weixin, smtp, mailbox
        self._wecom = wecom
        self._http = http
        self._slack_driver = SlackDriver(TestClient(server), SystemClock())
        self._seq = itertools.count(1)

    async def add_staff(self, name: str, role: PersonKind, identities: dict[str, str], **fields: Any) -> None:
        async with self.hub.sessions() as session, session.begin():
            await PeopleService(session=session, clock=SystemClock()).add_staff(
                name=name, role=role, skills=fields.get("skills", ["repair"]), regions=fields.get("regions", []),
                identities=identities)

    async def wecom(self, user: str, text: str) -> int:
        """A text typed in the WeCom app, pushed the way WeCom pushes it; returns the HTTP status."""
        return await push_wecom(self._http, self.server, self._wecom, user, text, 9_000_000 + next(self._seq))

    async def wecom_photo(self, user: str, data: bytes, content_type: str = "image/jpeg") -> int:
        """A photo sent in the WeCom app: the fake holds its bytes under a new media id, the push names it."""
        media_id = f"wecom-photo-{next(self._seq)}"
        self.weixin.put_media(media_id, data, content_type, platform="wecom")
        return await push_wecom(self._http, self.server, self._wecom, user, "", 9_000_000 + next(self._seq),
                                content={"MsgType": "image", "PicUrl": f"https://wework.qpic.cn/{media_id}",
                                         "MediaId": media_id})

    async def wechat(self, openid: str, text: str) -> int:
        """A customer's text to the Official Account, pushed the way WeChat pushes it (plaintext mode); their
        48-hour customer-service window opens on the fake."""
        now = int(time.time())
        self.weixin.customer_wrote(openid)
        xml = message_xml({"ToUserName": "gh_service", "FromUserName": openid, "CreateTime": now,
                           "MsgType": "text", "Content": text, "MsgId": 8_000_000 + next(self._seq)})
        query, body = wechat_push(token=WECHAT_TOKEN, xml=xml, timestamp=now, openid=openid)
        async with self._http.post(self.server.make_url("/webhooks/wechat"), params=query, data=body) as response:
            return response.status

    async def slack_message(self, user: str, text: str, *, channel: str = "D0STAFF",
                            thread_ts: str | None = None) -> int:
        """A Slack message event (a reply in a thread when `thread_ts` is given), signed like Slack's; returns the
        HTTP status."""
        fields = {"thread_ts": thread_ts, "channel_type": "channel"} if thread_ts else {"channel_type": "im"}
        response = await self._slack_driver.event(self._slack_driver.message(text, user=user, channel=channel,
                                                                             **fields))
        return response.status

    async def slack_command(self, user: str, text: str) -> int:
        return (await self._slack_driver.command(text, user_id=user)).status

    async def mail(self, sender: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, SERVICE_ADDRESS, subject
        message["Message-ID"] = f"<m{next(self._seq)}.{time.time_ns()}@staff.test>"
        message.set_content(text)
        assert self.mailbox is not None, "a hub without email"
        await asyncio.to_thread(self.mailbox.append, bytes(message))

    async def chat(self, session: str) -> ChatClient:
        ws = await self._http.ws_connect(self.server.make_url(f"/chat/ws?session={session}"))
        hello = json.loads((await ws.receive(timeout=10)).data)
        return ChatClient(ws, hello["session"])

    async def settled(self, *, timeout: float = 30.0) -> None:
        """Every inbox row handled and every reply sent or given up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.hub.sessions() as session:
                inbox = await session.scalar(select(func.count()).select_from(InboxRow).where(
                    InboxRow.status == "pending"))
                outbox = await session.scalar(select(func.count()).select_from(OutboxRow).where(
                    OutboxRow.status.in_(("pending", "sending"))))
            if not inbox and not outbox:
                return
            await asyncio.sleep(0.05)
        async with self.hub.sessions() as session:
            stuck = [(r.channel, r.recipient, r.payload["template"], r.attempts, r.last_error)
                     for r in await session.scalars(select(OutboxRow).where(
                         OutboxRow.status.in_(("pending", "sending"))))]
        raise AssertionError(f"the hub did not settle in time: {inbox} inbox rows pending, outbox {stuck}")

    async def count(self, table: type) -> int:
        async with self.hub.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)

    async def close(self) -> None:
        await self._slack_driver.client.close()

    def wecom_sent(self, user: str) -> list[dict[str, Any]]:
        return [body for body in self.weixin.sent("/cgi-bin/message/send") if body.get("touser") == user]

    async def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """`/api/v1` with the console's (agent) token."""
        async with self._http.request(method, self.server.make_url(f"/api/v1{path}"), json=body,
                                      headers={"Authorization": f"Bearer {API_TOKEN}"}) as response:
            return response.status, await response.json()

    def slack_sent(self, channel: str) -> list[dict[str, Any]]:
        return [call for call in self.slack.called("chat.postMessage") if call.get("channel") == channel]

    def mails_to(self, address: str) -> list[EmailMessage]:
        assert self.smtp is not None, "a hub without email"
        return [mail for mail in self.smtp.recorder.mails if mail["To"] == address]


@pytest.fixture
def served_database(request: pytest.FixtureRequest, tmp_path,  # type: ignore[no-untyped-def]
                    migrated_sqlite: Path) -> str:
    """The URL of an empty, migrated database for a served hub: a SQLite file, or (parametrized indirectly with
    "postgresql") the shared PostgreSQL test database, emptied."""
    if getattr(request, "param", "sqlite") != "postgresql":
        return copy_sqlite(migrated_sqlite, tmp_path / "hub.db")
    url = request.getfixturevalue("postgres_database")

    async def empty() -> None:
        engine = create_engine(url)
        await empty_tables(engine)
        await engine.dispose()

    asyncio.run(empty())
    return url


@pytest.fixture
def staffed_settings() -> dict[str, Any]:
    """Config sections a test module adds to the staffed hub's (override this fixture in the module)."""
    return {}


@pytest.fixture
async def staffed_hub(served_database: str, tmp_path, mailbox: Mailbox,  # type: ignore[no-untyped-def]
                      smtp_peer: SmtpPeer, staffed_settings: dict[str, Any]) -> AsyncIterator[StaffedHub]:
    """On SQLite unless `served_database` is parametrized with "postgresql"."""
    email = {"imap_host": "127.0.0.1", "imap_port": mailbox.port, "imap_user": USER, "imap_password": PASSWORD,
             "imap_ssl": False, "imap_folder": mailbox.folder, "smtp_host": "127.0.0.1",
             "smtp_port": smtp_peer.port, "smtp_starttls": False, "from_address": SERVICE_ADDRESS,
             "poll_interval": "1s", "attachment_dir": str(tmp_path / "attachments")}
    async with _staffed(served_database, {"email": email, **staffed_settings}, smtp_peer, mailbox) as staffed:
        yield staffed


@pytest.fixture
async def messaging_hub(served_database: str,  # type: ignore[no-untyped-def]
                        staffed_settings: dict[str, Any]) -> AsyncIterator[StaffedHub]:
    """`staffed_hub` without email (so without the IMAP and SMTP peers): WeCom and Slack fakes and the web chat."""
    async with _staffed(served_database, staffed_settings, None, None) as staffed:
        yield staffed


@contextlib.asynccontextmanager
async def _staffed(url: str, sections: dict[str, Any], smtp_peer: SmtpPeer | None,
                   mailbox: Mailbox | None) -> AsyncIterator[StaffedHub]:
    slack = await FakeSlackApi(token=BOT_TOKEN).start()
    weixin = await FakeWeixinApi(clock=SystemClock(), app_id=WECHAT_APP_ID, app_secret="appsecret", corp_id=CORP_ID,
                                 corp_secret="corpsecret", agent_id=AGENT_ID).start()
    wecom = {"corp_id": CORP_ID, "agent_id": str(AGENT_ID), "secret": "corpsecret", "token": "wecomtoken",
             "encoding_aes_key": new_aes_key(), "api_base_url": weixin.url, "alerts_chat_id": "ops"}
    config = config_from_dict({
        "database": {"url": url}, "webchat": {key: 1000 for key in RATE_KEYS}, "wecom": wecom,
        "api": {"tokens": [{"token": API_TOKEN, "role": "agent", "name": "console"}]},
        "wechat": {"app_id": WECHAT_APP_ID, "app_secret": "appsecret", "token": WECHAT_TOKEN,
                   "api_base_url": weixin.url},
        "slack": {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, "api_base_url": slack.url,
                  "alerts_channel": "C0ALERTS"}, **sections})
    hub = build_hub(config, understander=keyword_understander())
    await load_demo(url, only_if_empty=False)
    server = TestServer(build_app(hub))
    await server.start_server()
    async with aiohttp.ClientSession() as http:
        staffed = StaffedHub(hub=hub, server=server, slack=slack, weixin=weixin, smtp=smtp_peer, mailbox=mailbox,
                             wecom=wecom, http=http)
        yield staffed
        await staffed.close()
    await server.close()
    await slack.close()
    await weixin.close()
