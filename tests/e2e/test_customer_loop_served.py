"""The customer's half of a job through the served hub: a web-chat customer over the real websocket, technicians
and supervisors on WeCom (signed, encrypted callbacks in; the fake WeCom API out), time moved by a fake clock that
the timer worker is woken to. Confirm → close, reopen, the survey stored, a low score alerted, a survey expiring,
and knowledge-base answers found helpful or not."""
from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.bootstrap import Hub
from bot.config import config_from_dict
from core.clock import FakeClock
from core.services.stats import StatsService
from core.outbox import MAX_ATTEMPTS
from core.storage.models import KbAnswer, OutboxRow, Survey, Ticket
from testkit.database import copy_sqlite
from testkit.fakes.weixin_api import FakeWeixinApi, message_xml, new_aes_key, wecom_push
from testkit.hub_process import RATE_KEYS
from testkit.served import served_hub

CORP_ID = "ww0123456789abcdef"
AGENT_ID = 1000002
TOKEN = "wecomtoken"
AES_KEY = new_aes_key()
REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"
SEND = "/cgi-bin/message/send"
API_TOKEN = "t0k3n"
DAY = 86400


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=datetime.now(timezone.utc))


@pytest.fixture
async def wecom(clock: FakeClock) -> AsyncIterator[FakeWeixinApi]:
    api = await FakeWeixinApi(clock=clock, app_id="wx-unused", app_secret="unused", corp_id=CORP_ID,
                              corp_secret="corpsecret", agent_id=AGENT_ID).start()
    yield api
    await api.close()


@pytest.fixture
async def hub_server(tmp_path, migrated_sqlite: Path, clock: FakeClock,  # type: ignore[no-untyped-def]
                     wecom: FakeWeixinApi) -> AsyncIterator[tuple[Hub, TestServer]]:
    url = copy_sqlite(migrated_sqlite, tmp_path / "hub.db")
    config = config_from_dict({
        "database": {"url": url}, "webchat": {key: 1000 for key in RATE_KEYS},
        "wecom": {"corp_id": CORP_ID, "agent_id": str(AGENT_ID), "secret": "corpsecret", "token": TOKEN,
                  "encoding_aes_key": AES_KEY, "api_base_url": wecom.url},
        "api": {"tokens": [API_TOKEN]},
        "survey": {"delay": "1m", "nps": True, "expire": "1d", "remind": "0s", "low_score": 2,
                   "reopen_window": "2d"}})
    async with served_hub(config, clock=clock, demo=True) as hub_and_server:
        yield hub_and_server


async def until(check: Callable[[], Any], what: str) -> Any:
    for _ in range(1000):
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


class Staff:
    """A staff member writing from WeCom; waits until the hub has answered them through the WeCom API."""

    _ids = itertools.count(7000)

    def __init__(self, server: TestServer, clock: FakeClock, wecom: FakeWeixinApi, userid: str) -> None:
        self.server, self.clock, self.wecom, self.userid = server, clock, wecom, userid

    def received(self) -> list[dict[str, Any]]:
        return [b for b in self.wecom.sent(SEND) if b.get("touser") == self.userid]

    async def say(self, text: str) -> dict[str, Any]:
        before = len(self.received())
        now = int(self.clock.now().timestamp())
        xml = message_xml({"ToUserName": CORP_ID, "FromUserName": self.userid, "CreateTime": now, "MsgType": "text",
                           "Content": text, "MsgId": next(self._ids), "AgentID": AGENT_ID})
        query, body = wecom_push(token=TOKEN, aes_key=AES_KEY, corp_id=CORP_ID, agent_id=AGENT_ID, xml=xml,
                                 timestamp=now)
        async with aiohttp.ClientSession() as http:
            async with http.post(self.server.make_url("/webhooks/wecom"), params=query, data=body) as response:
                assert response.status == 200
        return (await until(lambda: self.received()[before:], f"an answer to {self.userid}'s {text!r}"))[0]


