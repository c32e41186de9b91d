"""Scheduling work for later, in the transaction that decides it: a survey after closure, an SLA warning, an offer
that times out. Each timer has a key; a key fires once ever (scheduling a key again moves a pending timer and
leaves a fired one alone), which is what makes an alert "sent once, ever" across restarts and processes.

A timer can also be held: it waits without a due time (an SLA clock paused while the customer is asked something)
until its key is scheduled again. A cancelled timer stays cancelled."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import ColumnElement, Table, event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.clock import Clock
from core.storage.models import Timer, TimerStatus
from core.storage.upsert import upserting

_WAITING = (TimerStatus.PENDING, TimerStatus.HELD)


class TimerService:
    def __init__(self, *, session: AsyncSession, clock: Clock,
                 wake: Callable[[datetime], None] | None = None) -> None:
        """`wake` tells the timer worker, once this transaction has committed, the earliest due time it scheduled
        (which may be before what the worker waits for)."""
        self._session = session
        self._clock = clock
        self._wake = wake
        self._earliest: datetime | None = None
        """The earliest due time scheduled since the last commit; None when nothing was."""
        self._queued: list[dict[str, Any]] = []
        """Timers scheduled and not written yet: one statement for a whole transaction's (a batch of new tickets
        starts a few SLA timers each), just before it commits or before a statement that must see them."""
        self._written: set[str] = set()
        """Keys of the timers this transaction has written so far."""
        event.listen(session.sync_session, "before_commit", self._write)

    async def schedule(self, kind: str, key: str, due_at: datetime, payload: Mapping[str, Any] | None = None) -> None:
        """Fire job `kind` at `due_at` with `payload`; a pending or held timer of the same key is moved instead."""
        await self.schedule_many(kind, [(key, due_at, payload or {})])

    async def schedule_many(self, kind: str, timers: Sequence[tuple[str, datetime, Mapping[str, Any]]]) -> None:
        """`schedule` for several (key, due_at, payload) at once; written in order with the transaction's others."""
        if not timers:
            return
        now = self._clock.now()
        self._queued.extend({"kind": kind, "key": key, "due_at": due_at, "payload": dict(payload),
                             "status": TimerStatus.PENDING, "attempts": 0, "last_error": "", "created_at": now}
                            for key, due_at, payload in timers)
        if self._wake is None:
            return
        earliest = min(due_at for _, due_at, _ in timers)
        if self._earliest is None:
            event.listen(self._session.sync_session, "after_commit", self._woken, once=True)
            self._earliest = earliest
        else:
            self._earliest = min(self._earliest, earliest)

    def _woken(self, _session: object) -> None:
        earliest, self._earliest = self._earliest, None
        if self._wake is not None and earliest is not None:
            self._wake(earliest)

    async def cancel(self, key: str) -> None:
        """Drop a waiting timer (nothing happens if it already fired or never existed)."""
        await self._set(Timer.key == key, TimerStatus.CANCELLED)

    async def cancel_prefix(self, prefix: str, *, new: bool = False) -> None:
        """Drop every waiting timer whose key starts with `prefix` (e.g. all of a ticket's SLA timers). `new`: no
        such timer existed before this transaction (they are a ticket's it opened), so while none of them has been
        written yet the queued ones are written cancelled, without a statement of their own."""
        if new and not any(key.startswith(prefix) for key in self._written):
            for row in self._queued:
                if row["key"].startswith(prefix):
                    row["status"] = TimerStatus.CANCELLED
            return
        await self._set(_starting(prefix), TimerStatus.CANCELLED)

    async def standing(self, keys: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """The status and payload of each of these timers that exists (this transaction's included)."""
        if self._queued:
            await self._session.run_sync(self._write)
        rows = await self._session.execute(select(Timer.key, Timer.status, Timer.payload).where(Timer.key.in_(keys)))
        return {key: (status, dict(payload)) for key, status, payload in rows}

    async def hold_prefix(self, prefix: str) -> None:
        """Hold every pending timer whose key starts with `prefix` until its key is scheduled again."""
        await self._set(_starting(prefix), TimerStatus.HELD)

    def _write(self, session: Session) -> None:
        if self._queued:
            rows, self._queued = self._queued, []
            self._written.update(row["key"] for row in rows)
            session.execute(upserting(session, Timer, index=["key"], update=["kind", "due_at", "payload", "status"],
                                      only_if=_still_waiting), rows)

    async def _set(self, which: Any, status: TimerStatus) -> None:
        if self._queued:
            await self._session.run_sync(self._write)
        await self._session.execute(update(Timer).where(which, Timer.status.in_(_WAITING)).values(status=status)
                                    .execution_options(synchronize_session=False))


def _still_waiting(table: Table) -> ColumnElement[bool]:
    """A timer that has not fired nor been cancelled: scheduling its key again moves it."""
    return or_(*(table.c.status == status for status in _WAITING))


def _starting(prefix: str) -> Any:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Timer.key.like(escaped + "%", escape="\\")
