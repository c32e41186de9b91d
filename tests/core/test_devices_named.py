"""A report that names a model links the one unit of it the customer owns: on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FakeClock
from core.domain.tickets import Priority, TicketType, TicketView
from core.envelopes import Inbound
from core.services.unit import Services
from core.storage.db import session_factory
from core.storage.models import Device


async def _customer_with_ticket(engine: AsyncEngine, clock: FakeClock, sender: str,
                                models: list[str]) -> TicketView:
    """A customer owning a unit of each of `models` (serials after the sender), with a ticket."""
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock)
        customer = (await services.people.resolve(channel="webchat", sender=sender)).id
        session.add_all([Device(serial=f"{sender}-{n}", model=model, customer_id=customer, source="import",
                                created_at=clock.now(), updated_at=clock.now()) for n, model in enumerate(models)])
        return await services.tickets.open(customer_id=customer, type=TicketType.REPAIR, priority=Priority.P3,
                                           channel="webchat", conversation=sender, text="空调不制冷",
                                           entities={}, sentiment="neutral", actor="customer", inbox_id=None)


async def test_a_model_named_links_the_only_unit_of_it_the_customer_owns(engine: AsyncEngine,
                                                                        clock: FakeClock) -> None:
    one = await _customer_with_ticket(engine, clock, "web:one", ["KFR35", "XQG80"])
    two = await _customer_with_ticket(engine, clock, "web:two", ["KFR35", "KFR35"])
    async with session_factory(engine)() as session, session.begin():
        devices = Services.in_transaction(session, clock).devices
        linked = await devices.link_from_message(one, serials=[], models=["kfr35"], actor="customer")
        assert linked is not None and linked.device.serial == "web:one-0" and linked.other_owner is None
        assert linked.ticket.device_id == linked.device.id
        assert await devices.link_from_message(two, serials=[], models=["KFR35"], actor="customer") is None, \
            "two units of the model: which one is not known"
        assert await devices.link_from_message(two, serials=[], models=["BCD215"], actor="customer") is None


def _saying(sender: str, text: str, clock: FakeClock) -> Inbound:
    return Inbound(channel="webchat", account="", external_id=f"{sender}:{text}", sender=sender, conversation=sender,
                   text=text, sent_at=clock.now())


async def test_a_batch_preload_of_the_devices_answers_as_each_report_s_query_would(engine: AsyncEngine,
                                                                                 clock: FakeClock) -> None:
    one = await _customer_with_ticket(engine, clock, "web:p-one", ["KFR35", "XQG80"])
    two = await _customer_with_ticket(engine, clock, "web:p-two", ["KFR35", "KFR35"])
    three = await _customer_with_ticket(engine, clock, "web:p-three", [])
    four = await _customer_with_ticket(engine, clock, "web:p-four", ["BCD215"])
    async with session_factory(engine)() as session, session.begin():
        services = Services.in_transaction(session, clock)
        devices = services.devices
        batch = [_saying(s, "我的空调KFR35不制冷", clock) for s in ("web:p-one", "web:p-two", "web:p-three")]
        await services.preload(batch, naming_models=batch)
        linked = await devices.link_from_message(one, serials=[], models=["kfr35"], actor="customer")
        assert linked is not None and linked.device.serial == "web:p-one-0"
        assert await devices.link_from_message(two, serials=[], models=["KFR35"], actor="customer") is None

        recorded = await devices.attach(three, "SN-THREE-1", model="GH2024", actor="customer", source="chat")
        again = await services.tickets.open(customer_id=three.customer_id, type=TicketType.REPAIR,
                                            priority=Priority.P3, channel="webchat", conversation="web:p-three",
                                            text="又坏了", entities={}, sentiment="neutral", actor="customer",
                                            inbox_id=None)
        linked = await devices.link_from_message(again, serials=[], models=["GH2024"], actor="customer")
        assert linked is not None and linked.device.id == recorded.device.id, "a unit recorded in the transaction"

        next_batch = [_saying("web:p-three", "冰箱BCD215也坏了", clock)]
        await services.preload(next_batch, naming_models=next_batch)
        await services.merges.merge(source_id=four.customer_id, target_id=three.customer_id, actor="staff:1",
                                    reason="same person")
        after_merge = await services.tickets.open(customer_id=three.customer_id, type=TicketType.REPAIR,
                                                  priority=Priority.P3, channel="webchat",
                                                  conversation="web:p-three", text="冰箱也坏了", entities={},
                                                  sentiment="neutral", actor="customer", inbox_id=None)
        linked = await devices.link_from_message(after_merge, serials=[], models=["BCD215"], actor="customer")
        assert linked is not None and linked.device.serial == "web:p-four-0", "a unit moved to the customer by a merge"
