"""DispatchService on SQLite and PostgreSQL: capacity, duty, regions, batches in one transaction, racing claims, and
why nobody can take a job."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.exc import DBAPIError

from core.clock import CHINA_TZ, FakeClock
from core.domain.people import PersonKind
from core.domain.tickets import Priority, Status, TicketType, TicketView
from core.services.dispatch import AlreadyTaken, Dispatch, serves
from core.services.unit import Services, Wiring
from core.storage.db import session_factory
from core.storage.models import Staff

SHANGHAI = {"addresses": ["上海市浦东新区张江路100号"], "phones": ["13812345678"]}
HUB = Wiring(channels=frozenset({"wecom", "slack", "email", "webchat"}))
"""A hub that sends on every staff channel."""


async def _staff(services: Services, name: str, **kwargs) -> Staff:  # type: ignore[no-untyped-def]
    values = {"skills": ["repair"], "regions": ["上海市"], "identities": {"wecom": name}, **kwargs}
    return await services.people.add_staff(name=name, role=PersonKind.TECHNICIAN, **values)


async def _ticket(services: Services, entities=SHANGHAI,  # type: ignore[no-untyped-def]
                  sender: str = "web:c1") -> TicketView:
    customer = await services.people.resolve(channel="webchat", sender=sender)
    return await services.tickets.open(
        customer_id=customer.id, type=TicketType.REPAIR, priority=Priority.P3, channel="webchat",
        conversation=sender, text="洗衣机坏了", entities=entities, sentiment="neutral", actor="customer", inbox_id=None)


def test_region_matches_with_or_without_suffix() -> None:
    assert serves(["上海市"], ["上海市浦东新区张江路1号"]) and serves(["上海市"], ["上海浦东新区张江路1号"])
    assert serves(["江苏省"], ["江苏苏州工业园区"]) and not serves(["北京市"], ["上海市浦东新区"])
    assert serves(["北京市"], []) and not serves([], ["上海市"])


async def test_capacity_duty_and_contact_choose_the_technician(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        full = await _staff(services, "full", capacity=1)
        off = await _staff(services, "off")
        off.on_duty = False
        slack_only = await _staff(services, "free", identities={"email": "f@example.com", "slack": "U0FREE"})
        dispatch = services.dispatch
        first = await dispatch.dispatch(await _ticket(services))
        assert first.assignee is not None and first.assignee.person_id == full.id
        second = await dispatch.dispatch(await _ticket(services, sender="web:c2"))
        assert second.assignee is not None and second.assignee.person_id == slack_only.id
        assert (second.assignee.channel, second.assignee.address) == ("slack", "U0FREE")
        assert await dispatch.load([full.id, slack_only.id, off.id]) == {full.id: 1, slack_only.id: 1}


async def test_a_technician_of_the_customers_district_goes_before_one_of_the_city(  # type: ignore[no-untyped-def]
        engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        city = await _staff(services, "city")
        district = await _staff(services, "district", regions=["上海市", "浦东新区"])
        dispatch = services.dispatch
        pudong = await dispatch.dispatch(await _ticket(services))
        assert pudong.assignee is not None and pudong.assignee.person_id == district.id, "nearer, though later"
        again = await dispatch.dispatch(await _ticket(services, sender="web:c2"))
        assert again.assignee is not None and again.assignee.person_id == district.id, "nearer beats less loaded"
        xuhui = await dispatch.dispatch(await _ticket(services, {"addresses": ["上海市徐汇区漕溪北路1号"]}, "web:c3"))
        assert xuhui.assignee is not None and xuhui.assignee.person_id == city.id


async def test_leave_days_and_a_daily_capacity_keep_jobs_from_a_technician(  # type: ignore[no-untyped-def]
        engine, clock: FakeClock) -> None:
    today = clock.now().astimezone(CHINA_TZ).date()
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        away = await _staff(services, "away", leave=[f"{today - timedelta(days=1)}/{today + timedelta(days=1)}"])
        daily = await _staff(services, "daily", daily_capacity=2, capacity=10)
        spare = await _staff(services, "spare", capacity=10)
        dispatch = services.dispatch
        chosen = [(await dispatch.dispatch(await _ticket(services, sender=f"web:c{n}"))).assignee for n in range(4)]
        assert [c.person_id for c in chosen if c] == [daily.id, spare.id, daily.id, spare.id]
        fifth = await dispatch.dispatch(await _ticket(services, sender="web:c5"))
        assert fifth.assignee is not None and fifth.assignee.person_id == spare.id, "daily is full for today"
        assert away.id not in {c.person_id for c in chosen if c}
    clock.advance(86400)
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        nxt = await services.dispatch.dispatch(await _ticket(services, sender="web:c6"))
        assert nxt.assignee is not None and nxt.assignee.person_id == daily.id, "a new day, a new allowance"


async def test_grab_pool_ignores_region_but_not_skill_or_declines(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        near = await _staff(services, "near")
        far = await _staff(services, "far", regions=["北京市"])
        await _staff(services, "installer", skills=["installation"], regions=["杭州市"])
        dispatch = services.dispatch
        ticket = await _ticket(services, entities={"addresses": ["浙江省杭州市西湖区文三路1号"]})
        result = await dispatch.dispatch(ticket)
        assert result.assignee is None and [c.person_id for c in result.pool] == [near.id, far.id]
        assert (await dispatch.dispatch(ticket)).pool == ()
        assert (await services.tickets.refresh(ticket)).status == Status.NEW.value
        passed = await dispatch.decline(ticket, near.id, reason="")
        assert passed.assignee is None and passed.pool == ()
        assert await dispatch.declined(ticket) == {near.id}
        late = await _staff(services, "late", regions=["北京市"])
        assert [c.person_id for c in (await dispatch.dispatch(ticket)).pool] == [late.id]


async def test_a_job_nobody_can_or_will_take_says_why(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        dispatch = services.dispatch
        ticket = await _ticket(services)
        assert (await dispatch.dispatch(ticket)).unassignable == "no_skill"
        far = await _staff(services, "far", regions=["北京市"])
        result = await dispatch.dispatch(ticket)
        assert [c.person_id for c in result.pool] == [far.id] and not result.unassignable
        assert (await dispatch.decline(ticket, far.id, reason="太远")).unassignable == "all_declined"
        await _staff(services, "silent", regions=["北京市"], identities={})
        assert (await dispatch.dispatch(ticket)).unassignable == "unreachable"
        reasons = [e["reason"] for e in await services.tickets.events(ticket, "unassignable")]
        assert reasons == ["no_skill", "all_declined", "unreachable"]
        invoice = await services.tickets.open(
            customer_id=ticket.customer_id, type=TicketType.INVOICE, priority=Priority.P3, channel="webchat",
            conversation="web:c1", text="开发票", entities={}, sentiment="neutral", actor="customer", inbox_id=None)
        assert await dispatch.dispatch(invoice) == Dispatch(), "the agents' tickets are no field jobs"


async def test_a_technician_nobody_can_tell_is_never_given_the_job(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        await _staff(services, "silent", identities={})
        ticket = await _ticket(services)
        assert (await services.dispatch.dispatch(ticket)).unassignable == "unreachable"
        assert (await services.tickets.refresh(ticket)).assignee_id is None
        near = await _staff(services, "near")
        result = await services.dispatch.dispatch(ticket)
        assert result.assignee is not None and result.assignee.person_id == near.id


async def test_only_a_channel_the_hub_sends_on_reaches_a_technician(engine, clock: FakeClock) -> None:
    """A technician known only on a channel the hub has not configured would never hear of an offer: the job goes
    to one the hub can tell, on a channel it sends on, and nobody pools it to the unreachable one either."""
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=Wiring(channels=frozenset({"slack", "webchat"})))
        await _staff(services, "nearer", regions=["上海市", "浦东新区"])
        both = await _staff(services, "both", identities={"wecom": "both", "slack": "U0BOTH"})
        ticket = await _ticket(services)
        result = await services.dispatch.dispatch(ticket)
        assert result.assignee is not None and result.assignee.person_id == both.id, "nearer, but unreachable"
        assert (result.assignee.channel, result.assignee.address) == ("slack", "U0BOTH")
        far = await _ticket(services, {"addresses": ["浙江省杭州市西湖区文三路1号"]}, "web:c2")
        assert [c.person_id for c in (await services.dispatch.dispatch(far)).pool] == [both.id]
        assert (await services.dispatch.decline(far, both.id, reason="")).unassignable == "unreachable"
        far = await services.tickets.refresh(far)
        assert (far.status, far.assignee_id) == (Status.NEW.value, None)


async def test_a_declined_job_moves_past_a_technician_the_hub_cannot_reach(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=Wiring(channels=frozenset({"wecom", "webchat"})))
        first = await _staff(services, "first", regions=["上海市", "浦东新区"])
        await _staff(services, "slack only", regions=["上海市", "浦东新区"], identities={"slack": "U0SLACK"})
        spare = await _staff(services, "spare")
        ticket = await _ticket(services)
        offered = await services.dispatch.dispatch(ticket)
        assert offered.assignee is not None and offered.assignee.person_id == first.id
        moved = await services.dispatch.decline(await services.tickets.refresh(ticket), first.id, reason="太忙")
        assert moved.assignee is not None and moved.assignee.person_id == spare.id, "the nearer one is unreachable"


async def test_a_hub_that_reaches_no_technician_assigns_nothing(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=Wiring(channels=frozenset({"webchat"})))
        await _staff(services, "wecom only")
        await _staff(services, "far", regions=["北京市"], identities={"slack": "U0FAR"})
        ticket = await _ticket(services)
        assert await services.dispatch.dispatch(ticket) == Dispatch(unassignable="unreachable")
        ticket = await services.tickets.refresh(ticket)
        assert (ticket.status, ticket.assignee_id) == (Status.NEW.value, None)
        assert [e["reason"] for e in await services.tickets.events(ticket, "unassignable")] == ["unreachable"]


async def test_racing_claims_on_a_pooled_job_have_one_winner(engine, clock: FakeClock) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        first = await _staff(services, "first", regions=["北京市"])
        second = await _staff(services, "second", regions=["北京市"])
        code = (await _ticket(services)).code

    async def claim(staff_id: int) -> int:
        async with sessions() as session, session.begin():
            services = Services.in_transaction(session, clock, wiring=HUB)
            ticket = await services.tickets.get(code)
            await asyncio.sleep(0)
            await services.dispatch.accept(ticket, staff_id)
        return staff_id

    results = await asyncio.gather(claim(first.id), claim(second.id), return_exceptions=True)
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1, results
    assert all(isinstance(r, (AlreadyTaken, DBAPIError)) for r in results if not isinstance(r, int))

    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=HUB)
        ticket = await services.tickets.get(code)
        assert (ticket.status, ticket.assignee_id) == (Status.ACCEPTED.value, winners[0])
        loser = second.id if winners[0] == first.id else first.id
        with pytest.raises(AlreadyTaken):
            await services.dispatch.accept(ticket, loser)
