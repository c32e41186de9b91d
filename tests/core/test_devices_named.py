"""A report that names a model links the one unit of it the customer owns: on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FakeClock
from core.domain.tickets import Priority, TicketType, TicketView
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
