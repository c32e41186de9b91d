"""Replies leave in the order they were written, across a restart: a reply held by Slack rate limits when the hub
stops is sent by the next hub before the reply to the customer's next message ("您的问题我们已经记录下来了" before
"已补充到工单"), on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.bootstrap import Hub
from bot.config import Config, config_from_dict
from core.clock import SystemClock
from core.storage.models import OutboxRow
from tests.channels.slack.conftest import BOT_TOKEN, SIGNING_SECRET, SlackDriver
from testkit.fakes.slack_api import FakeSlackApi
from testkit.understanding import keyword_understander
from testkit.served import served_hub


@asynccontextmanager
async def _served(config: Config) -> AsyncIterator[tuple[Hub, SlackDriver]]:
    """One run of the hub: served until the block ends, then stopped as on shutdown."""
    async with served_hub(config, understander=keyword_understander()) as (hub, server):
        driver = SlackDriver(TestClient(server), SystemClock())
        try:
            yield hub, driver
        finally:
            await driver.client.close()


async def _outbox_when(hub: Hub, done: Callable[[list[OutboxRow]], bool]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with hub.sessions() as session:
            rows = list(await session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        if done(rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the outbox never got there: {[(r.status, r.attempts, r.last_error) for r in rows]}")


@pytest.mark.parametrize("served_database", ["sqlite", "postgresql"], indirect=True)
async def test_a_reply_held_before_a_restart_still_goes_first(served_database: str) -> None:
    slack = await FakeSlackApi(token=BOT_TOKEN).start()
    config = config_from_dict({"database": {"url": served_database},
                               "slack": {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET,
                                         "api_base_url": slack.url}})
    try:
        slack.rate_limit("chat.postMessage", retry_after=1, times=1000)
        async with _served(config) as (hub, driver):
            first = driver.message("洗衣机不脱水了，一直响", user="U0CUST", channel="C0SHARED")
            assert (await driver.event(first)).status == 200
            await _outbox_when(hub, lambda rows: len(rows) == 1 and rows[0].last_error.startswith("ratelimited"))
        slack.recover("chat.postMessage")
        async with _served(config) as (hub, driver):
            follow_up = driver.message("电话13812345678，地址上海市浦东新区张江路100号3栋", user="U0CUST",
                                       channel="C0SHARED", thread_ts=first["ts"], ts=f"{first['ts']}1")
            assert (await driver.event(follow_up)).status == 200
            await _outbox_when(hub, lambda rows: len(rows) == 2 and {r.status for r in rows} == {"sent"})
    finally:
        await slack.close()
    posted = [call["text"] for call in slack.called("chat.postMessage") if call.get("channel") == "C0SHARED"]
    assert "记录下来" in posted[-2] and "已补充到工单" in posted[-1]
