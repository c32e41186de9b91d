"""`/tickets`: the queue with filters, one ticket whole, a ticket phoned in, changes through the state machine, and
people answering the customer or taking the conversation from the bot."""
from __future__ import annotations

import uuid

from bot.api import export
from bot.api import schemas as s
from bot.api.errors import ApiError, bad_request, conflict, not_found
from bot.api.operations import Call, Download, Operation
from bot.api.views import handover, message, ticket_detail, ticket_summary
from core.domain.tickets import IllegalTransition, MessageView, Priority, Status, TicketType, TicketView
from core.envelopes import Outbound
from core.media import BlobUnavailable
from core.services.dispatch import Dispatch
from core.services.handover import Desk
from core.services.intake import Report
from core.services.ticket_queries import TicketFilter
from core.services.unit import Services
from handlers import notices
from handlers.base import Origin, entity_lists
from handlers.closing import ask_confirmation
from handlers.takeover import answer, give_back

PHONE = "phone"
"""The channel of a ticket phoned in (entered through the API)."""
ERRAND_LOCALE = "zh"
NOTE = "note"
"""The audit-log kind of a note staff leave on a ticket for each other."""
EXPORT_LIMIT = 100_000


def _errand(services: Services) -> Origin:
    """What notices need of an API call; each call is new work, so its messages get fresh idempotency keys."""
    return Origin(services=services, locale=ERRAND_LOCALE, stem=f"api:{uuid.uuid4().hex}")


async def _ticket(services: Services, code: str) -> TicketView:
    ticket = await services.tickets.get(code)
    if ticket is None:
        raise not_found(f"ticket {code}")
    return ticket


async def _detail(call: Call, code: str) -> s.TicketDetail:
    async with call.reading() as services:
        record = await services.queries.record(code)
        if record is None:
            raise not_found(f"ticket {code}")
        sheet = await services.jobsheets.of_ticket(record.ticket)
    return ticket_detail(record, sheet, call.hub.clock.now())


async def get_attachment(call: Call) -> Download:
    return await _attachment(call, thumbnail=False)


async def get_thumbnail(call: Call) -> Download:
    return await _attachment(call, thumbnail=True)


async def _attachment(call: Call, *, thumbnail: bool) -> Download:
    """The bytes of a stored attachment, only under its own ticket; pictures shown in place, the rest saved."""
    code, number = call.path["code"], int(call.path["attachment_id"])
    async with call.reading() as services:
        found = await services.media.find(code, number)
    digest = "" if found is None or found.status != "stored" else found.thumbnail_sha256 if thumbnail else found.sha256
    if found is None or not digest:
        raise not_found(f"{'thumbnail' if thumbnail else 'file'} {number} of ticket {code}")
    try:
        data = await call.hub.media.blobs.get(digest)
    except BlobUnavailable as exc:
        raise ApiError(503, "unavailable", "the media store cannot be read now") from exc
    if data is None:
        raise not_found(f"file {number} of ticket {code}")
    media_type = "image/jpeg" if thumbnail else found.content_type or "application/octet-stream"
    return Download(body=data, media_type=media_type, filename=found.name or f"{code}-{number}",
                    inline=media_type.startswith(("image/", "audio/", "video/")))


def _where(q: s.TicketQuery) -> TicketFilter:
    return TicketFilter(status=q.status, type=q.type, priority=q.priority, channel=q.channel, customer_id=q.customer,
                        assignee_id=0 if q.assignee == "none" else q.assignee, handover=q.handover, q=q.q, sla=q.sla,
                        queue=q.queue)


async def list_tickets(call: Call) -> s.TicketPage:
    q: s.TicketQuery = call.query
    after = s.page_after(q)
    async with call.reading() as services:
        page = await services.queries.page(_where(q), limit=q.limit, after=after)
    now = call.hub.clock.now()
    return s.TicketPage(items=[ticket_summary(t, now) for t in page.items], next=s.encode_cursor(page.last_id))


async def queue_counts(call: Call) -> s.QueueCounts:
    async with call.reading() as services:
        counts = await services.queries.counts()
    return s.QueueCounts(open=counts.open, unassigned=counts.unassigned, waiting=counts.waiting, held=counts.held,
                         pending=counts.pending, sla_warning=counts.sla_warning, sla_breached=counts.sla_breached,
                         by_status=counts.by_status)


async def export_tickets(call: Call) -> Download:
    """Every ticket the filters match (the cursor and page size do not apply), up to `EXPORT_LIMIT`."""
    q: s.ExportQuery = call.query
    async with call.reading() as services:
        listed = await services.queries.listing(_where(q), limit=EXPORT_LIMIT + 1)
    if len(listed) > EXPORT_LIMIT:
        raise bad_request("query", f"more than {EXPORT_LIMIT} tickets match; narrow the filters")
    now, zone = call.hub.clock.now(), call.hub.config.sla.timezone
    rows = export.table(listed, locale=q.lang, zone=zone, now=now)
    return await export.download(rows, file_format=q.format, locale=q.lang,
                                 stamp=now.astimezone(zone).strftime("%Y%m%d-%H%M"))


