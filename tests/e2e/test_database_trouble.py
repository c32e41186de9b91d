"""A database locked by another process: the customer is told to resend, the server stays up, nothing is lost."""
from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from core.storage.models import InboxRow, Ticket


async def test_locked_database_answers_unavailable_then_the_resend_counts_once(hub_server, chat) -> None:
    hub, _ = hub_server
    customer = await chat()
    database = hub.engine.url.database
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        await customer.ws.send_json({"type": "message", "text": "热水器漏水了，地上全是水", "id": "leak-1"})
        refused = await customer.next("error", timeout=30)
        assert (refused["code"], refused["id"]) == ("unavailable", "leak-1")
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
