"""`aftersales staff import FILE.toml`: add or update staff (matched by name) through the same service as the API;
a bad file exits 2 naming the table and key, and nothing is imported."""
from __future__ import annotations

import argparse
from pathlib import Path

from bot.import_cli import Transaction, in_one_transaction, run_import
from core.domain.people import StaffConflict, StaffSpec
from core.services.staff import Imported


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    staff = sub.add_parser("staff", help="staff directory").add_subparsers(dest="staff_command")
    load = staff.add_parser("import", parents=[common], help="add or update staff from a TOML file")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_import)


async def import_staff(url: str, specs: list[StaffSpec]) -> Imported:
    """All of `specs` in one transaction: a conflict leaves the directory as it was."""
    async def work(tx: Transaction) -> Imported:
        return await tx.services.staff.import_specs(specs)

    return await in_one_transaction(url, work)


def _import(args: argparse.Namespace) -> int:
    from bot.staff_file import StaffFileError, read_staff_file

    def explain(path: Path, exc: Exception) -> list[str]:
        return [f"{path}: {exc}; nothing imported" if isinstance(exc, StaffConflict) else str(exc)]

    return run_import(args, read=read_staff_file, write=lambda url, _, specs: import_staff(url, specs),
                      summary=lambda done: f"staff imported: {len(done.added)} added, {len(done.updated)} updated",
                      refused=(StaffFileError, StaffConflict), explain=explain)
