"""Staff are never customers: whatever a technician, agent or supervisor writes on any staff channel (WeCom, Slack,
email, web chat) runs a staff command or gets the staff help — never a ticket in their name, never another
customer's tickets — and each sees only the tickets their role allows."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.clock import SystemClock
from core.domain.people import PersonKind
from core.services.people import PeopleService
from core.storage.models import Customer, Ticket
from tests.handlers.test_dispatch_flow import REPAIR_SHANGHAI, _open, _templates

CHANNELS = ("wecom", "slack", "email", "webchat")
STAFF = {
    PersonKind.TECHNICIAN: ("周师傅", {"wecom": "zhoushifu", "slack": "U0TECHZHOU", "email": "zhou@service.test",
                                       "webchat": "web:staff-zhou"}),
    PersonKind.AGENT: ("吴客服", {"wecom": "wukefu", "slack": "U0AGENTWU", "email": "wu@service.test",
                                  "webchat": "web:staff-wu"}),
    PersonKind.SUPERVISOR: ("郑主管", {"wecom": "zhengzhuguan", "slack": "U0SUPZHENG", "email": "zheng@service.test",
                                       "webchat": "web:staff-zheng"}),
}
FREE_TEXT = [REPAIR_SHANGHAI, "你好", "谢谢", "转人工", "取消 SR-20240501-0001", "怎么退货？", "电话13900001111", "5"]
SECRETS = ("13812345678", "张江路")


@pytest.fixture
async def staffed(desk):  # type: ignore[no-untyped-def]
    """The demo hub plus one technician, agent and supervisor reachable on every staff channel."""
    async with desk.hub.sessions() as session, session.begin():
        people = PeopleService(session=session, clock=SystemClock())
        for role, (name, identities) in STAFF.items():
            await people.add_staff(name=name, role=role, skills=["repair"], regions=["广州市"], capacity=1,
                                   identities=identities)
    return desk


async def _counts(desk) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        return (await session.scalar(select(func.count()).select_from(Ticket)),
                await session.scalar(select(func.count()).select_from(Customer)))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", list(STAFF))
async def test_staff_free_text_gets_the_staff_help_and_opens_nothing(staffed, channel: str,  # type: ignore[no-untyped-def]
                                                                     role: PersonKind) -> None:
    sender = STAFF[role][1][channel]
    before = await _counts(staffed)
    for text in FREE_TEXT:
        [reply] = await staffed.say(channel, sender, text)
        assert (reply["template"], reply["data"]) == ("staff_help", {"role": role.value}), text
        assert (reply["channel"], reply["recipient"]) == (channel, sender)
    [media] = await staffed.say(channel, sender, "", attachments=())
    assert media["template"] == "staff_help"
    assert await _counts(staffed) == before, "a staff member's text opened a ticket or became a customer"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_technician_sees_only_the_jobs_assigned_or_offered_to_them(staffed, channel: str) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(staffed)  # assigned to 王师傅
    zhou = STAFF[PersonKind.TECHNICIAN][1][channel]
    for text in ("查询进度", "status", "我的工单"):
        [reply] = await staffed.say(channel, zhou, text)
        assert (reply["template"], reply["data"]["jobs"]) == ("my_jobs", []), text
    for text in (f"查询进度 {code}", f"status {code}", f"接单 {code}", f"完工 {code}", f"拒单 {code}", f"取消 {code}"):
        out = await staffed.say(channel, zhou, text)
        assert _templates(out) in (["ticket_not_visible"], ["already_taken"], ["job_not_yours"], ["staff_help"]), text
        assert not any(secret in json.dumps(out, ensure_ascii=False) for secret in SECRETS), text
        assert "ticket" not in out[0]["data"], text
    ticket = await staffed.ticket(code)
    assert (ticket.status, ticket.assignee_id) == ("assigned", await staffed.staff_id("王师傅"))

    [own] = await staffed.say("wecom", "wangshifu", f"查询进度 {code}")
    assert own["template"] == "staff_ticket" and own["data"]["job"]["phone"] == "13812345678"
    [listed] = await staffed.say("wecom", "wangshifu", "查询进度")
    assert [job["ticket"]["id"] for job in listed["data"]["jobs"]] == [code]


async def test_a_pooled_job_is_visible_to_those_offered_it_until_someone_takes_it(staffed) -> None:  # type: ignore[no-untyped-def]
    code, offers = await _open(staffed, "热水器不出热水了，电话13812345678，地址浙江省杭州市西湖区文三路1号")
    offered = {o["recipient"] for o in offers}
    assert "zhoushifu" in offered and (await staffed.ticket(code)).assignee_id is None
    [seen] = await staffed.say("wecom", "zhoushifu", f"查询进度 {code}")
    assert seen["template"] == "staff_ticket" and seen["data"]["job"]["address"] == "浙江省杭州市西湖区文三路1号"
    assert _templates(await staffed.say("wecom", "zhaoshifu", f"查询进度 {code}")) == ["ticket_not_visible"]

    await staffed.say("wecom", "lishifu", f"接单 {code}")
    [gone] = await staffed.say("wecom", "zhoushifu", f"查询进度 {code}")
    assert gone["template"] == "ticket_not_visible" and "ticket" not in gone["data"]
    [taken] = await staffed.say("wecom", "zhoushifu", f"接单 {code}")
    assert (taken["template"], taken["data"]) == ("already_taken", {"code": code})


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("role", [PersonKind.AGENT, PersonKind.SUPERVISOR])
async def test_agents_and_supervisors_see_any_ticket(staffed, channel: str, role: PersonKind) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(staffed)
    sender = STAFF[role][1][channel]
    [reply] = await staffed.say(channel, sender, f"status {code}")
    assert reply["template"] == "staff_ticket" and reply["locale"] == "en"
    assert reply["data"]["ticket"]["id"] == code and reply["data"]["job"]["phone"] == "13812345678"
    assert _templates(await staffed.say(channel, sender, "查询进度")) == ["staff_status_which"]
    assert _templates(await staffed.say(channel, sender, "查询进度 SR-20200101-0001")) == ["ticket_not_visible"]


async def test_a_customer_still_sees_only_their_own_tickets(staffed) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(staffed)
    [other] = await staffed.say("webchat", "web:someone-else", f"查询进度 {code}")
    assert other["template"] == "status_unknown_ticket"
    [mine] = await staffed.say("webchat", "web:customer-one", "查询进度")
    assert [t["id"] for t in mine["data"]["tickets"]] == [code]
