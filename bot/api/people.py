"""`/customers` (one person across channels, with devices, tickets and survey answers; staff bind a channel account
to a customer, merge two records and undo a merge) and `/staff` (the directory the console and `aftersales staff
import` maintain)."""
from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from bot.api import schemas as s
from bot.api.errors import ApiError, bad_request, conflict, not_found
from bot.api.operations import Call, Operation
from bot.api.views import customer, device, merge, service_cost, staff_member, ticket_summary
from core.domain.people import StaffConflict, StaffSpec, StaffView
from core.services.customers import CustomerView, IdentityTaken
from core.services.merges import MergeRefused
from core.services.people import identity_key

T = TypeVar("T", CustomerView, StaffView)


async def list_customers(call: Call) -> s.CustomerPage:
    q: s.CustomerQuery = call.query
    async with call.reading() as services:
        found = await services.customers.search(phone=q.phone, q=q.q, after=s.page_after(q), limit=q.limit + 1)
    items, last = _page(found, q.limit)
    return s.CustomerPage(items=[customer(c) for c in items], next=s.encode_cursor(last))


async def get_customer(call: Call) -> s.CustomerDetail:
    customer_id = int(call.path["id"])
    async with call.reading() as services:
        record = await services.customers.record(customer_id)
        devices = await services.devices.of_customer(customer_id) if record else []
        merges = await services.merges.of_customer(customer_id) if record else []
        costs = await services.costs.of_customer(customer_id)
    if record is None:
        raise not_found(f"customer {customer_id}")
    now = call.hub.clock.now()
    return s.CustomerDetail(
        **customer(record.customer).model_dump(),
        identities=[s.IdentityOut(channel=i.channel, external_id=i.external_id, display_name=i.display_name)
                    for i in record.identities],
        devices=[device(d, now) for d in devices], tickets=[ticket_summary(t, now) for t in record.tickets],
        scores=[s.Score(ticket=x.ticket, csat=x.csat, nps=x.nps, comment=x.comment, answered_at=x.answered_at)
                for x in record.scores],
        merges=[merge(m) for m in merges], service_cost=service_cost(costs))


async def bind_identity(call: Call) -> s.IdentityOut:
    """Staff know this channel account is this customer's: it becomes one of their identities."""
    body: s.IdentityCreate = call.body
    customer_id = int(call.path["id"])
    async with call.writing() as services:
        if await services.customers.record(customer_id) is None:
            raise not_found(f"customer {customer_id}")
        try:
            bound = await services.customers.bind(customer_id, channel=body.channel,
                                                  external_id=identity_key(body.channel, body.external_id))
        except IdentityTaken as exc:
            raise conflict("identity_taken", f"{exc}; merge the two customers instead") from None
    return s.IdentityOut(channel=bound.channel, external_id=bound.external_id, display_name=bound.display_name)


async def merge_customers(call: Call) -> s.Merge:
    body: s.MergeCreate = call.body
    target = int(call.path["id"])
    async with call.writing() as services:
        try:
            done = await services.merges.merge(source_id=body.source, target_id=target, actor=call.principal.actor,
                                               reason=body.reason)
        except LookupError as exc:
            raise not_found(str(exc)) from None
        except MergeRefused as exc:
            if body.source == target:
                raise bad_request("source", str(exc)) from None
            raise conflict("merge_refused", str(exc)) from None
    return merge(done)


async def undo_merge(call: Call) -> s.Merge:
    async with call.writing() as services:
        try:
            done = await services.merges.undo(int(call.path["id"]), actor=call.principal.actor)
        except LookupError as exc:
            raise not_found(str(exc)) from None
        except MergeRefused as exc:
            raise conflict("merge_refused", str(exc)) from None
    return merge(done)


async def list_staff(call: Call) -> s.StaffPage:
    q: s.StaffQuery = call.query
    async with call.reading() as services:
        found = await services.staff.list(role=q.role, on_duty=q.on_duty, after=s.page_after(q), limit=q.limit + 1)
    items, last = _page(found, q.limit)
    return s.StaffPage(items=[staff_member(m) for m in items], next=s.encode_cursor(last))


