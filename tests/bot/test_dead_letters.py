"""The job offers a sender's pass could not deliver are acted on together: each job goes back to the queue and the
supervisors are alerted, in one transaction; an offer that cannot be acted on holds up none of the others."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.undelivered import DeadLetters
from core.clock import FakeClock
from core.domain.people import PersonKind
from core.domain.tickets import Priority, Status, TicketType
from core.envelopes import Outbound
from core.outbox import Claimed
from core.services.unit import Services, Wiring
from core.storage.db import session_factory
from core.storage.models import OutboxRow
from handlers.undelivered import NOT_CONFIGURED

ADDRESS = {"addresses": ["上海市浦东新区张江路100号"], "phones": ["13812345678"]}
OFFERING_HUB = Wiring(channels=frozenset({"slack", "webchat"}))
"""The hub as it was when it offered the jobs: it sent on Slack then (its [slack] section is gone since)."""


def _offer(row_id: int, code: str, technician: str) -> Claimed:
    return Claimed(row_id, Outbound(channel="slack", account="", recipient=technician, conversation=technician,
                                    template="dispatch_notice", data={"ticket": {"id": code}},
                                    idempotency_key=f"offer:{row_id}"), 1)


async def test_a_pass_of_dead_offers_sends_each_job_back_and_alerts_once_each(
        engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        services = Services.in_transaction(session, clock, wiring=OFFERING_HUB)
        await services.people.add_staff(name="陈主管", role=PersonKind.SUPERVISOR, skills=[], regions=[],
                                        identities={"wecom": "chenzhuguan"})
        codes = []
        for n in (1, 2):
            await services.people.add_staff(name=f"tech{n}", role=PersonKind.TECHNICIAN, skills=["repair"],
                                            regions=["上海市"], identities={"slack": f"U0TECH{n}"})
            customer = await services.people.resolve(channel="webchat", sender=f"web:c{n}")
            ticket = await services.tickets.open(
                customer_id=customer.id, type=TicketType.REPAIR, priority=Priority.P3, channel="webchat",
                conversation=f"web:c{n}", text="洗衣机坏了", entities=ADDRESS, sentiment="neutral",
                actor="customer", inbox_id=None)
            assert (await services.dispatch.dispatch(ticket)).assignee is not None
            codes.append(ticket.code)
    broken = Claimed(3, Outbound(channel="slack", account="", recipient="U0TECH1", conversation="U0TECH1",
                                 template="dispatch_notice", data={}, idempotency_key="offer:3"), 1)

    with caplog.at_level(logging.WARNING, logger="bot.undelivered"):
        await DeadLetters(sessions=sessions, clock=clock, wiring=Wiring())(
            [(_offer(1, codes[0], "U0TECH1"), NOT_CONFIGURED), (broken, NOT_CONFIGURED),
             (_offer(2, codes[1], "U0TECH2"), NOT_CONFIGURED)])

    async with sessions() as session:
        services = Services.in_transaction(session, clock)
        for code in codes:
            ticket = await services.tickets.get(code)
            assert ticket is not None and (ticket.status, ticket.assignee_id) == (Status.NEW.value, None)
            assert len(await services.tickets.events(ticket, "offer_undeliverable")) == 1
        alerts = list(await session.scalars(select(OutboxRow.idempotency_key).where(
            OutboxRow.recipient == "chenzhuguan")))
    assert sorted(key.split(":alert:")[0] for key in alerts) == ["outbox:1:dead", "outbox:2:dead"]
    assert ["outbox row 3" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [True]
