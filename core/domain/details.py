"""Which details a ticket of each type needs before work can start, in the order the bot asks for them."""
from __future__ import annotations

from typing import Any, Mapping

from core.domain.tickets import TicketType

FIELD_ENTITY = {"phone": "phones", "address": "addresses", "time": "times", "serial": "serial_numbers",
                "order": "order_numbers"}

REQUIRED: dict[TicketType, tuple[str, ...]] = {
    TicketType.REPAIR: ("phone", "address"),
    TicketType.INSTALLATION: ("phone", "address", "time"),
    TicketType.MAINTENANCE: ("phone", "address", "time"),
    TicketType.RETURN: ("order", "phone"),
    TicketType.LOGISTICS: ("order",),
    TicketType.ORDER_CHANGE: ("order",),
    TicketType.INVOICE: ("order",),
    TicketType.COMPLAINT: ("phone",),
    TicketType.INQUIRY: (),
    TicketType.OTHER: (),
}

EXPECTING = {"phone": "phone", "address": "address", "time": "time", "serial": "serial", "order": "detail"}
"""What the language layer should expect next while the bot waits for a field."""


def missing_details(ticket_type: str, entities: Mapping[str, Any], *, known_phone: str = "") -> list[str]:
    """Fields still missing for this ticket, first to ask first. A phone on the customer's record counts."""
    missing = []
    for name in REQUIRED[TicketType(ticket_type)]:
        if entities.get(FIELD_ENTITY[name]):
            continue
        if name == "phone" and known_phone:
            continue
        missing.append(name)
    return missing
