"""Outgoing webhooks: what happened to tickets (and what the SLA clock and surveys report), queued for every
subscriber URL as outbox rows on the `webhooks` channel, written with the transaction that caused them, so an event
is delivered if and only if its change committed; the outbox retries with backoff and dead-letters, and delivers
each subscriber's events in order (they share one outbox lane, the URL).

Events are collected in memory and written with one statement just before the transaction commits (the journal does
the same for the audit log), so a batch of messages that opens many tickets pays one insert, and a hub without
subscribers pays nothing. A delivery has no template: its data is the message."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.clock import Clock
from core.domain.tickets import TicketView
from core.envelopes import Outbound
from core.outbox import outbox_rows
from core.storage.models import OutboxRow
from core.storage.upsert import ignoring_conflicts

WEBHOOK_CHANNEL = "webhooks"
"""The outbox channel of webhook deliveries; `channels.webhooks` sends them."""
TICKET_CREATED = "ticket.created"
TICKET_STATUS_CHANGED = "ticket.status_changed"
TICKET_ASSIGNED = "ticket.assigned"
SLA_ALERT = "sla.alert"
SURVEY_ANSWERED = "survey.answered"
EVENTS = (TICKET_CREATED, TICKET_STATUS_CHANGED, TICKET_ASSIGNED, SLA_ALERT, SURVEY_ANSWERED)


class EventService:
    def __init__(self, *, session: AsyncSession, clock: Clock, urls: Sequence[str]) -> None:
        self._session = session
        self._clock = clock
        self._urls = tuple(urls)
        self._queued: list[Outbound] = []
        if self._urls:
            event.listen(session.sync_session, "before_commit", self._write)

    def emit(self, kind: str, data: Mapping[str, Any], *, key: str | None = None) -> None:
        """Queue event `kind` for every subscriber. `key` names the event when the caller has a stable name for it
        (an SLA alert: ticket, target, level), so raising it again after a crash queues nothing twice; otherwise each
        call is a new event."""
        if kind not in EVENTS:
            raise ValueError(f"unknown webhook event {kind!r}")
        if not self._urls:
            return
        event_id = key or uuid.uuid4().hex
        body = {"id": event_id, "type": kind, "occurred_at": self._clock.now().isoformat(), "data": dict(data)}
        for n, url in enumerate(self._urls):
            delivery = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event_id}:{n}:{url}"))
            self._queued.append(Outbound(channel=WEBHOOK_CHANNEL, account="", recipient=url, conversation=url,
                                         template="", data={"delivery": delivery, "body": body},
                                         locale="", idempotency_key=f"webhook:{delivery}"))

    def ticket(self, kind: str, ticket: TicketView, **extra: Any) -> None:
        """A ticket event: the ticket as it stands after the change, plus what the change was (`extra`)."""
        self.emit(kind, {"ticket": ticket_payload(ticket), **extra})

    def _write(self, session: Session) -> None:
        if self._queued:
            rows, self._queued = outbox_rows(self._queued, self._clock.now()), []
            session.execute(ignoring_conflicts(session, OutboxRow), rows)


def ticket_payload(ticket: TicketView) -> dict[str, Any]:
    """A ticket as webhook receivers see it."""
    return {"id": ticket.code, "type": ticket.type, "priority": ticket.priority, "status": ticket.status,
            "channel": ticket.channel, "subject": ticket.summary, "customer_id": ticket.customer_id,
            "assignee_id": ticket.assignee_id, "created_at": _iso(ticket.created_at),
            "updated_at": _iso(ticket.updated_at)}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
