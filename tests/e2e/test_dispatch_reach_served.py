"""Dispatch offers a job only to technicians a channel of this hub reaches, through the served hub. As `make run`
serves it — the demo staff, no staff channel configured — a complete repair is told it is received (never assigned,
then back to received), waits unassigned in the console's queue for the supervisors, and nothing breaks for their
alerts going nowhere; with Slack the one staff channel, the job goes to a technician on Slack, there, rather than to
a nearer one known only on WeCom."""
from __future__ import annotations

from typing import Any, AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import build_app
from bot.bootstrap import Hub, build_hub
from bot.config import config_from_dict
from bot.demo import load_demo
from core.clock import SystemClock
from core.domain.people import PersonKind
from core.services.people import PeopleService
from core.storage.models import OutboxRow
from tests.channels.slack.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.conftest import API_TOKEN, ChatClient
from tests.e2e.test_nothing_unanswered import until
from testkit.database import copy_sqlite
from testkit.fakes.slack_api import FakeSlackApi
from testkit.hub_process import RATE_KEYS

SHANGHAI = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"


@pytest.fixture
def hub_sections() -> dict[str, Any]:
    """`make run`'s hub plus a console token: no staff channel."""
    return {"api": {"tokens": [API_TOKEN]}}


async def _api(server: TestServer, path: str) -> Any:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.make_url(f"/api/v1{path}"),
                            headers={"Authorization": f"Bearer {API_TOKEN}"}) as response:
            assert response.status == 200, await response.text()
            return await response.json()


async def _outbox(hub: Hub, code: str) -> list[tuple[str, str, str]]:
    """(template, recipient, status) of what was queued about the job for staff."""
    async with hub.sessions() as session:
        rows = await session.scalars(select(OutboxRow).where(OutboxRow.channel != "webchat").order_by(OutboxRow.id))
        return [(r.payload["template"], r.recipient, r.status) for r in rows if code in str(r.payload)]


async def test_with_no_staff_channel_a_repair_stays_received_and_waits_for_the_supervisors(  # type: ignore[no-untyped-def]
        hub_server, chat) -> None:
    hub, server = hub_server
    await load_demo(hub.engine.url.render_as_string(hide_password=False), only_if_empty=True)
    customer: ChatClient = await chat()
    await customer.say(SHANGHAI)
    reply = await customer.next()
    code = reply["ticket"]["id"]
    assert "状态：已受理" in reply["text"] and "已派单" not in reply["text"]

    alerts = await until(lambda: _settled_alerts(hub, code), "the supervisors' alert, dead-lettered")
    assert alerts == [("job_unassignable", "chenzhuguan", "dead")], "no offer to anyone"
    await customer.say("查询进度")
    assert "已受理" in (await customer.next())["text"]
    ticket = await _api(server, f"/tickets/{code}")
    assert (ticket["status"], ticket["assignee"]) == ("new", None)
    assert [e["data"]["after"]["reason"] for e in ticket["events"] if e["kind"] == "unassignable"] == ["unreachable"]
    assert not any(e["kind"] in ("assignee", "offer_undeliverable") for e in ticket["events"])
    queue = await _api(server, "/tickets?queue=unassigned")
    assert [t["id"] for t in queue["items"]] == [code]


async def _settled_alerts(hub: Hub, code: str) -> list[tuple[str, str, str]] | None:
    rows = await _outbox(hub, code)
    return rows if rows and all(status in ("sent", "dead") for _, _, status in rows) else None


@pytest.fixture
async def slack_only(tmp_path, migrated_sqlite) -> AsyncIterator[tuple[TestServer, FakeSlackApi]]:  # type: ignore[no-untyped-def]
    """A hub whose one staff channel is Slack, with the demo staff and 孙师傅, a 浦东新区 technician (nearer than any
    of them to a 浦东 job) known only on WeCom."""
    slack = await FakeSlackApi(token=BOT_TOKEN).start()
    url = copy_sqlite(migrated_sqlite, tmp_path / "hub.db")
    hub = build_hub(config_from_dict({
        "database": {"url": url}, "webchat": {key: 1000 for key in RATE_KEYS},
        "slack": {"bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, "api_base_url": slack.url}}))
    await load_demo(url, only_if_empty=False)
    async with hub.sessions() as session, session.begin():
        await PeopleService(session=session, clock=SystemClock()).add_staff(
            name="孙师傅", role=PersonKind.TECHNICIAN, skills=["repair"], regions=["上海市", "浦东新区"],
            identities={"wecom": "sunshifu"})
    server = TestServer(build_app(hub))
    await server.start_server()
    yield server, slack
    await server.close()
    await slack.close()


async def test_the_job_goes_to_a_technician_the_hub_reaches_on_the_channel_it_reaches_them(  # type: ignore[no-untyped-def]
        slack_only) -> None:
    server, slack = slack_only
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(server.make_url("/chat/ws"))
        await ws.receive(timeout=10)
        customer = ChatClient(ws, "")
        await customer.say(SHANGHAI)
        reply = await customer.next()
        await ws.close()
    code = reply["ticket"]["id"]
    assert "状态：已派单" in reply["text"]
    [offer] = await until(lambda: [m for m in slack.called("chat.postMessage") if code in m.get("text", "")],
                          "the offer on Slack")
    assert offer["channel"] == "U0TECHWANG", "王师傅 on Slack, not 孙师傅 (WeCom only) nor 王师傅's WeCom"
