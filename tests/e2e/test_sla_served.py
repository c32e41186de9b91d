"""The SLA clock through real `aftersales serve` processes with second-long targets, staff on WeCom and Slack (the
fakes record what is sent): the warning, the breach and the escalation reach the right staff channel and both alert
rooms once each; `确认 SR-…` typed on WeCom, and the ack buttons on WeCom and Slack, stop the levels not yet sent; an
alert that fell due while the hub was killed (-9) goes out once after the restart; two processes on one PostgreSQL
database and Redis bus send each alert once."""
from __future__ import annotations

import asyncio
import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest
import redis.asyncio as redis
from sqlalchemy import select

from bot.demo import load_demo
from bot.staff_file import read_staff_file
from core.clock import SystemClock
from core.services.unit import Services
from core.storage.migrate import upgrade
from core.storage.db import create_engine, session_factory
from core.storage.models import Ticket, TicketEvent, Timer
from tests.channels.slack.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.conftest import empty_tables
from testkit.fakes.slack_api import TEAM_ID, FakeSlackApi, sign
from testkit.fakes.weixin_api import FakeWeixinApi, message_xml, new_aes_key, wecom_push
from testkit.hub_process import HubProcess

CORP_ID = "ww0123456789abcdef"
AGENT_ID = 1000002
WECOM_TOKEN = "wecomtoken"
AES_KEY = new_aes_key()
ROOM_SLACK, ROOM_WECOM = "C0ALERTS", "ops"
SUPERVISOR, MANAGER = "chenzhuguan", "U0MGRQIAN"
"""陈主管 is reached on WeCom (the demo staff); the manager only has Slack, so level 2 goes to a Slack DM."""
MARKS = {0: "SLA 预警", 1: "SLA 超时", 2: "SLA 升级"}
REPAIR = "洗衣机不脱水了，一直响，电话1381234{n:04d}，地址上海市浦东新区张江路100号{n}栋"
STAFF_FILE = """[[staff]]
name = "钱经理"
role = "manager"
identities = { slack = "U0MGRQIAN" }
"""


def sla_config(*, escalate_after: str | None) -> str:
    """First response due 4 s after opening on a 24x7 clock, warned at 2 s; the breach to the supervisors, then
    (when `escalate_after` is given) the managers that long after it."""
    chain = '[[sla.escalation]]\nafter = "0s"\nnotify = "supervisor"\n'
    if escalate_after:
        chain += f'[[sla.escalation]]\nafter = "{escalate_after}"\nnotify = "manager"\n'
    return ('[sla]\ncalendar = "24x7"\nwarn_at = 0.5\n[[sla.policy]]\nfirst_response = "4s"\n' + chain)


@dataclass
class Peers:
    slack: FakeSlackApi
    weixin: FakeWeixinApi

    def config(self) -> str:
        return (f'[wecom]\ncorp_id = "{CORP_ID}"\nagent_id = "{AGENT_ID}"\nsecret = "corpsecret"\n'
                f'token = "{WECOM_TOKEN}"\nencoding_aes_key = "{AES_KEY}"\napi_base_url = "{self.weixin.url}"\n'
                f'alerts_chat_id = "{ROOM_WECOM}"\n'
                f'[slack]\nbot_token = "{BOT_TOKEN}"\nsigning_secret = "{SIGNING_SECRET}"\n'
                f'api_base_url = "{self.slack.url}"\nalerts_channel = "{ROOM_SLACK}"\n')

    def sent(self) -> list[tuple[str, str]]:
        """Every message sent so far as (where, what it says): `wecom:<user>`, `wecom-room:<chat>`, `slack:<id>`.
        A WeCom button card too long for the card comes after its full text in a plain message: the card counts."""
        found = [(f"wecom:{body['touser']}", json.dumps(body, ensure_ascii=False))
                 for body in self.weixin.sent("/cgi-bin/message/send") if body["msgtype"] != "text"]
        found += [(f"wecom-room:{body['chatid']}", json.dumps(body, ensure_ascii=False))
                  for body in self.weixin.sent("/cgi-bin/appchat/send")]
        found += [(f"slack:{call['channel']}", str(call["text"])) for call in self.slack.called("chat.postMessage")]
        return found

    def alerts(self, code: str, level: int) -> list[str]:
        """Where the alert of `level` about ticket `code` was sent, one entry per message."""
        return sorted(where for where, text in self.sent() if code in text and MARKS[level] in text)

    async def expect(self, code: str, level: int, where: list[str], *, timeout: float = 40) -> None:
        """Wait until the alert of `level` about `code` has been sent to exactly `where`."""
        deadline = time.monotonic() + timeout
        while (found := self.alerts(code, level)) != where:
            if time.monotonic() > deadline:
                raise AssertionError(f"{MARKS[level]} of {code}: sent to {found}, expected {where}")
            await asyncio.sleep(0.05)

    def slack_ts(self, channel: str, code: str, level: int) -> str:
        """The ts of the alert message in a Slack channel (the message whose button is pressed)."""
        return next(ts for (posted_in, ts), message in self.slack.messages.items()
                    if posted_in == channel and code in json.dumps(message, ensure_ascii=False)
                    and MARKS[level] in json.dumps(message, ensure_ascii=False))


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    slack = await FakeSlackApi(token=BOT_TOKEN).start()
    weixin = await FakeWeixinApi(clock=SystemClock(), app_id="wx-unused", app_secret="unused", corp_id=CORP_ID,
                                 corp_secret="corpsecret", agent_id=AGENT_ID).start()
    yield Peers(slack=slack, weixin=weixin)
    await slack.close()
    await weixin.close()


