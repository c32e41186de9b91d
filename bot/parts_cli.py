"""`aftersales parts import FILE.csv`: the spare-parts catalogue and stock, upserted by SKU. Columns `sku, name,
stock, low_stock` and optionally `location` (`warehouse:<name>`, default `warehouse:main`, or `van:<technician>`)
and `price` (the unit price in yuan, `35.50`; empty keeps the catalogue's);
`stock` is what that place holds now, the difference goes on the ledger. A bad row exits 2 naming its line and
nothing is imported. Jobs waiting for a part that is now in stock resume and their technicians are told."""
from __future__ import annotations

import argparse
import csv
import uuid
from dataclasses import replace
from pathlib import Path

from bot.import_cli import Transaction, in_one_transaction, run_import
from core.domain.money import cents_of
from core.domain.parts import sku_of
from core.outbox import enqueue
from core.services.parts import MAIN_WAREHOUSE, PartRow
from handlers import notices
from handlers.base import Origin

COLUMNS = ("sku", "name", "stock", "low_stock")
IMPORT_ACTOR = "cli:parts"


class PartsFileError(ValueError):
    """A row that cannot be imported; the message names the file and line."""


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    parts = sub.add_parser("parts", help="spare parts and stock").add_subparsers(dest="parts_command")
    load = parts.add_parser("import", parents=[common], help="add or update parts and stock from a CSV file")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_import)


def read_parts_file(path: Path) -> list[tuple[int, PartRow]]:
    """(line number, row) for every data row; `PartsFileError` for the first bad one."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PartsFileError(f"{path}: cannot read: {exc}") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise PartsFileError(f"{path}:1: missing column {missing[0]!r} (need {', '.join(COLUMNS)})")
    rows = []
    for record in reader:
        line = reader.line_num
        sku, name = sku_of(record.get("sku") or ""), (record.get("name") or "").strip()
        if not sku or not name:
            raise PartsFileError(f"{path}:{line}: sku and name must not be empty")
        try:
            stock, low = int(record["stock"]), int(record["low_stock"])
        except (TypeError, ValueError):
            raise PartsFileError(f"{path}:{line}: stock and low_stock must be whole numbers") from None
        if stock < 0 or low < 0:
            raise PartsFileError(f"{path}:{line}: stock and low_stock must not be negative")
        try:
            price = cents_of(record["price"]) if (record.get("price") or "").strip() else None
        except ValueError as exc:
            raise PartsFileError(f"{path}:{line}: price: {exc}") from None
        rows.append((line, PartRow(sku=sku, name=name, stock=stock, low_stock=low,
                                   location=(record.get("location") or "").strip() or MAIN_WAREHOUSE,
                                   price_cents=price)))
    return rows


async def import_parts(url: str, path: Path, rows: list[tuple[int, PartRow]]) -> tuple[int, int]:
    """All rows in one transaction, with the notices of the jobs that resume; returns (rows, jobs resumed)."""
    async def work(tx: Transaction) -> tuple[int, int]:
        services = tx.services
        placed = []
        for line, row in rows:
            try:
                placed.append(replace(row, location=await services.parts.place(row.location)))
            except (LookupError, ValueError) as exc:
                raise PartsFileError(f"{path}:{line}: location: {exc}") from None
        risen = await services.parts.import_rows(placed, actor=IMPORT_ACTOR)
        resumed = await services.parts.arrived(risen)
        origin = Origin(services=services, locale="zh", stem=f"parts-import:{uuid.uuid4().hex}")
        told = []
        for ticket in resumed:
            contact = await services.people.staff_contact(ticket.assignee_id) if ticket.assignee_id else None
            if contact is not None:
                told.append(notices.to_staff(origin, contact, "parts_arrived", f"arrived:{ticket.code}",
                                             ticket=origin.ticket_card(ticket, contact.locale)))
        await enqueue(tx.session, told, tx.clock.now())
        return len(rows), len(resumed)

    return await in_one_transaction(url, work)


def _import(args: argparse.Namespace) -> int:
    return run_import(args, read=read_parts_file, write=import_parts,
                      summary=lambda done: f"parts imported: {done[0]} rows; {done[1]} waiting jobs resumed",
                      refused=(PartsFileError,), explain=lambda _, exc: [f"{exc}; nothing imported"])