async def get_ticket(call: Call) -> s.TicketDetail:
    return await _detail(call, call.path["code"])


async def create_ticket(call: Call) -> s.TicketDetail:
    body: s.TicketCreate = call.body
    understood = call.hub.understander.understand(body.text, now=call.hub.clock.now())
    async with call.writing() as services:
        customer = await services.customers.by_phone(phone=body.customer.phone, name=body.customer.name)
        kind = body.type or (TicketType.INQUIRY if understood.type == TicketType.OTHER.value
                             else TicketType(understood.type))
        filed = await services.intake.file(Report(
            customer_id=customer.id, actor=call.principal.actor, channel=PHONE,
            conversation=f"{PHONE}:{customer.phone}", text=body.text, type=kind,
            priority=body.priority or Priority(understood.priority), sentiment=understood.sentiment,
            entities=entity_lists(understood), inbox_id=None), join=None)
        if filed.dispatch is not None:
            call.send(*await notices.offers(_errand(services), filed.ticket, filed.dispatch))
    return await _detail(call, filed.ticket.code)


async def add_note(call: Call) -> s.Note:
    """A note for staff only: it goes on the audit log, never to the customer."""
    body: s.NoteCreate = call.body
    async with call.writing() as services:
        ticket = await _ticket(services, call.path["code"])
        await services.tickets.record(ticket, call.principal.actor, NOTE, {}, {"text": body.text})
    return s.Note(ticket=ticket.code, event=s.Event(at=call.hub.clock.now(), actor=call.principal.actor, kind=NOTE,
                                                    data={"text": body.text}))


async def update_ticket(call: Call) -> s.TicketDetail:
    body: s.TicketPatch = call.body
    actor = call.principal.actor
    async with call.writing() as services:
        ticket = await _ticket(services, call.path["code"])
        errand = _errand(services)
        try:
            ticket = await services.tickets.change(ticket, actor=actor, type=body.type, priority=body.priority)
            if "assignee" in body.model_fields_set:
                ticket = await _reassign(call, services, errand, ticket, body.assignee)
            if body.status is not None and body.status.value != ticket.status:
                ticket = await services.tickets.transition(ticket, body.status, actor=actor, note=body.note)
                if ticket.status == Status.RESOLVED.value:
                    call.send(*await _ask_customer(services, errand, ticket, note=body.note or ""))
        except IllegalTransition as exc:
            raise conflict("illegal_transition", str(exc)) from None
    return await _detail(call, ticket.code)


async def _ask_customer(services: Services, errand: Origin, ticket: TicketView, *, note: str) -> list[Outbound]:
    """A ticket resolved from the console closes the loop as a technician's 完工 does: the customer is asked
    whether it is fixed, and the survey follows their answer (or the reopen window's end). The job's technician is
    named when it had one."""
    assignee = await services.people.staff_member(ticket.assignee_id) if ticket.assignee_id is not None else None
    return await ask_confirmation(errand, ticket, note=note, technician=assignee.name if assignee else "")


async def _reassign(call: Call, services: Services, errand: Origin, ticket: TicketView,
                    staff_id: int | None) -> TicketView:
    """The new assignee gets the job like a dispatch; the one who had it is told it is gone."""
    previous = ticket.assignee_id
    try:
        ticket = await services.dispatch.reassign(ticket, staff_id, actor=call.principal.actor)
    except LookupError:
        raise bad_request("assignee", f"no staff member {staff_id}") from None
    contacts = await services.people.contacts_of([i for i in (previous, staff_id) if i is not None])
    if staff_id is not None and staff_id != previous and staff_id in contacts:
        call.send(*await notices.offers(errand, ticket, Dispatch(assignee=contacts[staff_id])))
    if previous is not None and previous != staff_id and previous in contacts:
        call.send(notices.to_staff(errand, contacts[previous], "job_withdrawn", f"withdrawn:{previous}",
                                   ticket=errand.ticket_card(ticket)))
    return ticket


async def reply(call: Call) -> s.Reply:
    body: s.ReplyCreate = call.body
    async with call.writing() as services:
        ticket = await _ticket(services, call.path["code"])
        actor, name, desk = await _writer(call, services, body.staff)
        sent = await answer(_errand(services), ticket, actor=actor, name=name, text=body.text, inbox_id=None,
                            desk=desk)
        if sent is None:
            raise conflict("unreachable", f"the customer of {ticket.code} cannot be reached on any channel")
        call.send(sent)
    said = MessageView(at=call.hub.clock.now(), author=actor, text=body.text)
    return s.Reply(ticket=ticket.code, message=message(said))


