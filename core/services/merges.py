"""Merging two customer records into one person (a verified phone or email, or staff who know it is the same
person): identities, devices, tickets, surveys, knowledge answers and media move to the customer kept; the merge is on the
audit log with exactly what moved, so staff can undo it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.services.devices import DeviceService
from core.services.tickets import TicketService
from core.storage.models import (Customer, CustomerMerge, Device, Identity, KbAnswer, MediaAttachment, Survey, Ticket,
                                 TicketEvent)

MOVED_WITH_CUSTOMER: dict[str, Any] = {"identities": Identity, "devices": Device, "tickets": Ticket,
                                       "surveys": Survey, "kb_answers": KbAnswer, "attachments": MediaAttachment}
"""The rows that belong to a customer, by the name the audit log gives them."""


class MergeRefused(ValueError):
    """A merge or undo that would lose or confuse records (a customer with themself, one merged already)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeView:
    id: int
    source_id: int
    target_id: int
    actor: str
    reason: str
    moved: dict[str, list[int]]
    at: datetime
    undone_at: datetime | None
    undone_by: str


class MergeService:
    def __init__(self, *, session: AsyncSession, clock: Clock, tickets: TicketService, devices: DeviceService) -> None:
        """`tickets` and `devices` are told when tickets or devices change hands, since the statements moving them
        bypass what they hold."""
        self._session = session
        self._clock = clock
        self._tickets = tickets
        self._devices = devices

    async def merge(self, *, source_id: int, target_id: int, actor: str, reason: str) -> MergeView:
        """Move everything of `source_id` to `target_id`; the source stays as a record pointing at the target."""
        if source_id == target_id:
            raise MergeRefused(f"customer {source_id} cannot be merged with themself")
        source, target = await self._customer(source_id), await self._customer(target_id)
        for row in (source, target):
            if row.merged_into_id is not None:
                raise MergeRefused(f"customer {row.id} was merged into customer {row.merged_into_id} already")
        now = self._clock.now()
        moved: dict[str, Any] = {}
        for name, model in MOVED_WITH_CUSTOMER.items():
            ids = list(await self._session.scalars(select(model.id).where(model.customer_id == source_id)
                                                   .order_by(model.id)))
            moved[name] = ids
            await self._move(model, ids, target_id)
        if not target.phone and source.phone:
            moved["phone"] = {"phone": source.phone, "source": source.phone_source}
            target.phone, target.phone_source = source.phone, source.phone_source
        if not target.name and source.name:
            target.name = source.name
            moved["name"] = source.name
        source.merged_into_id = target_id
        await self._note_tickets(moved["tickets"], actor, "customer_merged", source_id, target_id, now)
        row = CustomerMerge(source_id=source_id, target_id=target_id, actor=actor, reason=reason, moved=moved, at=now)
        self._session.add(row)
        await self._session.flush()
        return merge_view(row)

    async def undo(self, merge_id: int, *, actor: str) -> MergeView:
        """Move back exactly what the merge moved (rows that were moved on since stay where they are)."""
        row = await self._session.get(CustomerMerge, merge_id)
        if row is None:
            raise LookupError(f"merge {merge_id}")
        if row.undone_at is not None:
            raise MergeRefused(f"merge {merge_id} was undone already ({row.undone_by})")
        source, target = await self._customer(row.source_id), await self._customer(row.target_id)
        if target.merged_into_id is not None:
            raise MergeRefused(f"customer {target.id} was merged into customer {target.merged_into_id} since: "
                               "undo that merge first")
        now = self._clock.now()
        for name, model in MOVED_WITH_CUSTOMER.items():
            await self._move(model, row.moved.get(name, []), source.id, only_from=target.id)
        phone = row.moved.get("phone")
        if phone and target.phone == phone["phone"]:
            target.phone, target.phone_source = "", ""
        if row.moved.get("name") and target.name == row.moved["name"]:
            target.name = ""
        source.merged_into_id = None
        await self._note_tickets(row.moved.get("tickets", []), actor, "customer_unmerged", target.id, source.id, now)
        row.undone_at, row.undone_by = now, actor
        await self._session.flush()
        return merge_view(row)

    async def of_customer(self, customer_id: int) -> list[MergeView]:
        """The merges this customer took part in, oldest first."""
        rows = await self._session.scalars(select(CustomerMerge).where(
            (CustomerMerge.source_id == customer_id) | (CustomerMerge.target_id == customer_id))
            .order_by(CustomerMerge.id))
        return [merge_view(r) for r in rows]

    async def _customer(self, customer_id: int) -> Customer:
        row = await self._session.get(Customer, customer_id)
        if row is None:
            raise LookupError(f"customer {customer_id}")
        return row

    async def _move(self, model: Any, ids: list[int], to: int, *, only_from: int | None = None) -> None:
        if not ids:
            return
        query = update(model).where(model.id.in_(ids))
        if only_from is not None:
            query = query.where(model.customer_id == only_from)
        await self._session.execute(query.values(customer_id=to))
        if model is Ticket:
            self._tickets.customers_moved()
        if model is Device:
            self._devices.customers_moved()

    async def _note_tickets(self, ticket_ids: list[int], actor: str, action: str, before: int, after: int,
                      now: datetime) -> None:
        """Each moved ticket's audit log says whose it was and whose it is."""
        if ticket_ids:
            await self._session.execute(insert(TicketEvent), [
                {"ticket_id": t, "actor": actor, "action": action, "before": {"customer_id": before},
                 "after": {"customer_id": after}, "at": now} for t in ticket_ids])


def merge_view(row: CustomerMerge) -> MergeView:
    return MergeView(id=row.id, source_id=row.source_id, target_id=row.target_id, actor=row.actor,
                     reason=row.reason, moved={k: v for k, v in row.moved.items() if isinstance(v, list)},
                     at=row.at, undone_at=row.undone_at, undone_by=row.undone_by)
