"""The request and answer models of `/api/v1` (pydantic v2): they validate what comes in, shape what goes out and
are the OpenAPI schemas. Text fields refuse NUL and lone surrogates (no store can keep them); ids fit 32 bits."""
from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from bot.api.errors import bad_request
from core.domain.people import STAFF_CHANNELS, TICKET_SKILLS
from core.domain.tickets import Priority, Status, TicketType
from core.services.ticket_queries import QUEUES

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(text: str) -> str:
    if _UNSTORABLE.search(text):
        raise ValueError("contains NUL or a lone surrogate")
    return text


def _iso_time(value: object) -> object:
    """Times in a query are ISO 8601 text, never numbers taken for Unix time."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 time") from None
    if isinstance(value, datetime):
        return value
    raise ValueError("not an ISO 8601 time")


Text = Annotated[str, AfterValidator(_storable)]
IsoTime = Annotated[datetime, BeforeValidator(_iso_time)]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Limit = Annotated[int, Field(ge=1, le=200, description="page size (default 50)")]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{4,30}$", max_length=32)]
StaffRole = Literal["technician", "agent", "supervisor", "manager", "admin"]
Skill = Literal[TICKET_SKILLS]  # type: ignore[valid-type]
StaffChannel = Literal[STAFF_CHANNELS]  # type: ignore[valid-type]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- errors and pages

class ErrorBody(Answer):
    code: str
    message: str


class Error(Answer):
    error: ErrorBody


class PageQuery(Request):
    limit: Limit = 50
    cursor: Annotated[Text, Field(max_length=200, description="`next` of the previous page")] | None = None


def encode_cursor(last_id: int | None) -> str | None:
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The row to continue after; `ValueError` for a cursor this API did not hand out."""
    if cursor is None:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a cursor from this API") from None
    if not isinstance(after, int) or isinstance(after, bool) or not 1 <= after <= 2_147_483_647:
        raise ValueError("not a cursor from this API")
    return after


def page_after(query: PageQuery) -> int | None:
    """The row a list request continues after; 400 naming `cursor` for one this API did not hand out."""
    try:
        return decode_cursor(query.cursor)
    except ValueError as exc:
        raise bad_request("cursor", str(exc)) from None


# -- tickets

class TicketQuery(PageQuery):
    status: Status | None = None
    type: TicketType | None = None
    priority: Priority | None = None
    channel: Annotated[Text, Field(max_length=20)] | None = None
    customer: Id | None = Field(default=None, description="customer id")
    assignee: Id | Literal["none"] | None = Field(default=None, description="staff id, or `none` for unassigned")
    handover: Literal["waiting", "held"] | None = Field(
        default=None, description="conversations waiting for a person, or held by one")
    q: Annotated[Text, Field(min_length=1, max_length=100, description=(
        "within the id or the subject, or a phone or order number among the details or the customer's phone"
    ))] | None = None
    sla: Literal["ok", "warning", "breached"] | None = Field(
        default=None, description="the worse of the ticket's SLA targets now: breached if either is, warning if "
                                  "either warns")
    queue: Literal[QUEUES] | None = Field(  # type: ignore[valid-type]
        default=None, description="one of the console's queues of open tickets (see `/tickets/counts`)")


class ExportQuery(TicketQuery):
    format: Literal["csv", "xlsx"] = Field(default="xlsx", description="`csv` is UTF-8 with a BOM")
    lang: Literal["zh", "en"] = Field(default="zh", description="language of the headers and labels")


class QueueCounts(Answer):
    open: int = Field(description="not resolved, closed or cancelled")
    unassigned: int = Field(description="open and nobody holds it")
    waiting: int = Field(description="the customer asked for a person and nobody answered yet")
    held: int = Field(description="a person holds the conversation")
    pending: int = Field(description="waiting for the customer or for parts")
    sla_warning: int = Field(description="open, an SLA target warns")
    sla_breached: int = Field(description="open, an SLA target is breached")
    by_status: dict[str, int] = Field(description="every ticket, by status")


class CustomerRef(Answer):
    id: int
    name: str
    phone: str


class StaffRef(Answer):
    id: int
    name: str


class TicketBase(Answer):
    """What every view of a ticket shows."""

    id: str
    type: TicketType
    priority: Priority
    status: Status
    channel: str
    subject: str
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    sla: Sla | None = Field(default=None, description="null when no SLA policy covers the ticket")


class TicketSummary(TicketBase):
    customer_id: int
    assignee_id: int | None


class TicketPage(Answer):
    items: list[TicketSummary]
    next: str | None


class Message(Answer):
    at: datetime
    direction: Literal["in", "out"] = Field(description="`in`: the customer wrote; `out`: said to them or noted")
    author: str
    text: str


class Location(Answer):
    latitude: float
    longitude: float
    label: str


