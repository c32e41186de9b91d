"""Filing what a customer reports: a new ticket or more on an open one, the details still missing, and a dispatch
once the job has all it needs. The conversation job decides *whether* a message is a new problem; this decides
what that does to tickets."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Mapping

from core.domain.details import ADDRESS_KEPT, DESCRIBE_WAIT, VISIT_TYPES, missing_details
from core.domain.devices import DeviceView
from core.domain.tickets import Priority, Status, TicketType, TicketView
from core.services.devices import DeviceService
from core.services.dispatch import Dispatch, DispatchService
from core.services.people import PeopleService
from core.services.tickets import TicketService


CORRECTED = ("phones", "addresses")
"""What a report that corrects a detail replaces on its ticket (`Report.corrects`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One customer message about a problem, as filing needs it."""

    customer_id: int
    actor: str
    channel: str
    conversation: str
    text: str
    type: TicketType
    priority: Priority
    sentiment: str
    entities: Mapping[str, list[Any]]
    inbox_id: int | None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    """The problem in a line for a ticket it opens, when the text is not its own summary (it names a phone or an
    address: those are details, kept in `entities`)."""
    corrects: bool = False
    """The report corrects a phone or an address given before ("电话写错了，是…"): on the ticket it joins, those it
    gives replace the ones there."""
    resummary: str = ""
    """The line that takes the place of the summary of the ticket it joins (one that did not say what is wrong, which
    this report tells); "" leaves that summary as it is."""


@dataclass(frozen=True, slots=True)
class Filed:
    """What filing did: the ticket (new or joined), the entity kinds the message added, the details still missing
    (first to ask first), the dispatch it triggered (None when the job was not dispatched now), and the device the
    message named on the ticket (None when it named none new)."""

    ticket: TicketView
    opened: bool
    added: list[str]
    missing: list[str]
    dispatch: Dispatch | None
    device: DeviceView | None = None
    carried: tuple[str, ...] = ()
    """Entity kinds a new ticket took from the customer's earlier one (`addresses`), not from this message."""


class IntakeService:
    def __init__(self, *, tickets: TicketService, people: PeopleService, dispatch: DispatchService,
                 devices: DeviceService, describe_wait: timedelta = DESCRIBE_WAIT) -> None:
        """`describe_wait`: how long a bare request waits for its description (`[intake] describe_wait`)."""
        self._tickets = tickets
        self._people = people
        self._dispatch = dispatch
        self._devices = devices
        self.describe_wait = describe_wait

    async def file(self, report: Report, *, join: TicketView | None, waive: str | None = None) -> Filed:
        """Open a ticket for the report, or add it to `join` (an open ticket of the same problem); a ticket that
        waited for the customer goes on, its SLA clock running again. `waive`: the report says the customer has not
        got this field of `join`, which goes on without it (and is dispatched once nothing else is missing)."""
        carried: tuple[str, ...] = ()
        if join is None:
            entities = report.entities
            if TicketType(report.type) in VISIT_TYPES and not entities.get("addresses"):
                address = await self._tickets.recent_address(report.customer_id, within=ADDRESS_KEPT)
                if address is not None:  # read back to the customer, who changes it by sending another
                    entities, carried = {**entities, "addresses": [address]}, ("addresses",)
            ticket = await self._tickets.open(
                customer_id=report.customer_id, type=report.type, priority=report.priority, channel=report.channel,
                conversation=report.conversation, text=report.text, entities=entities,
                sentiment=report.sentiment, actor=report.actor, inbox_id=report.inbox_id,
                attachments=report.attachments, summary=report.summary)
            added: list[str] = []
            was_ready = False
        else:
            was_ready = not await self.missing(join)
            ticket, added = await self._tickets.add_message(
                join, actor=report.actor, text=report.text, inbox_id=report.inbox_id, entities=report.entities,
                attachments=report.attachments, replacing=CORRECTED if report.corrects else ())
            ticket = await self._tickets.raise_priority(ticket, report.priority, actor=report.actor)
            if report.resummary:
                ticket = await self._tickets.resummarize(ticket, report.resummary, actor=report.actor)
            if waive is not None:
                ticket = await self._tickets.waive(ticket, waive, actor=report.actor)
            if ticket.status == Status.PENDING_CUSTOMER.value:
                ticket = await self._tickets.resume(ticket, actor=report.actor)
        phones = report.entities.get("phones") or ()
        if phones:
            await self._people.remember_phone(report.customer_id, phones[0], correcting=report.corrects)
        linked = await self._devices.link_from_message(
            ticket, serials=report.entities.get("serial_numbers") or (), models=report.entities.get("models") or (),
            actor=report.actor)
        if linked is not None:
            ticket = linked.ticket
        missing = await self.missing(ticket)
        dispatch = None
        if not missing and not was_ready and ticket.status == Status.NEW.value and ticket.assignee_id is None:
            dispatch = await self._dispatch.dispatch(ticket)
            ticket = await self._tickets.refresh(ticket)
        return Filed(ticket, join is None, added, missing, dispatch, linked.device if linked else None, carried)

    async def missing(self, ticket: TicketView) -> list[str]:
        """Details the ticket still needs before work can start; a phone on the customer's record counts."""
        known_phone = await self._people.phone_of(ticket.customer_id)
        return missing_details(ticket.type, ticket.entities, known_phone=known_phone)
