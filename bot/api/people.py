"""`/customers` (one person across channels, with devices and tickets) and `/staff` (the directory the console and
`aftersales staff import` maintain)."""
from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from bot.api import schemas as s
from bot.api.errors import ApiError, conflict, not_found
from bot.api.operations import Call, Operation
from bot.api.views import customer, staff_member, ticket_summary
from core.domain.people import StaffConflict, StaffSpec, StaffView
from core.services.customers import CustomerView

T = TypeVar("T", CustomerView, StaffView)


async def list_customers(call: Call) -> s.CustomerPage:
    q: s.CustomerQuery = call.query
    async with call.reading() as services:
        found = await services.customers.search(phone=q.phone, q=q.q, after=s.page_after(q), limit=q.limit + 1)
    items, last = _page(found, q.limit)
    return s.CustomerPage(items=[customer(c) for c in items], next=s.encode_cursor(last))


async def get_customer(call: Call) -> s.CustomerDetail:
    async with call.reading() as services:
        record = await services.customers.record(int(call.path["id"]))
    if record is None:
        raise not_found(f"customer {call.path['id']}")
    return s.CustomerDetail(
        **customer(record.customer).model_dump(),
        identities=[s.IdentityOut(channel=i.channel, external_id=i.external_id, display_name=i.display_name)
                    for i in record.identities],
        devices=[], tickets=[ticket_summary(t, call.hub.clock.now()) for t in record.tickets])


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
    for key in ("skills", "regions", "leave"):
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
              "tickets", tag="customers", role="agent", handler=get_customer, response=s.CustomerDetail,
              errors=(404,), int_params=("id",)),
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