class AttachmentOut(Answer):
    id: int
    type: Literal["image", "voice", "video", "file", "location", "link"]
    name: str
    content_type: str = Field(description="Sniffed from the bytes once stored; what the sender declared before")
    size: int
    status: Literal["pending", "stored", "rejected", "gone", "none"] = Field(
        description="`pending`: being fetched from the platform; `stored`: `url` serves it; `rejected` / `gone`: "
                    "not kept, `note` says why; `none`: nothing to fetch (a location)")
    url: str | None = Field(description="The bytes, for a signed-in token or console session only")
    thumbnail_url: str | None = Field(description="A JPEG of at most 320 pixels, for images")
    note: str
    location: Location | None
    created_at: datetime


class Event(Answer):
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]


class SlaTarget(Answer):
    due_at: datetime
    state: Literal["ok", "warning", "breached"]


class Sla(Answer):
    """The targets the ticket's SLA policy sets (a policy may set only one)."""

    first_response: SlaTarget | None
    resolution: SlaTarget | None


class Device(Answer):
    serial: str
    model: str
    warranty: Literal["in", "out", "unknown"] = Field(description="as of today (China time): `unknown` when the "
                                                               "purchase date or the warranty months are not known")


class DeviceOut(Device):
    product: str
    address: str
    purchase_date: date | None
    warranty_months: int | None
    warranty_end: date | None = Field(description="the last covered day")
    source: Literal["import", "chat", "staff"]


class CostLineOut(Answer):
    ticket: str
    kind: str = Field(description="`parts`: a spare part taken from stock for the job")
    item: str = Field(description="what was charged: the part's SKU")
    name: str
    quantity: int
    unit_price: str | None = Field(description="yuan, from the catalogue; null when it has no price")
    amount: str | None = Field(description="quantity × unit price, yuan")
    at: datetime
    device: str = Field(description="serial number of the device it went into, when known")


class ServiceCost(Answer):
    currency: Literal["CNY"] = "CNY"
    total: str = Field(description="yuan, every priced line together")
    by_kind: dict[str, str] = Field(description="yuan per kind of line")
    unpriced: list[str] = Field(description="items charged without a price (left out of the total)")
    lines: list[CostLineOut] = Field(description="oldest first")


class Nameplate(Answer):
    ticket: str = Field(description="the ticket the photo came with")
    attachment: int
    url: str | None = Field(description="the photo, for a signed-in token or console session only")
    thumbnail_url: str | None


class DeviceDetail(DeviceOut):
    customer: CustomerRef | None = Field(description="the owner")
    nameplate: Nameplate | None = Field(description="the photo staff read the serial from")
    history: list[TicketSummary] = Field(description="every ticket on the device, newest first")
    service_cost: ServiceCost = Field(description="what its service cost: the parts replaced in it, priced")


class DeviceAttach(Request):
    serial: Annotated[Text, Field(min_length=1, max_length=64)]
    model: Annotated[Text, Field(max_length=100)] = ""
    attachment: Id | None = Field(default=None, description="the ticket's picture the serial was read from (its "
                                                             "nameplate): shown on the device's record")


class Handover(Answer):
    state: Literal["waiting", "held"]
    reason: str
    requested_at: datetime
    holder: StaffRef | None
    holder_channel: str | None
    taken_at: datetime | None
    expires_at: datetime


class JobSheetLine(Answer):
    kind: Literal["parts", "labour"]
    item: str = Field(description="the part's SKU, or `labour`")
    name: str = Field(description="the part's name (empty for labour)")
    quantity: str = Field(description="pieces, or hours of labour with two decimals")
    unit_price: str | None = Field(description="yuan: the catalogue price, or the hourly labour rate "
                                               "(`[pricing] labour_rate`); null when the catalogue has none")
    amount: str | None = Field(description="quantity × unit price, yuan")


class JobSheetOut(Answer):
    currency: Literal["CNY"] = "CNY"
    lines: list[JobSheetLine] = Field(description="parts reported on the job (`用料`), then labour (`工时`)")
    total: str = Field(description="yuan: what the job cost at list prices, priced lines only")
    parts: str = Field(description="yuan: the parts lines together")
    labour: str = Field(description="yuan: the labour line")
    charged: str = Field(description="yuan the customer pays: 0.00 in warranty, else the total")
    free: bool = Field(description="in warranty: the customer pays nothing, the company bears the total")
    warranty: Literal["in", "out", "unknown"] = Field(description="what decided `charged`: the device's warranty "
                                                                  "on the day the job was reported")
    warranty_as_of: date
    device: str | None = Field(description="serial number of the device on the ticket")
    warranty_end: date | None = Field(description="the device's last covered day, when known")
    unpriced: list[str] = Field(description="parts with no catalogue price (left out of the totals)")


