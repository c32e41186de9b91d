"""A database locked by another process: the customer is told to resend, the server keeps serving while it waits
for the lock, nothing is lost."""
from __future__ import annotations

import asyncio
import sqlite3

import aiohttp

from sqlalchemy import func, select

from core.storage.models import InboxRow, Ticket


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
