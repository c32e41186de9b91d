"""What every conversation job gets and gives: a `Context` in, a list of `Outbound` out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.envelopes import Inbound, Outbound
from core.services.conversations import ConversationService
from core.services.dispatch import DispatchService
from core.services.people import PeopleService, Person
from core.services.tickets import TicketService
from core.storage.models import ConversationState, Ticket
from nlp import Understanding
from templates import labels


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    tickets: TicketService
    people: PeopleService
    conversations: ConversationService
    dispatch: DispatchService

    @classmethod
    def in_transaction(cls, session: AsyncSession, clock: Clock) -> Services:
        """One set per transaction: what the services keep in hand is valid only inside it."""
        tickets = TicketService(session=session, clock=clock)
        return cls(tickets=tickets, people=PeopleService(session=session, clock=clock),
                   conversations=ConversationService(session=session, clock=clock),
                   dispatch=DispatchService(session=session, clock=clock, tickets=tickets))

    async def preload(self, inbounds: Sequence[Inbound]) -> None:
        """Fetch what a batch of messages will ask for (senders, thread states, open tickets) in a few queries
        instead of several per message."""
        await self.people.preload((i.channel, i.sender) for i in inbounds)
        await self.conversations.preload((i.channel, i.conversation, i.sender) for i in inbounds)
        await self.tickets.preload_open((i.channel, i.conversation) for i in inbounds)


@dataclass(kw_only=True)
class Context:
    inbound: Inbound
    inbox_id: int
    understanding: Understanding
    person: Person
    state: ConversationState
    services: Services
    now: datetime
    locale: str
    _count: int = field(default=0, repr=False)

    def reply(self, template: str, **data: Any) -> Outbound:
        """A message back to the sender, in the same thread; its key is derived from the inbox row, so
        re-processing the same message after a crash can never send it twice."""
        self._count += 1
        return Outbound(channel=self.inbound.channel, account=self.inbound.account, recipient=self.inbound.sender,
                        conversation=self.inbound.conversation, template=template, data=data, locale=self.locale,
                        idempotency_key=f"inbox:{self.inbox_id}:{self._count}", reply_to=self.inbound.external_id)

    def send_to(self, *, channel: str, account: str, recipient: str, conversation: str, template: str, locale: str,
                key: str, **data: Any) -> Outbound:
        """A message to someone other than the sender (a technician, the customer of a job); `key` names its
        purpose so re-processing this inbox row yields the same idempotency key and never sends it twice."""
        return Outbound(channel=channel, account=account, recipient=recipient, conversation=conversation,
                        template=template, data=data, locale=locale, idempotency_key=f"inbox:{self.inbox_id}:{key}")

    def ticket_card(self, ticket: Ticket) -> dict[str, Any]:
        """The ticket as templates and the web-chat card show it (labels in the reply's language)."""
        names = labels(self.locale)
        return {"id": ticket.code, "type": ticket.type, "type_label": names["types"][ticket.type],
                "status": ticket.status, "status_label": names["statuses"][ticket.status],
                "priority": ticket.priority, "priority_label": names["priorities"][ticket.priority],
                "summary": ticket.summary, "entities": {k: list(v) for k, v in ticket.entities.items()},
                "created_at": ticket.created_at.isoformat()}


class Handler(Protocol):
    """A conversation job. `intents` it answers when the conversation is idle; `states` it owns when not."""

    name: str
    intents: frozenset[str]
    states: frozenset[str]

    async def handle(self, ctx: Context) -> list[Outbound]: ...