class TicketDetail(TicketBase):
    customer: CustomerRef
    assignee: StaffRef | None
    device: Device | None = None
    entities: dict[str, list[Any]]
    csat: int | None = None
    nps: int | None = None
    handover: Handover | None
    next_statuses: list[Status] = Field(default_factory=list,
                                        description="the statuses the state machine allows from this one")
    messages: list[Message]
    attachments: list[AttachmentOut]
    events: list[Event]
    job_sheet: JobSheetOut = Field(description="parts and labour on the job, priced, and what the customer pays")


class NewCustomer(Request):
    name: Annotated[Text, Field(max_length=200)] = ""
    phone: Phone


class TicketCreate(Request):
    text: Annotated[Text, Field(min_length=1, max_length=4000)]
    customer: NewCustomer
    type: TicketType | None = Field(default=None, description="understood from the text when left out")
    priority: Priority | None = Field(default=None, description="understood from the text when left out")


class TicketPatch(Request):
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    assignee: Id | None = Field(default=None, description="staff id; null takes the ticket off its assignee")
    note: Annotated[Text, Field(max_length=1000)] = ""


class ReplyCreate(Request):
    text: Annotated[Text, Field(min_length=1, max_length=4000)]
    staff: Id | None = Field(default=None, description="the staff member who writes (named to the customer)")


class NoteCreate(Request):
    text: Annotated[Text, Field(min_length=1, max_length=4000)]


class Note(Answer):
    ticket: str
    event: Event


class Reply(Answer):
    ticket: str
    message: Message


class TakeOver(Request):
    staff: Id | None = Field(default=None, description="the staff member who takes the conversation; the "
                                                        "customer's messages also reach them on their own channel")


class HandoverState(Answer):
    ticket: str
    handover: Handover | None


# -- customers

class CustomerQuery(PageQuery):
    phone: Annotated[Text, Field(min_length=1, max_length=40)] | None = None
    q: Annotated[Text, Field(min_length=1, max_length=100, description="within the name or the phone")] | None = None


class Customer(Answer):
    id: int
    name: str
    phone: str
    phone_verified: bool = Field(description="the phone comes from an import, staff or a passed one-time code, "
                                             "not only from a claim in chat")
    merged_into: int | None = Field(description="the customer this record was merged into")
    locale: str
    created_at: datetime


class CustomerPage(Answer):
    items: list[Customer]
    next: str | None


class IdentityOut(Answer):
    channel: str
    external_id: str
    display_name: str


class Score(Answer):
    ticket: str
    csat: int | None
    nps: int | None
    comment: str
    answered_at: datetime


class Merge(Answer):
    id: int
    source_id: int = Field(description="the customer merged away")
    target_id: int = Field(description="the customer kept")
    actor: str
    reason: str
    moved: dict[str, list[int]] = Field(description="the ids moved, by table")
    at: datetime
    undone_at: datetime | None
    undone_by: str


class CustomerDetail(Customer):
    identities: list[IdentityOut]
    devices: list[DeviceOut]
    tickets: list[TicketSummary]
    scores: list[Score] = Field(description="satisfaction surveys answered, newest first")
    merges: list[Merge] = Field(description="merges this customer took part in, oldest first")
    service_cost: ServiceCost = Field(description="what their tickets cost, line by line")


class IdentityCreate(Request):
    channel: Literal["wechat", "wecom", "slack", "email", "webchat"]
    external_id: Annotated[Text, Field(min_length=1, max_length=255)]


class MergeCreate(Request):
    source: Id = Field(description="the customer merged into this one (their identities, devices, tickets move)")
    reason: Annotated[Text, Field(max_length=200)] = ""


# -- staff

class StaffQuery(PageQuery):
    role: StaffRole | None = None
    on_duty: bool | None = None


class StaffMember(Answer):
    id: int
    name: str
    role: StaffRole
    skills: list[str]
    regions: list[str]
    capacity: int
    daily_capacity: int = Field(description="jobs that may be given per day; 0 for no limit")
    leave: list[str] = Field(description="days off: `YYYY-MM-DD` or `YYYY-MM-DD/YYYY-MM-DD`")
    working_hours: list[str] = Field(description="`HH:MM-HH:MM` stretches visits are offered in; empty: the hub's "
                                                 "`[dispatch] working_hours`")
    on_duty: bool
    locale: str
    identities: dict[str, str]
    created_at: datetime


class StaffPage(Answer):
    items: list[StaffMember]
    next: str | None


Region = Annotated[Text, Field(min_length=1, max_length=50)]
Address = Annotated[Text, Field(min_length=1, max_length=255)]