async def get_staff(call: Call) -> s.StaffMember:
    async with call.reading() as services:
        member = await services.staff.get(int(call.path["id"]))
    if member is None:
        raise not_found(f"staff member {call.path['id']}")
    return staff_member(member)


async def create_staff(call: Call) -> s.StaffMember:
    spec = _spec(call.body)
    async with call.writing() as services:
        try:
            member = await services.staff.create(spec)
        except StaffConflict as exc:
            raise conflict("staff_conflict", str(exc)) from None
    return staff_member(member)


async def update_staff(call: Call) -> s.StaffMember:
    spec = _spec(call.body)
    async with call.writing() as services:
        try:
            member = await services.staff.update(int(call.path["id"]), spec)
        except StaffConflict as exc:
            raise conflict("staff_conflict", str(exc)) from None
    if member is None:
        raise not_found(f"staff member {call.path['id']}")
    return staff_member(member)


def _page(found: list[T], limit: int) -> tuple[list[T], int | None]:
    """The first `limit` of `limit + 1` rows fetched, and the id to continue after when there were more."""
    items = found[:limit]
    return items, items[-1].id if len(found) > limit else None


def _spec(body: BaseModel) -> StaffSpec:
    given = body.model_dump(exclude_unset=True)
    for key in ("skills", "regions", "leave", "working_hours"):
        if given.get(key) is not None:
            given[key] = tuple(given[key])
    try:
        return StaffSpec(**given)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise ApiError(400, "bad_request", f"{field}: {message}") from None


OPERATIONS = (
    Operation(method="GET", path="/customers", summary="Customers by phone or name, newest first", tag="customers",
              role="agent", handler=list_customers, query=s.CustomerQuery, response=s.CustomerPage, errors=(400,)),
    Operation(method="GET", path="/customers/{id}", summary="One customer: identities on every channel, devices, "
              "tickets, survey answers, merges and total service cost", tag="customers", role="agent", handler=get_customer, response=s.CustomerDetail,
              errors=(404,), int_params=("id",)),
    Operation(method="POST", path="/customers/{id}/identities", summary="Bind a channel account to the customer "
              "(staff know it is theirs)", tag="customers", role="agent", handler=bind_identity,
              body=s.IdentityCreate, response=s.IdentityOut, status=201, errors=(400, 404, 409, 413),
              int_params=("id",)),
    Operation(method="POST", path="/customers/{id}/merges", summary="Merge another customer into this one: their "
              "identities, devices, tickets and surveys move here; on the audit log, can be undone", tag="customers",
              role="supervisor", handler=merge_customers, body=s.MergeCreate, response=s.Merge, status=201,
              errors=(400, 404, 409, 413), int_params=("id",)),
    Operation(method="POST", path="/merges/{id}/undo", summary="Undo a merge: what it moved goes back",
              tag="customers", role="supervisor", handler=undo_merge, response=s.Merge, errors=(404, 409),
              int_params=("id",)),
    Operation(method="GET", path="/staff", summary="The staff directory", tag="staff", role="agent",
              handler=list_staff, query=s.StaffQuery, response=s.StaffPage, errors=(400,)),
    Operation(method="POST", path="/staff", summary="Add a staff member", tag="staff", role="admin",
              handler=create_staff, body=s.StaffCreate, response=s.StaffMember, status=201,
              errors=(400, 409, 413)),
    Operation(method="GET", path="/staff/{id}", summary="One staff member", tag="staff", role="agent",
              handler=get_staff, response=s.StaffMember, errors=(404,), int_params=("id",)),
    Operation(method="PATCH", path="/staff/{id}", summary="Change a staff member (skills, regions, capacity, role, "
              "duty, identities)", tag="staff", role="supervisor", handler=update_staff, body=s.StaffPatch,
              response=s.StaffMember, errors=(400, 404, 409, 413), int_params=("id",)),
)
