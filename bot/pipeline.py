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
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Awaitable, Callable, Iterator, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import Metrics
from bot.router import Router
from core.clock import Clock
from core.domain.conversations import Conversation
from core.domain.people import Person, PersonKind
from core.domain.surveys import SURVEYING
from core.envelopes import Inbound, Outbound
from core.inbox import InboxStore
from core.inbox.store import MAX_ATTEMPTS, Failure, PendingRow
from core.outbox import enqueue
from core.services.unit import Services, Wiring
from core.storage.db import each_statement_alone, let_urgent_writes_in, urgent_write_waiting
from core.storage.reconnect import once_more_if_dropped
from handlers import choices
from handlers.base import Context, Origin
from handlers.failed import given_up, reference
from nlp import DEVICE_SCAN, KB_QUESTION, NEW_PROBLEM, STATUS_QUERY, Understander, Understanding
from nlp.replies import bare_answer
from nlp.retrieval import KnowledgeBase, LookedUp, Match
from templates import LOCALES

log = logging.getLogger(__name__)

MAX_PER_TRANSACTION = 256
FIRST_BATCH = 16
TRANSACTION_BUDGET = 0.1
"""Seconds of work (the event loop's CPU time: `budget_clock`) after which a processing transaction commits, on
SQLite. Each transaction pays a fixed cost (fetching the batch's senders, states and tickets, the commit), so longer ones handle more messages per second; the
intake of this process does not wait for the budget, since a transaction commits early as soon as it wants the
writer (the intakes of other processes on the file cannot ask: `SHARED_FILE_TRANSACTION_BUDGET`).
Whole hub at 1,000 msg/s offered (bench/bench_intake.py): 0.02 s → ~300 msg/s end to end, ack p99 ~90 ms;
0.1 s → 380-490 msg/s, ack p99 ~65 ms; 0.2 s → ~380 msg/s, ack p99 ~100 ms (a longer final commit step)."""
SHARED_FILE_TRANSACTION_BUDGET = 0.02
"""On a SQLite file that other hub processes write too (a Redis bus): their intakes wait for this budget."""
SERVER_TRANSACTION_BUDGET = 0.2
"""The same on PostgreSQL, where the intake never waits for processing: every statement is a round trip, so longer
transactions pay off (whole hub, bench/bench_intake.py --postgres: 93 msg/s at 0.02 s, 195 at 0.1, 300-390 at
0.2)."""
ROWS_AT_ONCE = 64
"""Rows a transaction reads, and fetches what they ask for, at a time (`Pipeline._fetch`), each query a step of the
event loop of its own: a batch of up to `MAX_PER_TRANSACTION` rows read in one step held the loop for tens of
milliseconds, with every acknowledgement waiting behind it. Fewer rows at a time cost more statements per message
(cProfile of bench/bench_pipeline.py: 16 rows about 10 % more Python calls per message than the whole batch, 64
rows 2 %)."""
_ASKING = frozenset({STATUS_QUERY, NEW_PROBLEM})
"""Intents whose handling asks for the customer's newest tickets (a status query, a report's duplicate check): the
batch preloads them for the senders of the rows understood so ahead."""
QUESTIONS_AT_ONCE = 32
"""Questions looked up in the knowledge base in one matrix product ahead of a transaction: a few milliseconds of the
event loop, where each alone costs about a millisecond."""
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_CODES = re.compile(r"\b(?:S/?N|No|ID|P/?N)\b|[\w/-]*\d[\w/-]*", re.IGNORECASE)
"""Codes and their labels ("SN: HW2026…", "KFR-35GW", "E4"): written in Latin letters whatever the language."""


def transaction_budget(dialect: str, *, other_processes: bool) -> float:
    """The budget for this database, and whether other hub processes share it."""
    if dialect != "sqlite":
        return SERVER_TRANSACTION_BUDGET
    return SHARED_FILE_TRANSACTION_BUDGET if other_processes else TRANSACTION_BUDGET


