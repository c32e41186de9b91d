"""`/devices/{serial}` (the unit, its owner, warranty and service history) and `/tickets/{code}/device` (staff name
the device a job is about)."""
from __future__ import annotations

from bot.api import schemas as s
from bot.api.errors import bad_request, not_found
from bot.api.operations import Call, Operation
from bot.api.views import device, nameplate_photo, service_cost, ticket_summary
from bot.api.tickets import get_ticket
from core.domain.devices import RowError, normalize_serial
from core.services.media import AttachmentView
from core.services.unit import Services


async def get_device(call: Call) -> s.DeviceDetail:
    async with call.reading() as services:
        found = await services.devices.by_serial(call.path["serial"])
        if found is None:
            raise not_found(f"device {call.path['serial']}")
        history = await services.devices.history(found)
        nameplate = await services.devices.nameplate(found)
        costs = await services.costs.of_device(found)
        owners = await services.customers.names([found.customer_id] if found.customer_id else [])
    now = call.hub.clock.now()
    owner = owners.get(found.customer_id or 0)
    return s.DeviceDetail(**device(found, now).model_dump(),
                          customer=s.CustomerRef(id=owner.id, name=owner.name, phone=owner.phone) if owner else None,
                          nameplate=nameplate_photo(nameplate) if nameplate else None,
                          history=[ticket_summary(t, now) for t in history], service_cost=service_cost(costs))


async def attach_device(call: Call) -> s.TicketDetail:
    body: s.DeviceAttach = call.body
    try:
        serial = normalize_serial(body.serial)
    except RowError as exc:
        raise bad_request("serial", str(exc).partition(": ")[2]) from None
    code = call.path["code"]
    async with call.writing() as services:
        ticket = await services.tickets.get(code)
        if ticket is None:
            raise not_found(f"ticket {code}")
        photo = None if body.attachment is None else await _nameplate(services, code, body.attachment)
        linked = await services.devices.attach(ticket, serial, model=body.model, actor=call.principal.actor)
        if photo is not None:
            await services.devices.mark_nameplate(linked, photo.id, actor=call.principal.actor)
    return await get_ticket(call)


async def _nameplate(services: Services, code: str, number: int) -> AttachmentView:
    """The picture the serial was read off: stored, and of this very ticket."""
    photo = await services.media.find(code, number)
    if photo is None:
        raise not_found(f"attachment {number} of ticket {code}")
    if photo.kind != "image":
        raise bad_request("attachment", f"attachment {number} is a {photo.kind}, not a picture")
    if photo.status != "stored":
        raise bad_request("attachment", f"attachment {number} is not stored ({photo.status})")
    return photo


OPERATIONS = (
    Operation(method="GET", path="/devices/{serial}", summary="One device: owner, warranty (in/out/unknown), service "
              "history, parts replaced and what its service cost", tag="devices", role="agent", handler=get_device, response=s.DeviceDetail, errors=(404,)),
    Operation(method="POST", path="/tickets/{code}/device", summary="Name the device the ticket is about (recorded "
              "first when the serial is new), optionally with the ticket's picture its serial was read from", tag="devices", role="agent", handler=attach_device,
              body=s.DeviceAttach, response=s.TicketDetail, errors=(400, 404, 413)),
)
