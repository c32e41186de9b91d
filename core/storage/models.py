"""Tables of the hub (one metadata; Alembic migrations are generated from it)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, LargeBinary, MetaData, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Customer(Base):
    """A person who gets service. `phone_source` says how the phone is known: `chat` (said in a message, a claim),
    or trusted — `import` (a device archive), `staff` (entered by staff), `verified` (a one-time code passed); only a
    trusted phone links people. `merged_into_id`: the customer this one was merged into (core.services.merges)."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="", index=True)
    phone_source: Mapped[str] = mapped_column(String(10), default="", server_default="")
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[datetime]


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    skills: Mapped[list[Any]] = mapped_column(default=list)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(default=5)
    daily_capacity: Mapped[int] = mapped_column(default=0, server_default="0")
    """Jobs a technician may be given per day (China time); 0 for no daily limit."""
    leave: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    """Days off: `YYYY-MM-DD` or `YYYY-MM-DD/YYYY-MM-DD` (both days included); nothing is dispatched then."""
    working_hours: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    """`HH:MM-HH:MM` stretches in which visits are offered; empty for the hub's `[dispatch] working_hours`."""
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime]


class Identity(Base):
    """One channel account of a person: (channel, external id) → customer or staff member."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime]


class Device(Base):
    """One unit in the field: the archive imported from spreadsheets, or a serial first heard in a message or from
    staff (`source`: import | chat | staff). `warranty_end` is the last covered day (purchase date + months), None
    when either is unknown. Its service history is the tickets that name it (`tickets.device_id`)."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    model: Mapped[str] = mapped_column(String(100), default="", index=True)
    product: Mapped[str] = mapped_column(String(100), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    purchase_date: Mapped[date | None]
    warranty_months: Mapped[int | None]
    warranty_end: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CustomerMerge(Base):
    """The audit log of merging two customers: who, when, why, and exactly which rows moved from `source_id` to
    `target_id` (`moved`: table → ids), so staff can undo it (`undone_at`, `undone_by`)."""

    __tablename__ = "customer_merges"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    actor: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(200), default="")
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime]
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str] = mapped_column(String(60), default="")


class Verification(Base):
    """A one-time code out to prove a phone or an email address (`kind`, `value`) for `customer_id`: sent over a
    channel the owner is already known on; passing it links the two (core.services.linking). Only a digest of the
    code is kept; `attempts` caps guessing."""

    __tablename__ = "verifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    code_digest: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]


class TicketSequence(Base):
    __tablename__ = "ticket_sequences"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_conversation_status", "channel", "conversation", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True, insert_sentinel=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    priority: Mapped[str] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    conversation: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(200))
    sentiment: Mapped[str] = mapped_column(String(10), default="neutral")
    entities: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    first_response_warn_at: Mapped[datetime | None] = mapped_column(index=True)
    first_response_due_at: Mapped[datetime | None]
    resolution_warn_at: Mapped[datetime | None] = mapped_column(index=True)
    resolution_due_at: Mapped[datetime | None]
    """SLA due times, moved on by pauses; the warnings are indexed for the queue of tickets needing attention."""
    clock_stopped_at: Mapped[datetime | None]
    """When the SLA clock stopped (pending customer or parts, resolved, closed, cancelled); None while it runs."""
    assigned_at: Mapped[datetime | None]
    """When the current assignee was given the job (a technician's jobs per day count these)."""
    visit_start: Mapped[datetime | None]
    visit_end: Mapped[datetime | None]
    """The visit agreed with the customer (core.services.appointments); None until one is."""
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    """The device the job is about (core.services.devices), when one is known."""
    customer: Mapped[Customer] = relationship(lazy="raise")


class TicketMessage(Base):
    """Everything said on a ticket, in order, by whom."""

    __tablename__ = "ticket_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    author: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]


class TicketEvent(Base):
    """The audit log: every change to a ticket with actor, time and before/after."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime]


class Handover(Base):
    """A customer's conversation in a person's hands: asked for, then held by a staff member who answers from a
    thread of their own (`holder_channel`/`holder_address`/`holder_thread`; empty when held from the console),
    until it is handed back (`released_at`) or lapses (`expires_at`, moved on by every message either way)."""

    __tablename__ = "handovers"
    __table_args__ = (Index("ix_handovers_open", "released_at", "expires_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    conversation: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    holder_channel: Mapped[str] = mapped_column(String(20), default="")
    holder_address: Mapped[str] = mapped_column(String(255), default="")
    holder_thread: Mapped[str] = mapped_column(String(255), default="")
    taken_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class ConversationState(Base):
    """Where a person's conversation in one thread stands (what the bot waits for), with expiry."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("channel", "conversation", "sender"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    conversation: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(40), default="idle")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class InboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


class TimerStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"
    """Waiting without a due time (an SLA clock that is paused); scheduling the key again makes it pending."""
    FIRED = "fired"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Timer(Base):
    """Something to do at a time (an SLA warning, a survey, an offer's timeout). The unique `key` makes each timer
    fire once ever: it is marked fired in the same transaction as the effects of firing it."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    due_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default=TimerStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]


class InboxRow(Base):
    """Every inbound message, committed before the platform is answered; unique per (channel, external_id)."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "external_id"), Index("ix_inbox_status", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    conversation: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), default=InboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