def budget_clock(dialect: str, *, other_processes: bool) -> Callable[[], float]:
    """What a transaction's budget is counted in. On a SQLite file this process alone writes, the CPU time of the
    event-loop thread: the database work runs on it, the intake cuts a transaction short when it wants the writer,
    and wall time would also count the other programs of a busy machine — batches would shrink to a message or two
    and the fixed cost of a transaction would dominate. Where others wait for the transaction's locks (other
    processes on the file, a database server whose round trips are the cost), wall time. Either is shared out
    among the lanes in progress (`LoopShare`)."""
    if dialect == "sqlite" and not other_processes:
        return time.thread_time
    return time.perf_counter


def sole_writer(dialect: str, *, other_processes: bool) -> bool:
    """Whether this process alone writes the database (a SQLite file no other hub process shares): then a
    transaction the intake interrupts commits, lets the intake's commit through and goes on with what it has read
    (`let_urgent_writes_in`), since nothing but inbox rows can have been written in between."""
    return dialect == "sqlite" and not other_processes


def budget_own_work_only(dialect: str, *, other_processes: bool) -> bool:
    """Whether a transaction's budget counts only its own steps, not what other tasks of the event loop do between
    its messages (acknowledging, sending, the other partitions understanding their next rows): so in the event
    loop's CPU time (`budget_clock`), which measures the transaction's work; in wall time the gaps count, since
    others wait for its locks meanwhile."""
    return dialect == "sqlite" and not other_processes


