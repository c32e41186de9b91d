"""A database locked by another process, or gone: the customer is told to resend, the server keeps serving, nothing
is lost."""
from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.storage.db import create_engine, session_factory
from core.storage.models import InboxRow, Ticket
from tests.conftest import POSTGRES_URL, _admin, _asyncpg, empty_tables
from testkit.hub_process import HubProcess


async def test_locked_database_answers_unavailable_then_the_resend_counts_once(hub_server, chat) -> None:
    hub, server = hub_server
    customer = await chat()
    database = hub.engine.url.database
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        await customer.ws.send_json({"type": "message", "text": "热水器漏水了，地上全是水", "id": "leak-1"})
        answered: list[str] = []

        async def refusal() -> dict:
            frame = await customer.next("error", timeout=30)
            answered.append("refused")
            return frame

        async def health() -> int:
            async with aiohttp.ClientSession() as http, http.get(server.make_url("/healthz")) as response:
                answered.append("healthz")
                return response.status

        refused, status = await asyncio.gather(refusal(), health())
        assert (refused["code"], refused["id"]) == ("unavailable", "leak-1")
        assert status == 200 and answered == ["healthz", "refused"], "the hub stopped serving while it waited"
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert (await customer.say("热水器漏水了，地上全是水", client_id="leak-1"))["id"] == "leak-1"
    assert (await customer.say("热水器漏水了，地上全是水", client_id="leak-1"))["id"] == "leak-1"
    opened = await customer.next()
    assert opened["ticket"]["type"] == "repair"
    async with hub.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxRow)) == 1
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1


@pytest.mark.timeout(120)
async def test_postgresql_sessions_dropped_between_messages_refuse_nothing(tmp_path: Path,
                                                                          postgres_database: str) -> None:
    """The server drops every session of a `serve` on PostgreSQL (as a restart does) while the process is idle:
    its pooled connections are dead, yet the next message is acknowledged and answered, not refused, and /healthz
    says 200 — the pool does not test connections before use, the work runs again on a fresh one."""
    engine = create_engine(postgres_database)
    await empty_tables(engine)
    await engine.dispose()
    name, server = make_url(postgres_database).database, _asyncpg(POSTGRES_URL)
    hub = HubProcess(tmp_path / "hub", database_url=postgres_database)
    try:
        await hub.start(migrate=False)
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"{hub.url}/chat/ws?session=pgdropsession0001") as ws:
            assert (await ws.receive_json(timeout=10))["type"] == "hello"
            for n, text in enumerate(["热水器漏水了，地上全是水", "电话13812345678"]):
                await _admin(server, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
                await ws.send_json({"type": "message", "text": text, "id": f"drop-{n}"})
                frames = [await ws.receive_json(timeout=30), await ws.receive_json(timeout=30)]
                assert [(f["type"], f.get("id")) for f in frames][:1] == [("ack", f"drop-{n}")]
                assert frames[1]["type"] == "message"
            await _admin(server, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            async with http.get(f"{hub.url}/healthz") as health:
                assert health.status == 200
        assert hub.signal(signal.SIGTERM) == 0
    finally:
        hub.kill()
    assert await _inbox_rows_and_tickets(postgres_database) == (2, 1)


@pytest.mark.timeout(120)
async def test_postgresql_gone_then_back_loses_nothing(tmp_path: Path, postgres_database: str) -> None:
    """A real `serve` on PostgreSQL whose database stops taking connections (and drops the open ones): the
    customer is told to resend, /healthz says 503, the process stays up; once the database is back the resend is
    committed once and answered."""
    engine = create_engine(postgres_database)
    await empty_tables(engine)
    await engine.dispose()
    name, server = make_url(postgres_database).database, _asyncpg(POSTGRES_URL)
    hub = HubProcess(tmp_path / "hub", database_url=postgres_database)
    text = "热水器漏水了，地上全是水"
    try:
        await hub.start(migrate=False)
        async with aiohttp.ClientSession() as http, \
                http.ws_connect(f"{hub.url}/chat/ws?session=pggonesession0001") as ws:
            assert (await ws.receive_json(timeout=10))["type"] == "hello"
            await _admin(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await _admin(server, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            await ws.send_json({"type": "message", "text": text, "id": "gone-1"})
            refused = await ws.receive_json(timeout=30)
            assert (refused["type"], refused["code"], refused["id"]) == ("error", "unavailable", "gone-1")
            async with http.get(f"{hub.url}/healthz") as health:
                assert health.status == 503

            await _admin(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await ws.send_json({"type": "message", "text": text, "id": "gone-1"})
            frames = [await ws.receive_json(timeout=30), await ws.receive_json(timeout=30)]
            assert [f["type"] for f in frames] == ["ack", "message"]
            assert frames[1]["ticket"]["type"] == "repair"
            async with http.get(f"{hub.url}/healthz") as health:
                assert health.status == 200
        assert hub.signal(signal.SIGTERM) == 0
    finally:
        await _admin(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        hub.kill()
    assert await _inbox_rows_and_tickets(postgres_database) == (1, 1)


async def _inbox_rows_and_tickets(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return (await session.scalar(select(func.count()).select_from(InboxRow)) or 0,
                    await session.scalar(select(func.count()).select_from(Ticket)) or 0)
    finally:
        await engine.dispose()
