"""`aftersales staff import FILE.toml`: add or update staff (matched by name) through the same service as the API;
a bad file exits 2 naming the table and key, and nothing is imported."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from core.clock import SystemClock
from core.domain.people import StaffConflict, StaffSpec
from core.services.staff import Imported
from core.services.unit import Services
from core.storage.db import create_engine, session_factory

EXIT_OK, EXIT_USAGE = 0, 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    staff = sub.add_parser("staff", help="staff directory").add_subparsers(dest="staff_command")
    load = staff.add_parser("import", parents=[common], help="add or update staff from a TOML file")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_import)


async def import_staff(url: str, specs: list[StaffSpec]) -> Imported:
    """All of `specs` in one transaction: a conflict leaves the directory as it was."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await Services.in_transaction(session, SystemClock()).staff.import_specs(specs)
    finally:
        await engine.dispose()


def _import(args: argparse.Namespace) -> int:
    from bot.config import load_config
    from bot.staff_file import StaffFileError, read_staff_file
    from bot.startup import prepare_database

    try:
        specs = read_staff_file(args.file)
    except StaffFileError as exc:
        print(f"aftersales: {exc}", file=sys.stderr)
        return EXIT_USAGE
    url = load_config(args.config).database.url
    prepare_database(url)
    try:
        done = asyncio.run(import_staff(url, specs))
    except StaffConflict as exc:
        print(f"aftersales: {args.file}: {exc}; nothing imported", file=sys.stderr)
        return EXIT_USAGE
    print(f"staff imported: {len(done.added)} added, {len(done.updated)} updated")
    return EXIT_OK
