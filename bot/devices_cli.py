"""`aftersales devices import FILE.csv|FILE.xlsx`: the device archive, upserted by serial in one transaction; a bad
row exits 2 naming its line and column, and nothing is imported."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Sequence

from core.clock import SystemClock
from core.domain.devices import DeviceSpec
from core.services.devices import Imported
from core.services.unit import Services
from core.storage.db import create_engine, session_factory

EXIT_OK, EXIT_USAGE = 0, 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    devices = sub.add_parser("devices", help="device archive").add_subparsers(dest="devices_command")
    load = devices.add_parser("import", parents=[common], help="add or update devices (by serial) from a CSV or "
                              "Excel file: serial, model, product, customer_name, customer_phone, address, "
                              "purchase_date, warranty_months")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_import)


async def import_devices(url: str, specs: Sequence[DeviceSpec]) -> Imported:
    """All rows in one transaction: a failure leaves the archive as it was."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await Services.in_transaction(session, SystemClock()).devices.import_specs(specs)
    finally:
        await engine.dispose()


def _import(args: argparse.Namespace) -> int:
    from bot.config import load_config
    from bot.devices_file import DevicesFileError, read_devices_file
    from bot.startup import prepare_database

    try:
        specs = read_devices_file(args.file)
    except DevicesFileError as exc:
        for problem in exc.problems:
            print(f"aftersales: {problem}", file=sys.stderr)
        print("aftersales: nothing imported", file=sys.stderr)
        return EXIT_USAGE
    url = load_config(args.config).database.url
    prepare_database(url)
    done = asyncio.run(import_devices(url, specs))
    print(f"devices imported: {done.added} added, {done.updated} updated, {done.customers_added} new customers")
    return EXIT_OK