def _text(body: dict[str, Any]) -> str:
    """What a WeCom message says, whichever kind it was sent as."""
    kind = body["msgtype"]
    if kind == "template_card":
        card = body["template_card"]
        return " ".join([card.get("main_title", {}).get("title", ""), card.get("sub_title_text", ""),
                         *[b.get("text", "") for b in card.get("button_list", [])]])
    return str(body[kind].get("content", ""))


@pytest.fixture
def staff(hub_server, clock: FakeClock, wecom: FakeWeixinApi) -> Callable[[str], Staff]:  # type: ignore[no-untyped-def]
    _, server = hub_server
    return lambda userid: Staff(server, clock, wecom, userid)


async def _later(hub: Hub, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    assert hub.timers is not None
    await hub.timers.fire_due()
    hub.sender.wake()


async def _accepted(customer, wang: Staff) -> str:  # type: ignore[no-untyped-def]
    """The customer's repair, taken by the technician; the ticket's code."""
    await customer.say(REPAIR)
    code = (await customer.next())["ticket"]["id"]
    await wang.say(f"接单 {code}")
    await customer.next()
    await customer.next()  # the visit's slots
    return str(code)


async def _resolve(server: TestServer, code: str, **fields: str) -> None:
    """Resolved by someone at the console, through the API."""
    async with aiohttp.ClientSession() as http:
        async with http.patch(server.make_url(f"/api/v1/tickets/{code}"), json={"status": "resolved", **fields},
                              headers={"Authorization": f"Bearer {API_TOKEN}"}) as response:
            assert response.status == 200, await response.text()


async def _resolved(customer, wang: Staff) -> str:  # type: ignore[no-untyped-def]
    await customer.say(REPAIR)
    code = (await customer.next())["ticket"]["id"]
    await wang.say(f"接单 {code}")
    assert "王师傅" in (await customer.next())["text"]
    assert "上门时间" in (await customer.next())["text"], "the visit's slots follow the acceptance"
    await wang.say(f"完工 {code} 已更换排水泵")
    ask = await customer.next()
    assert "问题解决了吗" in ask["text"] and "已更换排水泵" in ask["text"]
    assert [a["command"] for a in ask["actions"]] == [f"已解决 {code}", f"未解决 {code}"]
    return code


async def _status(hub: Hub, code: str) -> str:
    async with hub.sessions() as session:
        return await session.scalar(select(Ticket.status).where(Ticket.code == code))


async def _survey(hub: Hub, code: str) -> Survey:
    async with hub.sessions() as session:
        return await session.scalar(select(Survey).join(Ticket, Ticket.id == Survey.ticket_id)
                                    .where(Ticket.code == code))


async def _api(server: TestServer, path: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.make_url(path), headers={"Authorization": f"Bearer {API_TOKEN}"}) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def test_confirm_closes_and_the_survey_is_answered_and_stored(hub_server, chat, staff, clock) -> None:  # type: ignore[no-untyped-def]
    hub, server = hub_server
    customer = await chat()
    code = await _resolved(customer, staff("wangshifu"))
    await customer.say(f"已解决 {code}")
    assert "已关闭" in (await customer.next())["text"]
    assert await _status(hub, code) == "closed"

    await _later(hub, clock, 60)
    csat = await customer.next()
    assert code in csat["text"] and [a["command"] for a in csat["actions"]] == ["1", "2", "3", "4", "5"]
    await customer.say("5")
    assert "推荐" in (await customer.next())["text"]
    await customer.say("9")
    comment = await customer.next()
    assert [a["command"] for a in comment["actions"]] == ["跳过"]
    await customer.say("跳过")
    assert "感谢您的评价" in (await customer.next())["text"]
    survey = await _survey(hub, code)
    assert (survey.status, survey.csat, survey.nps, survey.comment) == ("answered", 5, 9, "")
    ticket = await _api(server, f"/api/v1/tickets/{code}")
    assert (ticket["status"], ticket["csat"], ticket["nps"]) == ("closed", 5, 9)
    kinds = [e["kind"] for e in ticket["events"]]
    assert kinds.index("survey_scheduled") < kinds.index("survey_sent") < kinds.index("survey_answered")
    clock.advance(1)  # the period ends now, exclusive
    stats = await _api(server, "/api/v1/stats")
    assert (stats["csat_average"], stats["nps"], stats["survey_response_rate"]) == (5.0, 100.0, 1.0)


async def test_resolving_through_the_api_asks_the_customer_and_the_survey_follows(hub_server, chat, staff,  # type: ignore[no-untyped-def]
                                                                                  clock) -> None:
    hub, server = hub_server
    customer = await chat()
    code = await _accepted(customer, staff("wangshifu"))
    await _resolve(server, code, note="电话指导后恢复正常")
    ask = await customer.next()
    assert "问题解决了吗" in ask["text"] and "王师傅" in ask["text"] and "电话指导后恢复正常" in ask["text"]
    assert [a["command"] for a in ask["actions"]] == [f"已解决 {code}", f"未解决 {code}"]
    await customer.say("已解决")
    assert "已关闭" in (await customer.next())["text"]
    assert await _status(hub, code) == "closed"
    await _later(hub, clock, 60)
    csat = await customer.next()
    assert code in csat["text"] and [a["command"] for a in csat["actions"]] == ["1", "2", "3", "4", "5"]


async def test_a_refund_told_missing_reopens_the_return_and_told_received_closes_it(hub_server, chat,  # type: ignore[no-untyped-def]
                                                                                   clock) -> None:
    """Asked "is it solved?" after a return, "还没收到退款" opened a second return asking for an order number, and
    "退款收到了" another; the customer was promised a technician for a refund."""
    hub, server = hub_server
    customer = await chat()
    await customer.say("电热水壶有股塑料味，想退货，订单号 JD20261128553321，电话13912340000")
    code = (await customer.next())["ticket"]["id"]
    await _resolve(server, code, note="已取件，退款已原路退回")
    ask = await customer.next()
    assert "问题解决了吗" in ask["text"] and "客服会继续为您处理" in ask["text"] and "师傅" not in ask["text"]
    await customer.say("还没收到退款")
    reopened = await customer.next()
    assert "重新打开" in reopened["text"] and reopened["ticket"]["id"] == code and "师傅" not in reopened["text"]
    await _resolve(server, code, note="银行处理中，今天已到账")
    assert "问题解决了吗" in (await customer.next())["text"]
    await customer.say("退款收到了，挺快的")
    assert "已关闭" in (await customer.next())["text"]
    assert await _status(hub, code) == "closed"
    async with hub.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1


async def test_a_ticket_resolved_while_its_address_was_awaited_takes_the_answer(hub_server, chat,  # type: ignore[no-untyped-def]
                                                                                 clock) -> None:
    """Staff resolved a repair whose address the chat still asked for: "yep works fine now, cheers" was read as an
    address that was not one, and the job was never confirmed."""
    hub, server = hub_server
    customer = await chat()
    await customer.say("洗衣机不脱水了，电话13812345678")
    code = (await customer.next())["ticket"]["id"]
    await _resolve(server, code, note="电话指导后恢复正常")
    assert "问题解决了吗" in (await customer.next())["text"]
    await customer.say("是的修好了谢谢")
    assert "已关闭" in (await customer.next())["text"]
    assert await _status(hub, code) == "closed"


async def test_not_fixed_reopens_and_a_low_score_reaches_the_supervisor(hub_server, chat, staff, clock) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer, wang, chen = await chat(), staff("wangshifu"), staff("chenzhuguan")
    code = await _resolved(customer, wang)
    await customer.say("还是不行，还是不脱水")
    reopened = await customer.next()
    assert "重新打开" in reopened["text"] and reopened["ticket"]["status"] == "assigned"
    notice = (await until(lambda: [b for b in wang.received() if "返修" in _text(b)], "the job back to 王师傅"))[0]
    assert code in _text(notice) and f"接单 {code}" in _text(notice)

    await wang.say(f"接单 {code}")
    await customer.next()
    await customer.next()
    await wang.say(f"完工 {code} 换了电机")
    assert "问题解决了吗" in (await customer.next())["text"]
    await customer.say("1")
    await customer.next()
    assert await _status(hub, code) == "closed"

    await _later(hub, clock, 60)
    await customer.next()
    await customer.say("很差")
    assert "很抱歉" in (await customer.next())["text"]
    alert = await until(lambda: [b for b in chen.received() if "低分预警" in _text(b)], "the low-score alert")
    assert code in _text(alert[0]) and "1/5" in _text(alert[0])
    async with hub.sessions() as session:
        follow_up = await session.scalar(select(Ticket).where(Ticket.type == "complaint"))
    assert follow_up is not None and follow_up.code in _text(alert[0])


async def test_an_unanswered_survey_expires(hub_server, chat, staff, clock) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    code = await _resolved(customer, staff("wangshifu"))
    await customer.say("是的")
    await customer.next()
    await _later(hub, clock, 60)
    assert "打分" in (await customer.next())["text"]
    await _later(hub, clock, DAY)
    assert (await _survey(hub, code)).status == "expired"
    await customer.say("5")
    assert "推荐" not in (await customer.next())["text"]


async def test_knowledge_base_answers_helpful_and_not(hub_server, chat, clock) -> None:  # type: ignore[no-untyped-def]
    hub, _ = hub_server
    customer = await chat()
    await customer.say("路由器密码忘记了怎么办")
    answer = await customer.next()
    assert "这个回答有帮助吗" in answer["text"] and answer["ticket"] is None
    assert [a["command"] for a in answer["actions"]] == ["有帮助", "没帮助"]
    await customer.say("有帮助")
    assert "很高兴" in (await customer.next())["text"]

    await customer.say("保修期是多久")
    assert "保修" in (await customer.next())["text"]
    await customer.say("没帮助")
    opened = await customer.next()
    assert opened["ticket"]["type"] == "inquiry"
    async with hub.sessions() as session:
        answers = [(a.helpful, a.ticket_id is not None) for a in await session.scalars(select(KbAnswer)
                                                                                        .order_by(KbAnswer.id))]
        deflections = await StatsService(session=session).deflections()
    assert answers == [(True, False), (False, True)] and deflections == 1
    clock.advance(1)
    assert (await _api(hub_server[1], "/api/v1/stats"))["kb_deflections"] == 1


async def _outbox_row(hub: Hub, template: str) -> OutboxRow | None:
    async with hub.sessions() as session:
        rows = await session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return next((r for r in rows if r.payload["template"] == template), None)


async def test_a_customer_who_closed_the_page_finds_the_answer_when_back(hub_server, chat, staff, clock) -> None:  # type: ignore[no-untyped-def]
    """The question whether the job is done was sent while the customer's page was closed: it waits through many
    more tries than a platform outage gets (hours), and reaches them the moment they open the chat again — not at
    its next retry, which the frozen clock never reaches."""
    hub, server = hub_server
    customer = await chat()
    code = await _accepted(customer, staff("wangshifu"))
    await customer.ws.close()
    await _resolve(server, code)
    for tries in range(1, MAX_ATTEMPTS + 4):
        hub.sender.wake()
        await until(lambda: _tried(hub, tries), f"try {tries} of the question to a closed page")
        clock.advance(3600)
    row = await _outbox_row(hub, "confirm_resolved")
    assert row is not None and row.status == "pending" and "offline" in row.last_error
    back = await chat(customer.session)
    ask = await back.next()
    assert "问题解决了吗" in ask["text"] and code in ask["text"]
    await until(lambda: _sent(hub), "the question recorded as sent")


async def _sent(hub: Hub) -> bool:
    row = await _outbox_row(hub, "confirm_resolved")
    return row is not None and row.status == "sent"


async def _tried(hub: Hub, tries: int) -> bool:
    row = await _outbox_row(hub, "confirm_resolved")
    return row is not None and row.attempts >= tries and row.status == "pending"


async def test_a_person_asked_for_and_nothing_told_opens_an_inquiry(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    """"我要找人工客服" opened a complaint: the type model reads the words as one, though nothing was told yet."""
    hub, _ = hub_server
    customer = await chat()
    await customer.say("我要找人工客服")
    handed = await customer.next()
    assert "人工客服" in handed["text"] and handed["ticket"]["type"] == "inquiry"
