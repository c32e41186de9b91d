"""Processing of committed inbox rows: identity → conversation state → understanding → handler → outbox.

Rows are handled several to a transaction (the fast path, a few milliseconds each); the inbox rows are marked done in
the same transaction as the tickets and outbox rows they cause, so a crash at any point re-delivers and the effect
still happens once. If a transaction fails, its rows are retried one by one so one bad message cannot hold up the
rest.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Callable, Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import Metrics
from bot.router import Router
from core.clock import Clock
from core.envelopes import Inbound
from core.outbox import enqueue
from core.services.conversations import IDLE, ConversationService
from core.services.dispatch import DispatchService
from core.services.people import PeopleService
from core.services.tickets import TicketService
from core.storage.models import InboxRow
from handlers.base import Context, Services
from nlp import Understander

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_PER_TRANSACTION = 256
TRANSACTION_BUDGET = 0.005
"""Seconds of work after which a processing transaction commits and lets the intake write."""
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def reply_locale(text: str, default: str) -> str:
    """Answer in the language the person wrote in: Chinese if any Chinese, English if only Latin letters."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return default


class Pipeline:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], understander: Understander, router: Router,
                 clock: Clock, metrics: Metrics, after_commit: Callable[[], None],
                 transaction_budget: float = TRANSACTION_BUDGET) -> None:
        self._sessions = sessions
        self._understander = understander
        self._router = router
        self._clock = clock
        self._metrics = metrics
        self._after_commit = after_commit
        self._transaction_budget = transaction_budget

    async def process(self, inbox_ids: Sequence[int]) -> None:
        """Handle rows in order, in transactions of about `transaction_budget` seconds each.

        Short transactions keep SQLite's single writer free for the intake (acknowledgements wait for it), and the
        pause between them lets the event loop serve sockets while a backlog is worked off."""
        remaining = sorted(inbox_ids)
        while remaining:
            taken: list[int] = []
            try:
                await self._process_some(remaining[:MAX_PER_TRANSACTION], taken)
            except Exception:  # noqa: BLE001 - isolate the failing message below
                log.exception("a transaction from inbox row %s failed; retrying its rows one by one", remaining[0])
                taken = taken or remaining[:MAX_PER_TRANSACTION]
                for inbox_id in taken:
                    await self._process_one(inbox_id)
            remaining = remaining[len(taken):]
            await asyncio.sleep(0)
        self._after_commit()

    async def _process_some(self, inbox_ids: Sequence[int], taken: list[int]) -> None:
        """One transaction over the first of `inbox_ids` until the budget is spent; `taken` gets the ids it tried."""
        deadline = time.perf_counter() + self._transaction_budget
        async with self._sessions() as session, session.begin():
            for inbox_id in inbox_ids:
                taken.append(inbox_id)
                await self._handle_pending(session, inbox_id)
                if time.perf_counter() >= deadline:
                    return

    async def _process_one(self, inbox_id: int) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await self._handle_pending(session, inbox_id)
        except Exception as exc:  # noqa: BLE001 - recorded on the row, visible to staff
            log.exception("inbox row %s failed", inbox_id)
            await self._record_failure(inbox_id, exc)

    async def _handle_pending(self, session: AsyncSession, inbox_id: int) -> None:
        """Handle the row unless it is gone or already handled (a re-delivery after a crash or a sweep)."""
        row = await session.get(InboxRow, inbox_id)
        if row is not None and row.status == "pending":
            await self._handle(session, row)

    async def _handle(self, session: AsyncSession, row: InboxRow) -> None:
        now = self._clock.now()
        inbound = Inbound.from_dict(row.payload)
        row.status, row.processed_at = "done", now
        services = Services(tickets=TicketService(session=session, clock=self._clock),
                            people=PeopleService(session=session, clock=self._clock),
                            conversations=ConversationService(session=session, clock=self._clock),
                            dispatch=DispatchService(session=session, clock=self._clock))
        person = await services.people.resolve(channel=inbound.channel, sender=inbound.sender,
                                               display_name=str(inbound.raw.get("from_name")
                                                                or inbound.raw.get("user_name") or ""))
        if inbound.raw.get("auto"):
            row.last_error = f"not answered: automatic message ({inbound.raw['auto']})"
            self._metrics.inbound.labels(inbound.channel, "auto").inc()
            return
        state = await services.conversations.load(channel=inbound.channel, conversation=inbound.conversation,
                                                  sender=inbound.sender)
        expecting = state.data.get("expecting") if state.state != IDLE else None
        understanding = self._understander.understand(inbound.text, now=inbound.sent_at, expecting=expecting)
        ctx = Context(inbound=inbound, inbox_id=row.id, understanding=understanding, person=person, state=state,
                      services=services, now=now, locale=reply_locale(inbound.text, person.locale))
        handler = self._router.choose(intent=understanding.intent, state=state.state)
        replies = await handler.handle(ctx)
        if replies:
            await enqueue(session, replies, now)
        self._metrics.inbound.labels(inbound.channel, handler.name).inc()
        self._metrics.latency.observe(max(0.0, (now - row.received_at).total_seconds()))

    async def _record_failure(self, inbox_id: int, exc: Exception) -> None:
        try:
            async with self._sessions() as session, session.begin():
                row = await session.get(InboxRow, inbox_id)
                if row is None:
                    return
                attempts = row.attempts + 1
                await session.execute(update(InboxRow).where(InboxRow.id == inbox_id).values(
                    attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    status="failed" if attempts >= MAX_ATTEMPTS else "pending"))
        except Exception:  # noqa: BLE001 - the database itself is gone; the row stays pending for the sweeper
            log.exception("could not record the failure of inbox row %s", inbox_id)
