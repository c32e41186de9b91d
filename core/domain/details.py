"""Which details a ticket of each type needs before work can start, in the order the bot asks for them, and how
long a request that says none of what it is about waits to be described."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from core.domain.invoices import TAX_ID_ENTITY, TITLE_ENTITY, invoice_fields
from core.domain.tickets import TicketType

DESCRIBE_WAIT = timedelta(minutes=15)
"""By default, how long a bare request ("报修") waits for its description before it is filed as it stands."""

FIELD_ENTITY = {"phone": "phones", "address": "addresses", "time": "times", "serial": "serial_numbers",
                "order": "order_numbers", "title": TITLE_ENTITY, "tax_id": TAX_ID_ENTITY}

REQUIRED: dict[TicketType, tuple[str, ...]] = {
    TicketType.REPAIR: ("phone", "address"),
    TicketType.INSTALLATION: ("phone", "address", "time"),
    TicketType.MAINTENANCE: ("phone", "address", "time"),
    TicketType.RETURN: ("order", "phone"),
    TicketType.LOGISTICS: ("order",),
    TicketType.ORDER_CHANGE: ("order",),
    TicketType.INVOICE: ("order",),  # and what `invoices.invoice_fields` asks for
    TicketType.COMPLAINT: ("phone",),
    TicketType.INQUIRY: (),
    TicketType.OTHER: (),
}

WAIVED = "waived"
"""Ticket entities: the fields the customer said they have not got or will not give; the ticket goes on without."""
VISIT_TYPES = frozenset({TicketType.REPAIR, TicketType.INSTALLATION, TicketType.MAINTENANCE})
"""A technician comes to the customer: without an address nobody can be sent."""
ADDRESS_KEPT = timedelta(days=30)
"""How long the address of a customer's ticket is offered again for their next visit, instead of asking anew."""

EXPECTING = {"phone": "phone", "address": "address", "time": "time", "serial": "serial", "order": "detail",
             "title": "title", "tax_id": "tax_id"}
"""What the language layer should expect next while the bot waits for a field."""


def waivable(ticket_type: str, name: str) -> bool:
    """Whether a ticket can go on without field `name` when the customer has not got it: anything but the address
    of a visit (a phone, an order number or a time staff find or agree in the conversation itself)."""
    return not (name == "address" and TicketType(ticket_type) in VISIT_TYPES)


def missing_details(ticket_type: str, entities: Mapping[str, Any], *, known_phone: str = "") -> list[str]:
    """Fields still missing for this ticket, first to ask first. A phone on the customer's record counts; a field
    the customer said they have not got is not asked for again."""
    kind = TicketType(ticket_type)
    missing = []
    for name in REQUIRED[kind] + (invoice_fields(entities) if kind is TicketType.INVOICE else ()):
        if entities.get(FIELD_ENTITY[name]) or name in entities.get(WAIVED, ()):
            continue
        if name == "phone" and known_phone:
            continue
        missing.append(name)
    return missing