async def staffed(url: str, tmp_path: Path) -> None:
    """Schema, the demo staff and a manager on Slack, before `serve` checks the escalation chain against them."""
    staff_file = tmp_path / "staff.toml"
    staff_file.write_text(STAFF_FILE, "utf-8")
    engine = create_engine(url)
    try:
        await upgrade(engine)
        await load_demo(url, only_if_empty=False)
        async with session_factory(engine)() as session, session.begin():
            await Services.in_transaction(session, SystemClock()).staff.import_specs(read_staff_file(staff_file))
    finally:
        await engine.dispose()


async def open_ticket(hub: HubProcess, n: int) -> str:
    """A customer on the hub's web chat reports a repair; returns the ticket id."""
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{hub.url}/chat/ws?session=slacustomer{n:08d}") as ws:
        await ws.send_str(json.dumps({"type": "message", "text": REPAIR.format(n=n), "id": "c1"}, ensure_ascii=False))
        while True:
            frame = json.loads((await ws.receive(timeout=30)).data)
            if frame["type"] == "message" and frame.get("ticket"):
                return str(frame["ticket"]["id"])


async def wecom_push_to(hub: HubProcess, user: str, fields: dict[str, Any]) -> None:
    """A WeCom callback from `user` (a text or a button press), encrypted and signed as WeCom sends it."""
    now = int(time.time())
    xml = message_xml({"ToUserName": CORP_ID, "FromUserName": user, "CreateTime": now, "AgentID": AGENT_ID, **fields})
    query, body = wecom_push(token=WECOM_TOKEN, aes_key=AES_KEY, corp_id=CORP_ID, agent_id=AGENT_ID, xml=xml,
                             timestamp=now)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{hub.url}/webhooks/wecom", params=query, data=body) as response:
            assert response.status == 200


