"""Core snapshots → API answers, in one place, so a ticket looks the same in a list, a customer's page and its own
page."""
from __future__ import annotations

from datetime import date, datetime

from core.clock import CHINA_TZ
from core.domain.devices import DeviceView
from core.domain.jobsheet import LABOUR, PARTS, JobSheet
from core.domain.people import StaffView
from core.domain.sla import FIRST_RESPONSE, RESOLUTION
from core.domain.tickets import TRANSITIONS, MessageView, Status, TicketView
from core.domain.money import yuan
from core.services.costs import Costs
from core.services.customers import CustomerView
from core.services.devices import Nameplate
from core.services.handover import HandoverView
from core.services.media import AttachmentView
from core.services.merges import MergeView
from core.services.ticket_queries import TicketRecord

from bot.api import schemas as s


def ticket_summary(t: TicketView, now: datetime) -> s.TicketSummary:
    return s.TicketSummary(id=t.code, type=t.type, priority=t.priority, status=t.status, channel=t.channel,
                           subject=t.summary, customer_id=t.customer_id, assignee_id=t.assignee_id,
                           created_at=t.created_at, updated_at=t.updated_at, first_response_at=t.first_response_at,
                           resolved_at=t.resolved_at, sla=sla(t, now))


def message(m: MessageView) -> s.Message:
    return s.Message(at=m.at, direction="in" if m.inbound else "out", author=m.author, text=m.text)


def handover(h: HandoverView | None) -> s.Handover | None:
    if h is None:
        return None
    holder = s.StaffRef(id=h.holder_id, name=h.holder_name) if h.holder_id is not None else None
    return s.Handover(state=h.state, reason=h.reason, requested_at=h.requested_at, holder=holder,
                      holder_channel=h.holder.channel if h.holder is not None else None, taken_at=h.taken_at,
                      expires_at=h.expires_at)


def sla(t: TicketView, now: datetime) -> s.Sla | None:
    """Each target of the ticket's policy: when it falls due and where it stands (as of now, or when it was met
    or the clock stopped)."""
    targets = {target: s.SlaTarget(due_at=deadline.due_at, state=t.sla_state(target, now))
               for target, deadline in t.deadlines.items()}
    if not targets:
        return None
    return s.Sla(first_response=targets.get(FIRST_RESPONSE), resolution=targets.get(RESOLUTION))


def ticket_detail(r: TicketRecord, sheet: JobSheet, now: datetime) -> s.TicketDetail:
    t = r.ticket
    return s.TicketDetail(
        id=t.code, type=t.type, priority=t.priority, status=t.status, channel=t.channel, subject=t.summary,
        customer=s.CustomerRef(id=r.customer.id, name=r.customer.name, phone=r.customer.phone),
        assignee=s.StaffRef(id=r.assignee[0], name=r.assignee[1]) if r.assignee else None,
        entities={k: list(v) for k, v in t.entities.items()}, created_at=t.created_at, updated_at=t.updated_at,
        first_response_at=t.first_response_at, resolved_at=t.resolved_at, handover=handover(r.handover),
        sla=sla(t, now), csat=r.survey.csat if r.survey else None, nps=r.survey.nps if r.survey else None,
        device=s.Device(serial=r.device.serial, model=r.device.model,
                        warranty=r.device.warranty(today(now)).value) if r.device else None,
        next_statuses=sorted(TRANSITIONS[Status(t.status)], key=list(Status).index),
        messages=[message(m) for m in r.messages],
        attachments=[attachment(t.code, a) for a in r.attachments],
        events=[s.Event(at=e.at, actor=e.actor, kind=e.kind, data=dict(e.data)) for e in r.events],
        job_sheet=job_sheet(sheet))


def job_sheet(j: JobSheet) -> s.JobSheetOut:
    return s.JobSheetOut(
        lines=[s.JobSheetLine(kind=x.kind, item=x.item, name=x.name, quantity=str(x.quantity),
                              unit_price=money(x.unit_cents), amount=money(x.amount_cents)) for x in j.lines],
        total=yuan(j.total_cents), parts=yuan(j.cost_of(PARTS)), labour=yuan(j.cost_of(LABOUR)),
        charged=yuan(j.charged_cents), free=j.free, warranty=j.warranty, warranty_as_of=j.as_of,
        device=j.serial or None, warranty_end=j.warranty_end, unpriced=j.unpriced)


def attachment(code: str, a: AttachmentView) -> s.AttachmentOut:
    """An attachment with the addresses of its bytes under its ticket (served to staff only, never guessable
    without the ticket: bot.api.tickets)."""
    base = f"/api/v1/tickets/{code}/attachments/{a.id}"
    stored = a.status == "stored"
    place = a.details if "latitude" in a.details else None
    return s.AttachmentOut(
        id=a.id, type=a.kind, name=a.name, content_type=a.content_type, size=a.size, status=a.status,
        url=base if stored else None, thumbnail_url=f"{base}/thumbnail" if stored and a.thumbnail_sha256 else None,
        note=a.note, created_at=a.created_at,
        location=s.Location(latitude=place["latitude"], longitude=place["longitude"], label=place.get("label", ""))
        if place else None)


def nameplate_photo(n: Nameplate) -> s.Nameplate:
    shown = attachment(n.ticket_code, n.photo)
    return s.Nameplate(ticket=n.ticket_code, attachment=shown.id, url=shown.url, thumbnail_url=shown.thumbnail_url)


def customer(c: CustomerView) -> s.Customer:
    return s.Customer(id=c.id, name=c.name, phone=c.phone, phone_verified=c.phone_verified,
                      merged_into=c.merged_into, locale=c.locale, created_at=c.created_at)


def today(now: datetime) -> date:
    """The day warranty is judged by: today in China."""
    return now.astimezone(CHINA_TZ).date()


def device(d: DeviceView, now: datetime) -> s.DeviceOut:
    return s.DeviceOut(serial=d.serial, model=d.model, warranty=d.warranty(today(now)).value, product=d.product,
                       address=d.address, purchase_date=d.purchase_date, warranty_months=d.warranty_months,
                       warranty_end=d.warranty_end, source=d.source)


def merge(m: MergeView) -> s.Merge:
    return s.Merge(id=m.id, source_id=m.source_id, target_id=m.target_id, actor=m.actor, reason=m.reason,
                   moved=m.moved, at=m.at, undone_at=m.undone_at, undone_by=m.undone_by)


def staff_member(m: StaffView) -> s.StaffMember:
    return s.StaffMember(id=m.id, name=m.name, role=m.role, skills=list(m.skills), regions=list(m.regions),
                         capacity=m.capacity, daily_capacity=m.daily_capacity, leave=list(m.leave),
                         working_hours=list(m.working_hours),
                         on_duty=m.on_duty, locale=m.locale, identities=dict(m.identities),
                         created_at=m.created_at)


def money(cents: int | None) -> str | None:
    return None if cents is None else yuan(cents)


def service_cost(c: Costs) -> s.ServiceCost:
    return s.ServiceCost(total=yuan(c.total_cents), by_kind={k: yuan(v) for k, v in c.by_kind.items()},
                         unpriced=c.unpriced,
                         lines=[s.CostLineOut(ticket=x.ticket, kind=x.kind, item=x.item, name=x.name,
                                              quantity=x.quantity, unit_price=money(x.unit_cents),
                                              amount=money(x.amount_cents), at=x.at, device=x.device)
                                for x in c.lines])
