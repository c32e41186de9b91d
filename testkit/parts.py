"""A spare-parts catalogue written and imported the way staff do it with `aftersales parts import`."""
from __future__ import annotations

from pathlib import Path

from bot.parts_cli import import_parts, read_parts_file


async def import_catalogue(database_url: str, path: Path, csv_text: str) -> None:
    """Write `csv_text` (header row first) to `path` and import it into the hub's database."""
    path.write_text(csv_text, "utf-8")
    await import_parts(database_url, path, read_parts_file(path))
