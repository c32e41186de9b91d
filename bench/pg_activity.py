"""What a PostgreSQL database's sessions are doing during a bench phase, sampled from the server's own views.

Several hub processes on one database are limited by one of: CPU (sessions idle in transaction while their process
computes, or the machine's cores busy elsewhere), lock waits (a hot row held until commit), round trips or commits
(sessions `active` on short statements, WAL flushes). Sampling `pg_stat_activity` every few milliseconds gives the
share of each state among the hub's sessions, and `pg_locks` which relation and row kind the waiters wait for;
`pg_stat_database` counts the commits. Used by `bench_intake.py --pg-activity`.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.cpu import process_cpu
from core.storage.db import create_engine

_SESSIONS = text("""
    select pid, state, coalesce(wait_event_type, '') as wait_type, coalesce(wait_event, '') as wait,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 48) as query
    from pg_stat_activity where datname = :name and pid <> pg_backend_pid() and backend_type = 'client backend'
""")
_WAITING_FOR = text("""
    select coalesce(l.relation::regclass::text, l.locktype) as what, l.mode
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where not l.granted and a.datname = :name
""")
_COMMITS = text("select xact_commit, xact_rollback from pg_stat_database where datname = :name")


@dataclass
class Activity:
    """Samples of one phase: counts per session state, per statement a waiting session was in, per lock waited."""
    samples: int = 0
    sessions: Counter[str] = field(default_factory=Counter)
    lock_waits: Counter[str] = field(default_factory=Counter)
    waiting_in: Counter[str] = field(default_factory=Counter)
    commits: int = 0
    rollbacks: int = 0
    backend_cpu: float = 0.0
    """CPU seconds of the database's sessions (this machine's server) during the phase."""
    _cpu_at_start: dict[int, float] = field(default_factory=dict)

    def summary(self, messages: int, top: int = 6) -> str:
        seen = sum(self.sessions.values()) or 1
        states = ", ".join(f"{state} {count / seen:.0%}" for state, count in self.sessions.most_common(top))
        lines = [f"  postgres: {self.commits} commits ({self.commits / max(messages, 1):.2f} per message), "
                 f"{self.rollbacks} rollbacks, backends' CPU {self.backend_cpu * 1000 / max(messages, 1):.2f} ms per "
                 f"message; {seen / max(self.samples, 1):.1f} sessions on average: {states}"]
        if self.lock_waits:
            waits = ", ".join(f"{what} {count / seen:.1%}" for what, count in self.lock_waits.most_common(top))
            lines.append(f"  lock waits (share of session samples): {waits}")
            lines.append("  waiting in: " + "; ".join(f"{query!r} {count}"
                                                      for query, count in self.waiting_in.most_common(3)))
        return "\n".join(lines)


async def _commits(con: AsyncConnection, name: str) -> tuple[int, int]:
    row = (await con.execute(_COMMITS, {"name": name})).one()
    return int(row[0]), int(row[1])


async def sample(con: AsyncConnection, name: str, stop: asyncio.Event, activity: Activity, *,
                 every: float = 0.005) -> None:
    """Sample database `name` on `con` (autocommit, not one of the hub's) into `activity` until `stop` is set."""
    first = await _commits(con, name)
    while not stop.is_set():
        activity.samples += 1
        for pid, state, wait_type, wait, query in (await con.execute(_SESSIONS, {"name": name})).all():
            if pid not in activity._cpu_at_start:
                activity._cpu_at_start[pid] = process_cpu(pid) or 0.0
            key = state if not wait_type or wait_type == "Client" else f"{state}/{wait_type}:{wait}"
            activity.sessions[key] += 1
            if wait_type == "Lock":
                activity.waiting_in[query] += 1
        for what, mode in (await con.execute(_WAITING_FOR, {"name": name})).all():
            activity.lock_waits[f"{what} ({mode})"] += 1
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass
    await asyncio.sleep(1.5)
    await con.execute(text("select pg_stat_clear_snapshot()"))
    last = await _commits(con, name)
    activity.commits, activity.rollbacks = last[0] - first[0], last[1] - first[1]
    activity.backend_cpu = sum(max(0.0, (process_cpu(pid) or start) - start)
                               for pid, start in activity._cpu_at_start.items())


@asynccontextmanager
async def watching(database_url: str | None, *, every: float) -> AsyncIterator[Activity]:
    """Sample a PostgreSQL database every `every` seconds while the block runs; the yielded `Activity` is filled in
    when it ends. With `database_url` None (SQLite), nothing is sampled."""
    activity = Activity()
    if database_url is None:
        yield activity
        return
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT", pool_size=1)
    stop = asyncio.Event()
    try:
        async with engine.connect() as con:
            sampler = asyncio.create_task(sample(con, make_url(database_url).database or "", stop, activity,
                                                   every=every))
            try:
                yield activity
            finally:
                stop.set()
                await sampler
    finally:
        await engine.dispose()
