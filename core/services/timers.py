"""Scheduling work for later, in the transaction that decides it: a survey after closure, an SLA warning, an offer
that times out. Each timer has a key; a key fires once ever (scheduling a key again moves a pending timer and
leaves a fired one alone), which is what makes an alert "sent once, ever" across restarts and processes."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.storage.models import Timer, TimerStatus
from core.storage.upsert import upserting


class TimerService:
    def __init__(self, *, session: AsyncSession, clock: Clock, wake: Callable[[], None] | None = None) -> None:
        """`wake` tells the timer worker, once this transaction has committed, that it scheduled something (which
        may be due before what the worker waits for)."""
        self._session = session
        self._clock = clock
        self._wake = wake
        self._wake_pending = False

    async def schedule(self, kind: str, key: str, due_at: datetime, payload: Mapping[str, Any] | None = None) -> None:
        """Fire job `kind` at `due_at` with `payload`; a pending timer of the same key is moved instead."""
        row = {"kind": kind, "key": key, "due_at": due_at, "payload": dict(payload or {}),
               "status": TimerStatus.PENDING, "attempts": 0, "last_error": "", "created_at": self._clock.now()}
        statement = upserting(self._session, Timer, index=["key"], update=["kind", "due_at", "payload"],
                              only_if=Timer.status == TimerStatus.PENDING)
        await self._session.execute(statement, [row])
        if self._wake is not None and not self._wake_pending:
            self._wake_pending = True
            event.listen(self._session.sync_session, "after_commit", self._woken, once=True)

    def _woken(self, _session: object) -> None:
        self._wake_pending = False
        if self._wake is not None:
            self._wake()

    async def cancel(self, key: str) -> None:
        """Drop a pending timer (nothing happens if it already fired or never existed)."""
        await self._session.execute(update(Timer).where(Timer.key == key, Timer.status == TimerStatus.PENDING)
                                    .values(status=TimerStatus.CANCELLED).execution_options(synchronize_session=False))

    async def cancel_prefix(self, prefix: str) -> None:
        """Drop every pending timer whose key starts with `prefix` (e.g. all of a ticket's SLA timers)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        await self._session.execute(update(Timer).where(Timer.key.like(escaped + "%", escape="\\"),
                                                        Timer.status == TimerStatus.PENDING)
                                    .values(status=TimerStatus.CANCELLED).execution_options(synchronize_session=False))
