"""Alerts reach the staff they are for — by role or by name, each on their best channel — and the shared rooms,
with one idempotency key per recipient; staff nobody can reach are left out."""
from __future__ import annotations

from core.clock import FakeClock
from core.domain.people import PersonKind
from core.services.alerts import Audience, Room
from core.services.unit import Services, Wiring
from core.storage.db import session_factory

ROOMS = (Room("slack", "C0ALERTS"), Room("wecom", "chat:ops"))


async def test_an_alert_goes_to_each_chosen_staff_member_and_to_the_rooms(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=Wiring(rooms=ROOMS))
        people = services.people
        await people.add_staff(name="陈主管", role=PersonKind.SUPERVISOR, skills=[], regions=[],
                               identities={"email": "chen@example.com", "wecom": "chen"})
        await people.add_staff(name="周经理", role=PersonKind.MANAGER, skills=[], regions=[],
                               identities={"slack": "U0ZHOU"})
        await people.add_staff(name="孙主管", role=PersonKind.SUPERVISOR, skills=[], regions=[])
        await people.add_staff(name="王师傅", role=PersonKind.TECHNICIAN, skills=["repair"], regions=[],
                               identities={"wecom": "wang"})
        sent = await services.alerts.alert(Audience(roles=[PersonKind.SUPERVISOR], names=["周经理"]),
                                           template="sla_alert", data={"ticket": "SR-20261123-0001"}, key="sla:1")
    assert [(m.channel, m.recipient) for m in sent] == [
        ("wecom", "chen"), ("slack", "U0ZHOU"), ("slack", "C0ALERTS"), ("wecom", "chat:ops")]
    assert len({m.idempotency_key for m in sent}) == len(sent)
    assert all(m.idempotency_key.startswith("sla:1:") and m.template == "sla_alert" for m in sent)


async def test_an_alert_without_rooms_reaches_only_people(engine, clock: FakeClock) -> None:
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=Wiring(rooms=ROOMS))
        await services.people.add_staff(name="李客服", role=PersonKind.AGENT, skills=[], regions=[],
                                        identities={"slack": "U0LI"})
        sent = await services.alerts.alert(Audience(roles=[PersonKind.AGENT], rooms=False), template="t",
                                           data={}, key="k")
    assert [(m.channel, m.recipient, m.conversation) for m in sent] == [("slack", "U0LI", "U0LI")]
