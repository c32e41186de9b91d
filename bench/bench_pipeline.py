"""Processing alone: committed inbox rows → tickets, replies in the outbox, on SQLite, in this process.

`bench_intake.py` measures the whole hub over websockets; this one isolates the pipeline (real NLP, real handlers,
demo staff) so its capacity and the effect of the transaction budget can be read without the transport. The inbox
is filled first with the same customer script as `bench_intake.py`, then processed as one backlog, once per budget
on a fresh database. Printed per budget: messages/s, CPU milliseconds per message (this process's CPU time, so the
figure holds on a machine other programs share), messages per transaction, SQL statements per message. With as
many conversations as messages every message is a new customer's first report (a burst of new tickets).

    .venv/bin/python bench/bench_pipeline.py [--conversations 200] [--messages 5000] [--budgets 0.02,0.1,0.2]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.bench_intake import script, throwaway_database  # noqa: E402
from bot.bootstrap import default_router  # noqa: E402
from bot.demo import load_demo  # noqa: E402
from bot.metrics import Metrics  # noqa: E402
from bot.pipeline import Pipeline, budget_clock, budget_own_work_only  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.envelopes import Inbound  # noqa: E402
from core.inbox import Committed, GroupCommitIntake, InboxStore  # noqa: E402
from core.services.unit import Wiring  # noqa: E402
from core.storage.db import create_engine, session_factory  # noqa: E402
from core.storage.migrate import upgrade  # noqa: E402
from nlp import Understander, load_understander  # noqa: E402

STAFF_REACHED = Wiring(channels=frozenset({"wecom", "webchat"}))
"""WeCom, where the demo staff are, counts as configured: the jobs are offered to technicians, as on a hub that
reaches them."""


async def run(budget: float, conversations: int, messages: int, understander: Understander,
              postgres: str | None) -> str:
    with tempfile.TemporaryDirectory() as folder:
        async with throwaway_database(postgres, Path(folder)) as url:
            engine = create_engine(url)
            await upgrade(engine)
            await load_demo(url, only_if_empty=False)
            clock = SystemClock()
            sessions = session_factory(engine)
            committed: list[Committed] = []

            async def keep(rows: list[Committed]) -> None:
                committed.extend(rows)

            intake = GroupCommitIntake(sessions=sessions, clock=clock, on_committed=keep)
            await intake([Inbound(channel="webchat", account="",
                                  external_id=f"c{n % conversations}-m{n // conversations}",
                                  sender=f"web:c{n % conversations}", conversation=f"web:c{n % conversations}",
                                  text=script(n % conversations, n // conversations), sent_at=datetime.now(timezone.utc))
                          for n in range(messages)])
            await intake.close()
            pipeline = Pipeline(sessions=sessions, inbox=InboxStore(sessions=sessions, clock=clock),
                                understander=understander, router=default_router(), clock=clock,
                                wiring=STAFF_REACHED, metrics=Metrics(), after_commit=lambda: None,
                                transaction_budget=budget,
                                budget_clock=budget_clock(engine.dialect.name, other_processes=False),
                                own_work_only=budget_own_work_only(engine.dialect.name, other_processes=False))
            counts = {"statements": 0, "commits": 0}

            def statement(*_: object) -> None:
                counts["statements"] += 1

            def commit(*_: object) -> None:
                counts["commits"] += 1

            event.listen(engine.sync_engine, "before_cursor_execute", statement)
            event.listen(engine.sync_engine, "commit", commit)
            started, cpu = time.perf_counter(), time.process_time()
            await pipeline.process(sorted(c.inbox_id for c in committed))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            await engine.dispose()
    return (f"budget {budget * 1000:4.0f} ms: {messages} messages in {elapsed:5.2f} s → {messages / elapsed:5.0f} msg/s, "
            f"{cpu / messages * 1000:4.2f} ms CPU per message, {messages / max(counts['commits'], 1):5.1f} per transaction, "
            f"{counts['statements'] / messages:4.1f} statements per message")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--budgets", default="0.02,0.1,0.2", help="transaction budgets in seconds")
    parser.add_argument("--postgres", metavar="URL", help="run on a throwaway database of this PostgreSQL server "
                        "(postgresql+asyncpg://…) instead of SQLite")
    args = parser.parse_args()
    understander = load_understander(None)
    for budget in (float(b) for b in args.budgets.split(",")):
        print(await run(budget, args.conversations, args.messages, understander, args.postgres), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
