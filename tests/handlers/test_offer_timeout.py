"""An offer nobody answers moves on after `[dispatch] accept_timeout`: to the next technician, then to the grab pool,
then to the supervisors' queue with an alert — each step audited and told to those concerned; an answered offer's
timer does nothing."""
from __future__ import annotations

from sqlalchemy import select

from core.clock import SystemClock
from core.domain.people import PersonKind
from core.services.dispatch import pool_key
from core.services.people import PeopleService
from core.storage.models import OutboxRow
from tests.handlers.test_dispatch_flow import _open, _templates

MINUTE = 60


async def _far_technician(desk) -> None:  # type: ignore[no-untyped-def]
    """A repair technician in another city: reached only through the grab pool."""
    async with desk.hub.sessions() as session, session.begin():
        await PeopleService(session=session, clock=SystemClock()).add_staff(
            name="孙师傅", role=PersonKind.TECHNICIAN, skills=["repair"], regions=["广州市"],
            identities={"wecom": "sunshifu"})


async def _pool_offer(desk, code: str, name: str) -> dict:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session:
        return await session.scalar(select(OutboxRow.payload).where(
            OutboxRow.idempotency_key == pool_key(code, await desk.staff_id(name))))


async def test_an_unanswered_offer_moves_to_the_next_technician_then_the_pool_then_supervisors(  # type: ignore[no-untyped-def]
        desk) -> None:
    await _far_technician(desk)
    code, _ = await _open(desk)
    wang, li = await desk.staff_id("王师傅"), await desk.staff_id("李师傅")
    assert await desk.later(14 * MINUTE) == []
    out = await desk.later(MINUTE)
    assert _templates(out) == ["job_offer_expired", "dispatch_notice"]
    assert (out[0]["recipient"], out[0]["data"]["minutes"]) == ("wangshifu", 15)
    assert out[1]["recipient"] == "lishifu" and out[1]["data"]["pooled"] is False
    assert (await desk.ticket(code)).assignee_id == li
    assert _templates(await desk.say("wecom", "wangshifu", f"接单 {code}")) == ["already_taken"]

    out = await desk.later(15 * MINUTE)
    assert _templates(out) == ["job_offer_expired"] and out[0]["recipient"] == "lishifu"
    offer = await _pool_offer(desk, code, "孙师傅")
    assert offer["recipient"] == "sunshifu" and offer["data"]["pooled"] is True
    ticket = await desk.ticket(code)
    assert (ticket.status, ticket.assignee_id) == ("new", None)

    out = await desk.later(15 * MINUTE)
    assert {o["template"] for o in out} == {"job_unassignable"} and out[0]["data"]["reason"] == "pool_timeout"
    assert "chenzhuguan" in {o["recipient"] for o in out}
    [queue] = await desk.say("wecom", "chenzhuguan", "待处理")
    assert [t["id"] for t in queue["data"]["unassigned"]["tickets"]] == [code]
    assert [e.before["assignee_id"] for e in await desk.events(code, "offer_expired")] == [wang, li]
    assert [e.after["reason"] for e in await desk.events(code, "unassignable")] == ["pool_timeout"]
    assert [e.actor for e in await desk.events(code, "offer_expired")] == ["system:dispatch"] * 2


async def test_an_answered_offer_and_a_claimed_pool_job_do_not_time_out(desk) -> None:  # type: ignore[no-untyped-def]
    await _far_technician(desk)
    code, _ = await _open(desk)
    await desk.say("wecom", "wangshifu", f"接单 {code}")
    assert await desk.later(20 * MINUTE) == []
    assert (await desk.ticket(code)).status == "accepted"

    pooled, _ = await _open(desk, customer="web:c2")
    await desk.say("wecom", "lishifu", f"拒单 {pooled}")  # the least loaded had it
    await desk.say("wecom", "wangshifu", f"拒单 {pooled}")
    assert _templates(await desk.say("wecom", "sunshifu", f"接单 {pooled}"))[0] == "job_accepted"
    assert await desk.later(20 * MINUTE) == []
    assert await desk.events(pooled, "unassignable") == []


async def test_a_transferred_job_waits_for_the_new_technician_only_as_long(desk) -> None:  # type: ignore[no-untyped-def]
    code, _ = await _open(desk)
    await desk.later(10 * MINUTE)
    await desk.say("wecom", "chenzhuguan", f"转派 {code} 李师傅")
    assert await desk.later(10 * MINUTE) == [], "the first offer's timer no longer counts"
    out = await desk.later(5 * MINUTE)
    assert out[0]["template"] == "job_offer_expired" and out[0]["recipient"] == "lishifu"


async def test_off_duty_technicians_get_no_offers_until_back_on_duty(desk) -> None:  # type: ignore[no-untyped-def]
    [reply] = await desk.say("wecom", "wangshifu", "下班")
    assert (reply["template"], reply["data"]["on_duty"]) == ("duty_changed", False)
    code, offers = await _open(desk)
    assert [o["recipient"] for o in offers] == ["lishifu"]
    [reply] = await desk.say("slack", "U0TECHWANG", "on duty")
    assert (reply["template"], reply["locale"], reply["data"]["on_duty"]) == ("duty_changed", "en", True)
    second, offers = await _open(desk, customer="web:c2")
    assert [o["recipient"] for o in offers] == ["wangshifu"]
    [reply] = await desk.say("wecom", "lishifu", "下班")
    assert [j["ticket"]["id"] for j in reply["data"]["jobs"]] == [code], "the jobs held stay theirs"


async def test_neither_the_offer_nor_its_move_goes_to_a_technician_the_hub_cannot_reach(desk) -> None:  # type: ignore[no-untyped-def]
    """孙师傅 serves the customer's district, nearer than anyone, but is known only on Slack, which this hub does not
    send on: the job goes to a technician it reaches on WeCom, and when that offer times out, to the next of them."""
    async with desk.hub.sessions() as session, session.begin():
        await PeopleService(session=session, clock=SystemClock()).add_staff(
            name="孙师傅", role=PersonKind.TECHNICIAN, skills=["repair"], regions=["上海市", "浦东新区"],
            identities={"slack": "U0TECHSUN"})
    code, offers = await _open(desk)
    assert [(o["template"], o["channel"], o["recipient"]) for o in offers] == [
        ("dispatch_notice", "wecom", "wangshifu")]
    assert (await desk.ticket(code)).status == "assigned"
    out = await desk.later(15 * MINUTE)
    assert [(o["template"], o["recipient"]) for o in out] == [("job_offer_expired", "wangshifu"),
                                                              ("dispatch_notice", "lishifu")]
    assert (await desk.ticket(code)).assignee_id == await desk.staff_id("李师傅")
