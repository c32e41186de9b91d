"""The skeleton every `aftersales … import FILE` command shares: read and check the whole file first (a bad file
exits 2 saying what and where), prepare the database, write every row in one transaction (a refusal exits 2 and
leaves the database as it was), then print one summary line."""
from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Iterable, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock, SystemClock
from core.services.unit import Services
from core.storage.db import create_engine, session_factory

EXIT_OK, EXIT_USAGE = 0, 2
Rows = TypeVar("Rows")
Done = TypeVar("Done")


@dataclass(frozen=True, slots=True)
class Transaction:
    """What an import writes with: its session, the clock and the services of that one transaction."""

    session: AsyncSession
    clock: Clock
    services: Services


async def in_one_transaction(url: str, work: Callable[[Transaction], Awaitable[Done]]) -> Done:
    """Run `work` in one transaction on the database at `url`: an exception leaves the database as it was."""
    engine = create_engine(url)
    clock = SystemClock()
    try:
        async with session_factory(engine)() as session, session.begin():
            return await work(Transaction(session, clock, Services.in_transaction(session, clock)))
    finally:
        await engine.dispose()


def run_import(args: argparse.Namespace, *, read: Callable[[Path], Rows],
               write: Callable[[str, Path, Rows], Awaitable[Done]], summary: Callable[[Done], str],
               refused: tuple[type[Exception], ...], explain: Callable[[Path, Exception], Iterable[str]]) -> int:
    """`read` the file named by `args.file`, then `write` its rows to the configured database and print
    `summary`; an exception of `refused` from either step prints `explain`'s lines on stderr and exits 2."""
    from bot.config import load_config
    from bot.startup import prepare_database

    try:
        rows = read(args.file)
        url = load_config(args.config).database.url
        prepare_database(url)
        done = asyncio.run(write(url, args.file, rows))
    except refused as exc:
        for line in explain(args.file, exc):
            print(f"aftersales: {line}", file=sys.stderr)
        return EXIT_USAGE
    print(summary(done))
    return EXIT_OK
