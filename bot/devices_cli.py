"""`aftersales devices import FILE.csv|FILE.xlsx`: the device archive, upserted by serial in one transaction; a bad
row exits 2 naming its line and column, and nothing is imported."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

from bot.import_cli import Transaction, in_one_transaction, run_import
from core.domain.devices import DeviceSpec
from core.services.devices import Imported


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    devices = sub.add_parser("devices", help="device archive").add_subparsers(dest="devices_command")
    load = devices.add_parser("import", parents=[common], help="add or update devices (by serial) from a CSV or "
                              "Excel file: serial, model, product, customer_name, customer_phone, address, "
                              "purchase_date, warranty_months")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_import)


async def import_devices(url: str, specs: Sequence[DeviceSpec]) -> Imported:
    """All rows in one transaction: a failure leaves the archive as it was."""
    async def work(tx: Transaction) -> Imported:
        return await tx.services.devices.import_specs(specs)

    return await in_one_transaction(url, work)


def _import(args: argparse.Namespace) -> int:
    from bot.devices_file import DevicesFileError, read_devices_file

    def explain(_: Path, exc: Exception) -> list[str]:
        problems = exc.problems if isinstance(exc, DevicesFileError) else [str(exc)]
        return [*problems, "nothing imported"]

    return run_import(args, read=read_devices_file, write=lambda url, _, specs: import_devices(url, specs),
                      summary=lambda done: f"devices imported: {done.added} added, {done.updated} updated, "
                                           f"{done.customers_added} new customers",
                      refused=(DevicesFileError,), explain=explain)