async def take_over(call: Call) -> s.HandoverState:
    body: s.TakeOver = call.body
    async with call.writing() as services:
        ticket = await _ticket(services, call.path["code"])
        actor, name, desk = await _writer(call, services, body.staff)
        errand = _errand(services)
        taken = await services.handovers.take(ticket, staff_id=body.staff, desk=desk, actor=actor)
        if taken is None:
            raise conflict("unreachable", f"the customer of {ticket.code} cannot be reached on any channel")
        customer = await services.handovers.customer_of(ticket)
        if customer is not None:
            call.send(errand.send_to(channel=customer.channel, account="", recipient=customer.address,
                                     conversation=customer.conversation, template="handover_joined",
                                     locale=customer.locale, key="joined", ticket=errand.ticket_card(ticket),
                                     staff=name))
    return s.HandoverState(ticket=ticket.code, handover=handover(taken))


async def release(call: Call) -> s.HandoverState:
    async with call.writing() as services:
        ticket = await _ticket(services, call.path["code"])
        told = await give_back(_errand(services), ticket, actor=call.principal.actor)
        if told is None:
            raise conflict("no_handover", f"{ticket.code} is not with a person")
        call.send(*told)
    return s.HandoverState(ticket=ticket.code, handover=None)


async def _writer(call: Call, services: Services, staff_id: int | None) -> tuple[str, str, Desk | None]:
    """Who writes to the customer: a named staff member (actor, name, and their own channel, where the customer's
    answers reach them too), else the API token."""
    if staff_id is None:
        return call.principal.actor, "", None
    member = await services.staff.get(staff_id)
    if member is None:
        raise bad_request("staff", f"no staff member {staff_id}")
    contact = (await services.people.contacts_of([staff_id])).get(staff_id)
    desk = Desk(channel=contact.channel, address=contact.address, thread=contact.address) if contact else None
    return f"{member.role}:{member.id}", member.name, desk


OPERATIONS = (
    Operation(method="GET", path="/tickets", summary="The ticket queue, newest first, with filters", tag="tickets",
              role="agent", handler=list_tickets, query=s.TicketQuery, response=s.TicketPage, errors=(400,)),
    Operation(method="GET", path="/tickets/counts", summary="How many tickets each queue of the console holds now",
              tag="tickets", role="agent", handler=queue_counts, response=s.QueueCounts),
    Operation(method="GET", path="/tickets/export", summary="The filtered ticket list as an Excel workbook or a CSV "
              f"file (UTF-8 with a BOM), Chinese headers unless `lang=en`; at most {EXPORT_LIMIT} tickets",
              tag="tickets", role="agent", handler=export_tickets, query=s.ExportQuery, response=None,
              downloads=(export.XLSX, export.CSV), errors=(400,)),
    Operation(method="POST", path="/tickets", summary="Open a ticket phoned in (the customer found or created by "
              "phone)", tag="tickets", role="agent", handler=create_ticket, body=s.TicketCreate,
              response=s.TicketDetail, status=201, errors=(400, 413)),
    Operation(method="GET", path="/tickets/{code}", summary="One ticket: customer, conversation, audit log",
              tag="tickets", role="agent", handler=get_ticket, response=s.TicketDetail, errors=(404,)),
    Operation(method="GET", path="/tickets/{code}/attachments/{attachment_id}", summary="A photo, voice note, "
              "video or file the ticket's messages carried, as stored (photos without their EXIF)", tag="tickets",
              role="agent", handler=get_attachment, response=None, downloads=("*/*",), int_params=("attachment_id",),
              errors=(404, 503)),
    Operation(method="GET", path="/tickets/{code}/attachments/{attachment_id}/thumbnail", summary="A picture's "
              "thumbnail (JPEG, at most 320 pixels a side)", tag="tickets", role="agent", handler=get_thumbnail,
              response=None, downloads=("image/jpeg",), int_params=("attachment_id",), errors=(404, 503)),
    Operation(method="PATCH", path="/tickets/{code}", summary="Change status, priority, type or assignee (through "
              "the state machine)", tag="tickets", role="agent", handler=update_ticket, body=s.TicketPatch,
              response=s.TicketDetail, errors=(400, 404, 409, 413)),
    Operation(method="POST", path="/tickets/{code}/replies", summary="Answer the customer in the channel they "
              "wrote from", tag="tickets", role="agent", handler=reply, body=s.ReplyCreate, response=s.Reply,
              status=201, errors=(400, 404, 409, 413)),
    Operation(method="POST", path="/tickets/{code}/notes", summary="A note for staff on the audit log (the customer "
              "never sees it)", tag="tickets", role="agent", handler=add_note, body=s.NoteCreate, response=s.Note,
              status=201, errors=(400, 404, 413)),
    Operation(method="POST", path="/tickets/{code}/handover", summary="A person takes the conversation from the bot",
              tag="tickets", role="agent", handler=take_over, body=s.TakeOver, response=s.HandoverState,
              errors=(400, 404, 409, 413)),
    Operation(method="DELETE", path="/tickets/{code}/handover", summary="Hand the conversation back to the bot",
              tag="tickets", role="agent", handler=release, response=s.HandoverState, errors=(404, 409)),
)