def reply_locale(text: str, default: str) -> str:
    """Answer in the language the person wrote in: Chinese if any Chinese, English if only Latin letters — but a
    serial or model number ("SN: HW2026…") or a bare "ok", "no" or "yes" is no language of its own (Chinese
    customers type them too): the language the person last wrote in (a customer's is remembered)."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(_CODES.sub("", text)) and not bare_answer(text):
        return "en"
    return default


def _known_locale(services: Services, person: Person, inbound: Inbound) -> str:
    """The language to answer a message of no language of its own ("ok", "1") in: a customer met just now, on a
    page whose language they chose, is answered in that one (the web chat's English page answered "ok" in Chinese);
    anyone else in the one they last wrote in."""
    new = person.kind is PersonKind.CUSTOMER and person.id in services.people.created
    return (inbound.chosen_locale if new else "") or person.locale


class LoopShare:
    """A clock shared out among the transactions in progress in this process: while n are, each one's reading
    advances by 1/n of the clock's. Lanes take turns on one event loop, so a transaction's own clock — wall time,
    or the loop thread's CPU time on PostgreSQL, where the other lanes run during its round trips — counts the others'
    work too: with eight lanes busy, batches would be sized at an eighth of the budget and each would pay the fixed
    cost of a transaction (fetching senders, states and tickets, the commit) for a handful of messages. With one
    lane (SQLite) it is the clock itself."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._open = 0
        self._at = clock()
        self._reading = 0.0

    def __call__(self) -> float:
        self._advance()
        return self._reading

    @contextmanager
    def taking_part(self) -> Iterator[None]:
        """While a transaction is in progress."""
        self._advance()
        self._open += 1
        try:
            yield
        finally:
            self._advance()
            self._open -= 1

    def _advance(self) -> None:
        now = self._clock()
        if self._open:
            self._reading += (now - self._at) / self._open
        self._at = now


class Spending:
    """What a transaction has spent of its budget on `clock`. With `own_work_only` only its own steps count, between
    `resume` and `pause`: not the waits for the writer's turn, nor what the event loop's other tasks do while it
    lets them run (`let_others_run`). Otherwise everything from the start counts."""

    def __init__(self, clock: Callable[[], float], *, own_work_only: bool) -> None:
        self._clock = clock
        self._own_work_only = own_work_only
        self._before = 0.0
        self._since: float | None = None if own_work_only else clock()

    @property
    def seconds(self) -> float:
        return self._before + (self._clock() - self._since if self._since is not None else 0.0)

    def over(self, budget: float | None) -> bool:
        """Whether `budget` is spent, asked between two messages: pausing first, so the reading that answers it is
        also the one `let_others_run` pauses with — one clock read per message fewer (a system call for the
        thread's CPU time)."""
        self.pause()
        return budget is not None and self.seconds >= budget

    def resume(self) -> None:
        if self._own_work_only and self._since is None:
            self._since = self._clock()

    def pause(self) -> None:
        if self._own_work_only and self._since is not None:
            self._before, self._since = self.seconds, None

    async def let_others_run(self) -> None:
        """Give the event loop's other tasks a turn."""
        self.pause()
        await asyncio.sleep(0)
        self.resume()


class Pipeline:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], inbox: InboxStore, understander: Understander,
                 router: Router, clock: Clock, metrics: Metrics, after_commit: Callable[[], None],
                 transaction_budget: float = TRANSACTION_BUDGET, budget_clock: Callable[[], float] = time.perf_counter,
                 own_work_only: bool = False, sole_writer: bool = False, wiring: Wiring = Wiring(),
                 wake_timers: Callable[[datetime], None] | None = None,
                 wake_media: Callable[[], None] | None = None) -> None:
        """`budget_clock`: what `transaction_budget` is counted in (`budget_clock()`); `own_work_only`: whether
        it counts only the transaction's own steps (`budget_own_work_only`); `sole_writer`: whether this process
        alone writes the database (`sole_writer`); `wiring`: what the configuration tells the services (alert
        rooms, service levels, surveys, webhooks, handover timeout); `wake_timers`: told after a commit that
        scheduled a timer; `wake_media`: after a commit that queued files to fetch."""
        self._sessions = sessions
        self.knowledge: KnowledgeBase | None = None
        """Set by the hub once it has loaded the knowledge base at start."""
        self._inbox = inbox
        self._wiring = wiring
        self._wake_timers = wake_timers
        self._wake_media = wake_media
        self._understander = understander
        self._router = router
        self._clock = clock
        self._metrics = metrics
        self._after_commit = after_commit
        self._transaction_budget = transaction_budget
        self._budget_clock = LoopShare(budget_clock)
        self._own_work_only = own_work_only
        self._sole_writer = sole_writer
        self._batch_size = FIRST_BATCH
        """Rows fetched per transaction, sized from the last one so that a batch fills about one budget."""
        self._understood: dict[int, Understanding] = {}
        """Rows understood ahead of their transaction and not handled yet (one that ends early leaves some)."""
        self._peeked: dict[int, Inbound] = {}
        """The messages of the rows understood ahead, so their transaction need not read and decode them again."""
        self._answers: dict[int, Match | None] = {}
        """The knowledge base's answers to the rows understood ahead as questions, looked up together."""

    async def process(self, inbox_ids: Sequence[int]) -> None:
        """Handle rows in order, in transactions of about `transaction_budget` seconds each.

        The event loop gets a turn between messages, so sockets are served while a backlog is worked off, and on
        SQLite a transaction commits early when the intake is waiting for the single writer: an acknowledgement
        waits for the message in hand, not for the whole transaction (and where this process alone writes the
        file, the transaction then goes on with what it has read: `_give_way`). The sender is woken after each
        commit, so its replies do not wait for the rest of the rows. A row delivered twice in one batch (a resend
        re-publishes a row that is still pending) is handled once."""
        remaining = sorted(set(inbox_ids))
        while remaining:
            taken: list[int] = []
            try:
                await self._process_some(remaining[:MAX_PER_TRANSACTION], taken)
            except Exception as exc:  # noqa: BLE001 - isolate the failing message below (its traceback is logged there)
                taken = taken or remaining[:self._batch_size]
                if len(taken) == 1:
                    await self._record_failure(taken[0], exc)
                else:
                    log.warning("a transaction from inbox row %s failed (%s); retrying its rows one by one",
                                taken[0], _short(exc))
                    for inbox_id in taken:
                        await self._process_one(inbox_id)
            remaining = remaining[len(taken):]
            self._after_commit()
            await asyncio.sleep(0)
        for inbox_id in inbox_ids:
            self._understood.pop(inbox_id, None)
            self._peeked.pop(inbox_id, None)
            self._answers.pop(inbox_id, None)

    async def _process_some(self, inbox_ids: Sequence[int], taken: list[int]) -> None:
        """One transaction over the first of `inbox_ids` until the budget is spent; `taken` gets the ids it tried."""
        spent = Spending(self._budget_clock, own_work_only=self._own_work_only)
        await self._transaction(inbox_ids[:self._batch_size], taken, spent, budget=self._transaction_budget)
        per_row = max(spent.seconds, 1e-6) / len(taken)
        self._batch_size = max(1, min(MAX_PER_TRANSACTION, int(self._transaction_budget / per_row) + 1))

    async def _process_one(self, inbox_id: int) -> None:
        try:
            await self._transaction([inbox_id], [], Spending(self._budget_clock, own_work_only=self._own_work_only),
                                    budget=None)
        except Exception as exc:  # noqa: BLE001 - recorded on the row, visible to staff
            await self._record_failure(inbox_id, exc)

    async def _transaction(self, inbox_ids: Sequence[int], taken: list[int], spent: Spending, *,
                           budget: float | None) -> None:
        """Handle rows still pending (not gone, not handled by an earlier delivery) in one transaction, until
        `spent` reaches `budget`: what they all need is fetched up front, and they are marked done and their
        replies queued in one statement each. On a connection the server had closed, once more from the start."""
        async def attempt() -> None:
            taken.clear()
            await self._transaction_in_part(inbox_ids, taken, spent, budget=budget)

        with self._budget_clock.taking_part():
            await once_more_if_dropped(attempt)

    async def _transaction_in_part(self, inbox_ids: Sequence[int], taken: list[int], spent: Spending, *,
                                   budget: float | None) -> None:
        await self._understand_ahead(inbox_ids, spent)
        async with self._sessions() as session, session.begin():
            spent.resume()
            services = Services.in_transaction(session, self._clock, wiring=self._wiring,
                                               wake_timers=self._wake_timers)
            pending: dict[int, PendingRow] = {}
            replies: list[Outbound] = []
            done: list[tuple[int, datetime, str]] = []

            async def give_way() -> bool:
                return await self._give_way(session, spent, done, replies)

            for position, inbox_id in enumerate(inbox_ids):
                if taken and (spent.over(budget) or not await give_way()):
                    break
                if position % ROWS_AT_ONCE == 0:
                    pending = await self._fetch(session, services, inbox_ids[position:position + ROWS_AT_ONCE],
                                                give_way)
                taken.append(inbox_id)
                row = pending.get(inbox_id)
                if row is not None:
                    now = self._clock.now()
                    answer, note = await self._handle(services, inbox_id, row.inbound, now,
                                                      self._understood.pop(inbox_id, None),
                                                      self._looked_up(inbox_id, row.inbound))
                    replies.extend(answer)
                    done.append((inbox_id, now, note))
                    self._metrics.latency.observe(max(0.0, (now - row.received_at).total_seconds()))
            await spent.let_others_run()  # the record and commit a step of their own, not the last message's too
            await self._record(session, done, replies)
        spent.pause()
        if services.media.received and self._wake_media is not None:
            self._wake_media()

    async def _give_way(self, session: AsyncSession, spent: Spending, done: list[tuple[int, datetime, str]],
                        replies: list[Outbound]) -> bool:
        """Let the event loop's other tasks run between two steps of a transaction; False when it must end because
        the intake waits for SQLite's writer. Where this process alone writes the file it need not: what is done so
        far is recorded and committed, the intake's commit goes through and the transaction goes on with what it has
        read (`let_urgent_writes_in`), so an acknowledgement waits for one step, not for a new transaction to read
        it all again. An intake already waiting when the step ends is let in at once, a turn of the event loop
        sooner than after the others' turn."""
        if not urgent_write_waiting(session):
            await spent.let_others_run()
            if not urgent_write_waiting(session):
                return True
        if not self._sole_writer:
            return False
        await self._record(session, done, replies)
        spent.pause()
        await let_urgent_writes_in(session)
        spent.resume()
        self._after_commit()
        return True

    async def _fetch(self, session: AsyncSession, services: Services, inbox_ids: Sequence[int],
                     give_way: Callable[[], Awaitable[bool]]) -> dict[int, PendingRow]:
        """The rows of `inbox_ids` still pending, and what their handling will ask for (`Services.preload`),
        giving way between its queries. A transaction fetches `ROWS_AT_ONCE` rows at a time, so no step of it
        holds up the event loop for long."""
        async def between() -> None:
            await give_way()

        pending = await self._inbox.take_pending(session, inbox_ids, self._peeked)
        read = {inbox_id: (row.inbound, self._understood.get(inbox_id)) for inbox_id, row in pending.items()}
        naming = [inbound for inbound, understood in read.values() if understood and understood.entities.models]
        asking = [inbound for inbound, understood in read.values() if understood and understood.intent in _ASKING]
        await services.preload([row.inbound for row in pending.values()], between=between, naming_models=naming,
                               asking_tickets=asking)
        await between()
        return pending

    async def _record(self, session: AsyncSession, done: list[tuple[int, datetime, str]],
                      replies: list[Outbound]) -> None:
        """Mark the rows handled so far done and queue their replies, one statement each; both lists are emptied."""
        await self._inbox.mark_done(session, done)
        await enqueue(session, replies, self._clock.now())
        done.clear()
        replies.clear()

    async def _understand_ahead(self, inbox_ids: Sequence[int], spent: Spending) -> None:
        """What the rows not understood yet say, read before the transaction begins (outside SQLite's write turn,
        so the intake commits meanwhile), as understood when the thread waits for nothing (`_understood`); a thread
        that waits for an answer is understood again in the transaction. Those read as questions are looked up in
        the knowledge base together, `QUESTIONS_AT_ONCE` to a matrix product (`_answers`). The event loop gets a
        turn between messages, between lookups and between the reads of `ROWS_AT_ONCE` rows."""
        wanted = [inbox_id for inbox_id in inbox_ids if inbox_id not in self._understood]
        if not wanted:
            return
        pending: dict[int, Inbound] = {}
        for start in range(0, len(wanted), ROWS_AT_ONCE):
            async with self._sessions() as session:
                await each_statement_alone(session)
                some = await self._inbox.peek_pending(session, wanted[start:start + ROWS_AT_ONCE])
            for inbox_id, inbound in some.items():
                spent.resume()
                self._understood[inbox_id] = self._understander.understand(inbound.text, now=inbound.sent_at)
                await spent.let_others_run()
            pending.update(some)
        self._peeked.update(pending)
        questions = [(inbox_id, inbound.text) for inbox_id, inbound in pending.items()
                     if self._understood[inbox_id].intent == KB_QUESTION]
        if self.knowledge is not None:
            for start in range(0, len(questions), QUESTIONS_AT_ONCE):
                spent.resume()
                some = questions[start:start + QUESTIONS_AT_ONCE]
                self._answers.update(zip((i for i, _ in some), self.knowledge.search_many(t for _, t in some)))
                await spent.let_others_run()
        spent.pause()

    def _looked_up(self, inbox_id: int, inbound: Inbound) -> KnowledgeBase | LookedUp | None:
        """The knowledge base for this row's handling, with its question's answer when it was looked up ahead."""
        if self.knowledge is None or inbox_id not in self._answers:
            return self.knowledge
        return LookedUp(self.knowledge, inbound.text, self._answers.pop(inbox_id))

    async def _handle(self, services: Services, inbox_id: int, inbound: Inbound, now: datetime,
                      understood: Understanding | None,
                      knowledge: KnowledgeBase | LookedUp | None) -> tuple[list[Outbound], str]:
        """The replies to one message, and a note for its inbox row when it is deliberately left unanswered;
        `understood` is the message understood ahead, for a thread that waits for nothing; `knowledge` the
        knowledge base as its handling asks it."""
        person = await services.people.resolve(channel=inbound.channel, sender=inbound.sender,
                                               display_name=inbound.display_name)
        if inbound.attachments:
            services.media.receive(inbox_id=inbox_id, inbound=inbound,
                                   customer_id=person.id if person.kind is PersonKind.CUSTOMER else None)
        if inbound.automatic:
            self._metrics.counted(self._metrics.inbound, inbound.channel, "auto").inc()
            return [], f"not answered: automatic message ({inbound.automatic})"
        state = await services.conversations.load(channel=inbound.channel, thread=inbound.conversation,
                                                  sender=inbound.sender)
        inbound, state, chosen = choices.take(services.conversations, inbound, state)
        if chosen:
            understood = None
        route, expecting = await self._waiting_for(services, inbound, person, state)
        understanding = (understood if understood is not None and expecting is None
                         else self._understander.understand(inbound.text, now=inbound.sent_at, expecting=expecting))
        if inbound.device_serial and not inbound.text.strip():
            understanding = replace(understanding, intent=DEVICE_SCAN)
        locale = reply_locale(inbound.text, _known_locale(services, person, inbound))
        if person.kind is PersonKind.CUSTOMER and locale != person.locale:
            await services.people.remember_locale(person.id, locale)
        ctx = Context(inbound=inbound, inbox_id=inbox_id, understanding=understanding, person=person, state=state,
                      services=services, now=now, locale=locale, knowledge=knowledge)
        for handler in self._router.candidates(person=person.kind, intent=understanding.intent, state=route):
            replies = await handler.handle(ctx)
            if replies is not None:
                choices.offer(services.conversations, ctx.state, inbound, replies)
                self._metrics.counted(self._metrics.inbound, inbound.channel, handler.name).inc()
                return replies, ""
        raise LookupError(f"every job passed on inbox row {inbox_id}")

    @staticmethod
    async def _waiting_for(services: Services, inbound: Inbound, person: Person,
                           state: Conversation) -> tuple[str, str | None]:
        """The state to route by and what the thread waits for: the conversation's own, else — for a customer
        whose conversation waits for nothing — the question of a survey that is out in this thread."""
        if not state.idle:
            return state.state, state.data.get("expecting")
        if person.kind is PersonKind.CUSTOMER:
            survey = await services.surveys.waiting(inbound.channel, inbound.conversation, inbound.sender)
            if survey is not None:
                return SURVEYING, survey.expecting
        return state.state, None

    async def _record_failure(self, inbox_id: int, exc: Exception) -> None:
        """Count the failed attempt; a row given up for good gets its apology and alert queued in the same
        transaction (or, should that fail too, is given up without them). Logged as one line per attempt, with
        the traceback on the first."""
        error = _short(exc)
        told = True
        try:
            failure = await self._count_failure(inbox_id, error, tell=True)
        except Exception:  # noqa: BLE001 - the apology itself failed: give the row up all the same
            log.exception("could not queue the apology for inbox row %s", inbox_id)
            told = False
            try:
                failure = await self._count_failure(inbox_id, error, tell=False)
            except Exception:  # noqa: BLE001 - the database itself is gone; the row stays pending for the sweeper
                log.warning("could not record the failure of inbox row %s (%s)", inbox_id, error)
                return
        if failure is None:
            return
        if failure.attempts == 1:
            log.error("inbox row %s failed (attempt 1 of %d)", inbox_id, MAX_ATTEMPTS, exc_info=exc)
        elif not failure.given_up:
            log.warning("inbox row %s failed again (attempt %d of %d): %s", inbox_id, failure.attempts,
                        MAX_ATTEMPTS, error)
        if failure.given_up:
            log.error("inbox row %s given up after %d attempts (%s); %s", inbox_id, failure.attempts, error,
                      f"its sender is told {reference(inbox_id)} and the supervisors alerted" if told
                      else "nobody could be told")
            self._metrics.inbox_failed.labels(failure.inbound.channel).inc()

    async def _count_failure(self, inbox_id: int, error: str, *, tell: bool) -> Failure | None:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            failure = await InboxStore.record_failure(session, inbox_id, error, now)
            if tell and failure is not None and failure.given_up:
                services = Services.in_transaction(session, self._clock, wiring=self._wiring,
                                                   wake_timers=self._wake_timers)
                origin = Origin(services=services, locale=reply_locale(failure.inbound.text, LOCALES[0]),
                                stem=f"inbox:{inbox_id}:failed")
                await enqueue(session, await given_up(origin, failure.inbound, inbox_id=inbox_id), now)
            return failure


def _short(exc: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