class StaffPatch(Request):
    name: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    role: StaffRole | None = None
    skills: Annotated[list[Skill], Field(max_length=20)] | None = None
    regions: Annotated[list[Region], Field(max_length=50)] | None = None
    capacity: Annotated[int, Field(ge=0, le=1000)] | None = None
    daily_capacity: Annotated[int, Field(ge=0, le=1000, description="0 for no daily limit")] | None = None
    leave: Annotated[list[Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$")]],
                     Field(max_length=100, description="days off, replacing the list")] | None = None
    working_hours: Annotated[list[Annotated[str, Field(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")]],
                             Field(max_length=10, description="`HH:MM-HH:MM` stretches visits are offered in, "
                                                              "replacing the list; empty for the hub's")] | None = None
    on_duty: bool | None = None
    locale: Literal["zh", "en"] | None = None
    identities: dict[StaffChannel, Address] | None = Field(
        default=None, description="replaces every identity of the staff member")


class StaffCreate(StaffPatch):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    role: StaffRole


# -- stats

class StatsQuery(Request):
    since: IsoTime | None = Field(default=None, description="default: 30 days before `until`; naive times are UTC")
    until: IsoTime | None = Field(default=None, description="default: now")


class TechnicianLoad(Answer):
    staff_id: int
    name: str
    on_duty: bool
    capacity: int
    open_jobs: int


class VolumeOverTime(Answer):
    bucket: Literal["day", "month"] = Field(description="days for periods up to 92 days, months beyond")
    periods: list[str] = Field(description="every local day (`YYYY-MM-DD`) or month (`YYYY-MM`) of the period, in "
                                           "`timezone`")
    by_type: dict[str, list[int]] = Field(description="tickets opened, one number per entry of `periods`")
    by_channel: dict[str, list[int]]


class SlaAttainment(Answer):
    target: Literal["first_response", "resolution"]
    total: int = Field(description="tickets opened in the period that have this target")
    met: int = Field(description="met before the due time")
    breached: int = Field(description="met late, or still not met past the due time")
    warned: int = Field(description="reached the warning and not breached")
    attainment: float | None = Field(description="met / (met + breached); null when none is decided")


class SatisfactionPeriod(Answer):
    period: str
    answered: int
    csat_average: float | None
    nps: float | None
    nps_answers: int


class Ranked(Answer):
    value: str
    count: int


class KnowledgeFigures(Answer):
    answers: int = Field(description="knowledge-base answers sent in chat")
    helpful: int = Field(description="of those, found helpful by the customer")


class Stats(Answer):
    since: datetime
    until: datetime
    timezone: str = Field(description="the time zone of the days and months (`[sla] timezone`)")
    total: int = Field(description="tickets opened in the period")
    by_type: dict[str, int]
    by_channel: dict[str, int]
    by_status: dict[str, int] = Field(description="tickets opened in the period, by the status they have now")
    open_by_status: dict[str, int] = Field(description="every ticket open now, whenever opened, by status")
    volume_over_time: VolumeOverTime
    sla: list[SlaAttainment]
    surveys_sent: int
    survey_response_rate: float | None
    csat_average: float | None = Field(description="1–5, over the surveys answered in the period")
    nps: float | None = Field(description="% promoters − % detractors, −100…100")
    satisfaction_over_time: list[SatisfactionPeriod] = Field(
        description="per day (or month, as `volume_over_time`) the surveys were sent; those without answers left out")
    kb_deflections: int = Field(description="knowledge-base answers found helpful that opened no ticket")
    knowledge: KnowledgeFigures
    top_products: list[Ranked] = Field(description="the products named on most tickets opened in the period")
    top_models: list[Ranked]
    repeat_repairs: list[Ranked] = Field(description="serial numbers repaired more than once (from 90 days "
                                                     "before the period), with the number of repairs")
    technician_load: list[TechnicianLoad] = Field(description="as of now")


# -- deliveries (the outbox, dead letters included)

class DeliveryQuery(PageQuery):
    status: Literal["pending", "sending", "sent", "dead"] | None = None
    channel: Annotated[Text, Field(max_length=20)] | None = None


class Delivery(Answer):
    id: int
    channel: str
    recipient: str
    template: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


class DeliveryPage(Answer):
    items: list[Delivery]
    next: str | None


# -- spare parts

class PartMovementOut(Answer):
    at: datetime
    location: str = Field(description="`warehouse:<name>` or `van:<staff id>`")
    delta: int
    balance: int = Field(description="what the place holds after the movement")
    reason: Literal["stocktake", "used"]
    actor: str
    ticket: str | None = Field(description="the ticket the part was used on")
    device: str = Field(description="serial number of the device it went into, when known")


class PartOut(Answer):
    sku: str
    name: str
    stock: int = Field(description="held everywhere together")
    low_stock: int
    price: str | None = Field(description="unit price in yuan; null when the catalogue gives none")
    locations: dict[str, int]
    movements: list[PartMovementOut] = Field(description="the ledger, newest first (the last 50)")