OUTBOX_WAITING = text("status IN ('pending', 'sending')")
"""Outbox rows not yet sent or given up: the only ones that hold a conversation's lane. A statement over one lane's
rows names this very condition, so the database can prove the lane index's and search it (`ix_outbox_lane`)."""


class OutboxRow(Base):
    """A message to send, written in the same transaction as the effect that caused it. `conversation` is its lane:
    the messages of one (channel, conversation) leave in the order they were written."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_platform_message", "channel", "platform_message_id"),
                      Index("ix_outbox_lane", "channel", "conversation", "id", sqlite_where=OUTBOX_WAITING,
                            postgresql_where=OUTBOX_WAITING))
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    conversation: Mapped[str] = mapped_column(String(255), default="", server_default="")
    recipient: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(Text, default="")
    platform_message_id: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Cursor(Base):
    __tablename__ = "cursors"
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class QuarantinedInput(Base):
    """Input that could not be parsed, kept whole for staff to inspect and re-run."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime]


class KbArticle(Base):
    """A knowledge-base article as imported (core.domain.knowledge); the retrieval index is built from these rows."""

    __tablename__ = "kb_articles"
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Survey(Base):
    """The satisfaction survey of a closed ticket (one per ticket: closed is final), answered in the thread the
    ticket came from. `step` is the question out while `status` is asked; the API joins `csat`/`nps` by ticket."""

    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_thread", "channel", "conversation", "recipient", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    conversation: Mapped[str] = mapped_column(String(255))
    recipient: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    status: Mapped[str] = mapped_column(String(10), index=True)
    step: Mapped[str] = mapped_column(String(10), default="csat")
    csat: Mapped[int | None]
    nps: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    asked_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class KbAnswer(Base):
    """A knowledge-base answer sent in chat and what the customer said of it: `helpful` true, false, or None (no
    word); `ticket_id` when a ticket was opened for the question after all. Helpful with no ticket is a deflection."""

    __tablename__ = "kb_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    conversation: Mapped[str] = mapped_column(String(255))
    question: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    answered_at: Mapped[datetime] = mapped_column(index=True)
    feedback_at: Mapped[datetime | None]


class WebSession(Base):
    """A browser signed in to the console or the dashboard (core.services.web_sessions): only digests of the
    cookie and of the API token it was opened with are kept."""

    __tablename__ = "web_sessions"
    id_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class MediaStatus(StrEnum):
    PENDING = "pending"
    """Waiting to be fetched from the platform (retried with backoff until `fetch_until`)."""
    STORED = "stored"
    REJECTED = "rejected"
    """Refused by the checks (too large, bytes contradicting the declared type, a bomb, unreadable); `note` says why."""
    GONE = "gone"
    """The platform no longer has it (an expired media id) or it could not be fetched in time."""
    NONE = "none"
    """Nothing to fetch: a shared location, a link."""


class MediaAttachment(Base):
    """A photo, voice note, video, file or location that came with a message: linked to its inbox row (the message)
    and, once the message lands on one, to the ticket. Bytes live in the blob store under `sha256`; the row is also
    the durable download queue (`pending` rows due at `next_attempt_at`)."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_due", "status", "next_attempt_at"),
                      Index("ix_attachments_thread", "channel", "conversation"))
    id: Mapped[int] = mapped_column(primary_key=True)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(255), default="")
    conversation: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    """Where the channel fetches the bytes from (a platform media id, a file URL, an upload)."""
    declared_type: Mapped[str] = mapped_column(String(100), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    thumbnail_sha256: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """What a location carries (`latitude`, `longitude`, `label`)."""
    status: Mapped[str] = mapped_column(String(10), default=MediaStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    fetch_until: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    share_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    """Set when the file is shown to a customer (a technician's completion photo): the random key of its link."""
    nameplate_of: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    """The device whose serial staff read off this photo: the unit's nameplate, shown on its record."""
    created_at: Mapped[datetime]
    stored_at: Mapped[datetime | None]


class Part(Base):
    """A spare part of the catalogue. `low_alerted` is set when its stock falls to `low_stock` or below (the
    supervisors are told once) and cleared when stock rises above it again, so each crossing alerts once."""

    __tablename__ = "parts"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    low_stock: Mapped[int] = mapped_column(default=0)
    low_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    price_cents: Mapped[int | None]
    """The unit price in fen (1/100 yuan); None while the catalogue gives none."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PartStock(Base):
    """How many of a part one place holds: a warehouse (`warehouse:<name>`) or a technician's van (`van:<staff id>`).
    Quantities change only by conditional UPDATEs, so stock never goes below zero."""

    __tablename__ = "part_stock"
    __table_args__ = (UniqueConstraint("sku", "location"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("parts.sku"))
    location: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(default=0)


class PartMovement(Base):
    """The ledger: every change of stock — who, where, how many, the balance after, and for parts used the ticket
    and the device they went into (traceability from a part to a device)."""

    __tablename__ = "part_movements"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("parts.sku"), index=True)
    location: Mapped[str] = mapped_column(String(100))
    delta: Mapped[int]
    balance: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    device_serial: Mapped[str] = mapped_column(String(64), default="", index=True)
    at: Mapped[datetime]


class TicketPart(Base):
    """A part a technician reported using on a job (`用料`); taken from stock when the job is done (`consumed_at`)."""

    __tablename__ = "ticket_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("parts.sku"))
    quantity: Mapped[int]
    reported_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
