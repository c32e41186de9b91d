"""The served hub with a fake clock that the timer worker is woken to, staff on WeCom and both alert rooms (the
WeCom and Slack fakes record what is sent): SLA due times in 2027 from the holidays file — chinese-calendar knows
nothing after 2026 — and in 2028, which nobody has published, by the Monday–Friday fallback; the daily summary
posted to both rooms at its local time with the figures /api/v1/stats gives for the same day; a visit agreed in
chat, then moved, reminded to both sides an hour before its new time, once."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select
from aiohttp.test_utils import TestServer

from bot.bootstrap import Hub
from bot.config import config_from_dict
from core.clock import FakeClock
from core.storage.models import OutboxRow
from tests.channels.slack.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.conftest import push_wecom
from testkit.fakes.slack_api import FakeSlackApi
from testkit.fakes.weixin_api import FakeWeixinApi, new_aes_key
from testkit.database import copy_sqlite
from testkit.hub_process import RATE_KEYS
from testkit.served import served_hub

ZONE = ZoneInfo("Asia/Shanghai")
CORP_ID = "ww0123456789abcdef"
AGENT_ID = 1000002
API_TOKEN = "t0k3n"
HOLIDAYS = '[2027]\nholidays = ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]\n' \
           'workdays = ["2027-02-06"]\n'
REPAIR = "洗衣机不脱水了，一直响，型号XQB80-1，电话13812345678，地址上海市浦东新区张江路100号3栋"


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZONE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=local(2027, 2, 5, 17, 0))  # a Friday, an hour before the end of business


@pytest.fixture
async def peers(clock: FakeClock) -> AsyncIterator[tuple[FakeSlackApi, FakeWeixinApi]]:
    slack = await FakeSlackApi(token=BOT_TOKEN).start()
    weixin = await FakeWeixinApi(clock=clock, app_id="wx-unused", app_secret="unused", corp_id=CORP_ID,
                                 corp_secret="corpsecret", agent_id=AGENT_ID).start()
    yield slack, weixin
    await slack.close()
    await weixin.close()


@pytest.fixture
async def hub_server(tmp_path: Path, migrated_sqlite: Path, clock: FakeClock,
                     peers: tuple[FakeSlackApi, FakeWeixinApi]) -> AsyncIterator[tuple[Hub, TestServer]]:
    slack, weixin = peers
    holidays = tmp_path / "holidays.toml"
    holidays.write_text(HOLIDAYS, "utf-8")
    url = copy_sqlite(migrated_sqlite, tmp_path / "hub.db")
    config = config_from_dict({
        "database": {"url": url}, "webchat": {key: 1000 for key in RATE_KEYS}, "api": {"tokens": [API_TOKEN]},
        "wecom": {"corp_id": CORP_ID, "agent_id": str(AGENT_ID), "secret": "corpsecret", "token": "wecomtoken",
                  "encoding_aes_key": new_aes_key(), "api_base_url": weixin.url, "alerts_chat_id": "ops"},
        "slack": {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, "api_base_url": slack.url,
                  "alerts_channel": "C0ALERTS"},
        "sla": {"calendar": "china", "timezone": "Asia/Shanghai", "holidays_file": str(holidays),
                "policy": [{"first_response": "2h", "resolution": "3d"}],
                "escalation": [{"after": "0s", "notify": "supervisor"}]},
        "reports": {"daily_at": "08:30"}})
    async with served_hub(config, clock=clock, demo=True) as hub_and_server:
        yield hub_and_server


async def _later(hub: Hub, clock: FakeClock, to: datetime) -> None:
    clock.advance((to - clock.now()).total_seconds())
    assert hub.timers is not None
    await hub.timers.fire_due()
    hub.sender.wake()


async def _api(server: TestServer, path: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.make_url(f"/api/v1{path}"),
                            headers={"Authorization": f"Bearer {API_TOKEN}"}) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def _wait(check: Callable[[], list[Any]]) -> list[Any]:
    """Poll what the fakes recorded until `check` finds something (the outbox sends on its own task)."""
    for _ in range(1000):
        found = check()
        if found:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("never sent")


async def test_2027_due_times_come_from_the_holidays_file_and_2028_falls_back_to_weekdays(  # type: ignore[no-untyped-def]
        hub_server, chat, clock, peers, caplog) -> None:
    hub, server = hub_server
    _, weixin = peers
    customer = await chat()
    await customer.say(REPAIR)
    code = (await customer.next())["ticket"]["id"]
    sla = (await _api(server, f"/tickets/{code}"))["sla"]
    # An hour left on Friday, then the make-up Saturday of the Spring Festival week.
    assert datetime.fromisoformat(sla["first_response"]["due_at"]) == local(2027, 2, 6, 10, 0)
    # Three business days: Saturday, then the holiday week off, then Monday and Tuesday the 15th and 16th.
    assert datetime.fromisoformat(sla["resolution"]["due_at"]) == local(2027, 2, 16, 17, 0)

    await _later(hub, clock, local(2027, 2, 6, 10, 0))
    breach = await _wait(lambda: [b for b in weixin.sent("/cgi-bin/message/send")
                                  if b.get("touser") == "chenzhuguan" and code in json.dumps(b, ensure_ascii=False)
                                  and "SLA 超时" in json.dumps(b, ensure_ascii=False)])
    assert "2027-02-06 10:00" in json.dumps(breach[-1], ensure_ascii=False)

    await _later(hub, clock, local(2028, 3, 3, 17, 0))  # a Friday of a year no schedule is known for
    with caplog.at_level(logging.WARNING):
        other = await chat()
        await other.say(REPAIR.replace("13812345678", "13900001111"))
        later = (await other.next())["ticket"]["id"]
    sla = (await _api(server, f"/tickets/{later}"))["sla"]
    assert datetime.fromisoformat(sla["first_response"]["due_at"]) == local(2028, 3, 6, 10, 0)  # Monday
    assert any("2028" in r.getMessage() and "holidays_file" in r.getMessage() for r in caplog.records)


async def test_the_daily_summary_reaches_both_rooms_with_the_figures_of_the_stats_api(  # type: ignore[no-untyped-def]
        hub_server, chat, clock, peers) -> None:
    hub, server = hub_server
    slack, weixin = peers
    customer = await chat()
    await customer.say(REPAIR)
    await customer.next()
    await _later(hub, clock, local(2027, 2, 6, 8, 29))
    assert not [c for c in slack.called("chat.postMessage") if "服务日报" in str(c.get("text"))]
    await _later(hub, clock, local(2027, 2, 6, 8, 30))
    [posted] = await _wait(lambda: [c for c in slack.called("chat.postMessage")
                                    if c["channel"] == "C0ALERTS" and "服务日报" in str(c.get("text"))])
    [room] = await _wait(lambda: [b for b in weixin.sent("/cgi-bin/appchat/send")
                                  if "服务日报" in json.dumps(b, ensure_ascii=False)])
    stats = await _api(server, "/stats?since=2027-02-04T16:00:00Z&until=2027-02-05T16:00:00Z")
    text = str(posted["text"])
    assert stats["total"] == 1 and "新建工单：1（维修 1）" in text and "2027-02-05" in text
    assert "XQB80-1 1" in text and room["chatid"] == "ops"


def _wecom_texts(weixin: FakeWeixinApi, user: str) -> list[str]:
    return [json.dumps(b, ensure_ascii=False) for b in weixin.sent("/cgi-bin/message/send") if b.get("touser") == user]


async def _until_text(customer, word: str) -> str:  # type: ignore[no-untyped-def]
    """The next web-chat message with `word` in it (skipping the others)."""
    while word not in (text := (await customer.next())["text"]):
        pass
    return text


async def test_both_sides_are_reminded_an_hour_before_the_agreed_visit_once(  # type: ignore[no-untyped-def]
        hub_server, chat, clock, peers) -> None:
    """The visit is agreed for Saturday 09:00, then the technician moves it to 14:00: nothing at 08:00, both the
    customer (web chat) and the technician (WeCom) reminded at 13:00, and not again later."""
    hub, server = hub_server
    _, weixin = peers
    section = hub.config.channel("wecom")
    wecom = {key: getattr(section, key) for key in ("corp_id", "agent_id", "token", "encoding_aes_key")}
    customer = await chat()
    await customer.say(REPAIR)
    code = (await customer.next())["ticket"]["id"]
    async with aiohttp.ClientSession() as http:
        for n, text in enumerate((f"接单 {code}", f"预约 {code} 2027-02-06 09:00", f"改约 {code} 2027-02-06 14:00")):
            assert await push_wecom(http, server, wecom, "wangshifu", text, 8_000_000 + n,
                                     now=int(clock.now().timestamp())) == 200
            await _until_text(customer, "14:00" if n == 2 else "09:00")
    assert (await _api(server, f"/tickets/{code}"))["status"] == "accepted"

    await _later(hub, clock, local(2027, 2, 6, 8, 0))
    await _later(hub, clock, local(2027, 2, 6, 12, 59))
    assert await _reminders(hub) == [], "the 09:00 visit's reminder moved with it"
    await _later(hub, clock, local(2027, 2, 6, 13, 0))
    told = await _until_text(customer, "提醒")
    assert "王师傅" in told and "14:00–16:00" in told and code in told, told
    [reminded] = await _wait(lambda: [t for t in _wecom_texts(weixin, "wangshifu") if "提醒" in t])
    assert code in reminded and "14:00–16:00" in reminded and "13812345678" in reminded
    await _later(hub, clock, local(2027, 2, 6, 15, 0))
    assert sorted(await _reminders(hub)) == ["wangshifu", f"web:{customer.session}"]


async def _reminders(hub: Hub) -> list[str]:
    """Who the visit reminders queued so far go to."""
    async with hub.sessions() as session:
        rows = await session.scalars(select(OutboxRow))
        return [row.recipient for row in rows if row.payload.get("template") == "visit_reminder"]