async def slack_button(hub: HubProcess, *, user: str, channel: str, message_ts: str, command: str) -> None:
    """A press of a Slack button whose value is `command`, signed as Slack signs it."""
    payload = {"type": "block_actions", "team": {"id": TEAM_ID, "domain": "service"},
               "user": {"id": user, "username": "chen", "name": "chen", "team_id": TEAM_ID}, "api_app_id": "A0APP",
               "token": "legacy", "trigger_id": "2448.1.def", "channel": {"id": channel, "name": "alerts"},
               "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                             "is_ephemeral": False},
               "message": {"type": "message", "ts": message_ts, "text": "alert", "bot_id": "B0BOT"},
               "actions": [{"action_id": "as_ack_0", "block_id": "as_actions_0", "type": "button", "value": command,
                            "text": {"type": "plain_text", "text": "确认"}, "action_ts": f"{time.time():.6f}"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, int(time.time()), body)}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{hub.url}/webhooks/slack", data=body, headers=headers) as response:
            assert response.status == 200


async def timer_status(url: str, code: str) -> tuple[str, int]:
    """The status of the ticket's first-response timer and the alert level it stands at."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            row = (await session.execute(select(Timer.status, Timer.payload).where(
                Timer.key == f"sla:{code}:first_response"))).one()
            return row.status, int(row.payload["level"])
    finally:
        await engine.dispose()


EVERYWHERE = sorted([f"wecom:{SUPERVISOR}", f"wecom-room:{ROOM_WECOM}", f"slack:{ROOM_SLACK}"])
ESCALATED = sorted([f"slack:{MANAGER}", f"wecom-room:{ROOM_WECOM}", f"slack:{ROOM_SLACK}"])


@pytest.mark.timeout(180)
async def test_alerts_go_out_once_acks_stop_the_chain_and_a_kill_9_loses_none(tmp_path: Path, peers: Peers) -> None:
    hub = HubProcess(tmp_path, extra_config=peers.config() + sla_config(escalate_after="6s"))
    await staffed(hub.database_url, tmp_path)
    try:
        await hub.start(migrate=False)
        # Acknowledged three ways: typed on WeCom, the WeCom card's button, the Slack button in the alert room.
        typed, card, button = [await open_ticket(hub, n) for n in range(3)]
        unacknowledged = await open_ticket(hub, 3)  # opened last: its level 2 falls due after the others' would
        for code in (typed, card, button):
            await peers.expect(code, 1, EVERYWHERE)
        await wecom_push_to(hub, SUPERVISOR, {"MsgType": "text", "Content": f"确认 {typed}", "MsgId": 7001})
        await wecom_push_to(hub, SUPERVISOR, {"MsgType": "event", "Event": "template_card_event",
                                              "EventKey": f"确认 {card}", "TaskId": "ack-card-1"})
        await slack_button(hub, user="U0SUPCHEN", channel=ROOM_SLACK, command=f"确认 {button}",
                           message_ts=peers.slack_ts(ROOM_SLACK, button, 1))

        await peers.expect(unacknowledged, 2, ESCALATED)
        for code in (typed, card, button, unacknowledged):
            assert peers.alerts(code, 0) == EVERYWHERE, f"the warning of {code}"
            assert peers.alerts(code, 1) == EVERYWHERE, f"the breach of {code}"
        for code in (typed, card, button):
            assert peers.alerts(code, 2) == [], f"{code} was acknowledged, yet escalated"
            assert await timer_status(hub.database_url, code) == ("cancelled", 2)
        engine = create_engine(hub.database_url)
        async with session_factory(engine)() as session:
            acks = list(await session.execute(select(Ticket.code, TicketEvent.actor).join(
                Ticket, Ticket.id == TicketEvent.ticket_id).where(TicketEvent.action == "acknowledged")))
        await engine.dispose()
        assert sorted(code for code, _ in acks) == sorted([typed, card, button])
        assert {actor for _, actor in acks} == {acks[0][1]} and acks[0][1].startswith("supervisor:"), acks

        # Killed after a ticket opened and before its alerts fell due; they fall due while nothing runs.
        late = await open_ticket(hub, 4)
        assert hub.signal(signal.SIGKILL) == -signal.SIGKILL
        await asyncio.sleep(5)
        await hub.start(migrate=False)
        await peers.expect(late, 2, ESCALATED)
        assert peers.alerts(late, 0) == EVERYWHERE and peers.alerts(late, 1) == EVERYWHERE
        assert hub.signal(signal.SIGTERM) == 0
    finally:
        hub.kill()


@pytest.mark.timeout(180)
async def test_two_processes_on_one_redis_bus_send_each_alert_once(tmp_path: Path, peers: Peers,
                                                                   postgres_database: str, redis_url: str) -> None:
    engine = create_engine(postgres_database)
    await empty_tables(engine)
    await engine.dispose()
    bus = redis.from_url(redis_url)
    await bus.flushdb()
    await bus.aclose()
    config = (peers.config() + sla_config(escalate_after=None)
              + f'[bus]\nbackend = "redis"\nredis_url = "{redis_url}"\npartitions = 4\n')
    hubs = [HubProcess(tmp_path / name, database_url=postgres_database, extra_config=config) for name in "ab"]
    await staffed(postgres_database, tmp_path)
    try:
        await asyncio.gather(*(hub.start(migrate=False) for hub in hubs))
        codes = await asyncio.gather(*(open_ticket(hubs[n % 2], 10 + n) for n in range(6)))
        for code in codes:
            await peers.expect(code, 1, EVERYWHERE)
        await asyncio.sleep(1)  # a second sender would have sent its copy by now
        for code in codes:
            assert peers.alerts(code, 0) == EVERYWHERE and peers.alerts(code, 1) == EVERYWHERE, code
        assert all(hub.signal(signal.SIGTERM) == 0 for hub in hubs)
    finally:
        for hub in hubs:
            hub.kill()
