"""A filtered ticket list as a file people open in Excel or WPS: `.xlsx` (openpyxl, write-only) or CSV in UTF-8
with a byte-order mark (without it both read Chinese as mojibake). Headers, labels and the file name come from
`templates/<locale>/export.toml`; times are in the hub's time zone. Whatever a customer wrote stays text: a CSV cell
starting like a formula is prefixed with an apostrophe, an Excel cell is stored as a string (less the control
characters the format cannot hold)."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime
from typing import Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.api.operations import Download
from core.domain.sla import FIRST_RESPONSE, RESOLUTION
from core.services.ticket_queries import ListedTicket
from templates import labels, phrases

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What spreadsheet programs take for the start of a formula in a CSV cell (OWASP "CSV injection")."""


def table(tickets: Sequence[ListedTicket], *, locale: str, zone: ZoneInfo, now: datetime) -> list[list[str]]:
    """The header row and one row of text per ticket."""
    names, words = labels(locale), phrases(locale, "export")
    channels = phrases(locale, "channels")

    def when(at: datetime | None) -> str:
        return "" if at is None else at.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    rows = [list(words["columns"].values())]
    for listed in tickets:
        t = listed.ticket
        due = {target: when(t.deadlines[target].due_at) if target in t.deadlines else ""
               for target in (FIRST_RESPONSE, RESOLUTION)}
        state = {target: names["sla_states"][s.value] if (s := t.sla_state(target, now)) is not None else ""
                 for target in (FIRST_RESPONSE, RESOLUTION)}
        values = {"id": t.code, "type": names["types"][t.type], "priority": names["priorities"][t.priority],
                  "status": names["statuses"][t.status], "channel": channels.get(t.channel, t.channel),
                  "subject": t.summary, "customer": listed.customer_name, "phone": listed.customer_phone,
                  "assignee": listed.assignee_name, "created_at": when(t.created_at),
                  "updated_at": when(t.updated_at), "first_response_at": when(t.first_response_at),
                  "first_response_due": due[FIRST_RESPONSE], "first_response_sla": state[FIRST_RESPONSE],
                  "resolved_at": when(t.resolved_at), "resolution_due": due[RESOLUTION],
                  "resolution_sla": state[RESOLUTION]}
        rows.append([values[column] for column in words["columns"]])
    return rows


async def download(rows: list[list[str]], *, file_format: str, locale: str, stamp: str) -> Download:
    """The file; building a workbook is CPU work, so it runs off the event loop."""
    words = phrases(locale, "export")
    name = f"{words['file']}-{stamp}.{file_format}"
    if file_format == "csv":
        return Download(body=_csv(rows), media_type=CSV, filename=name)
    return Download(body=await asyncio.to_thread(_xlsx, rows, words["sheet"]), media_type=XLSX, filename=name)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([[_inert(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _xlsx(rows: list[list[str]], sheet_name: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.freeze_panes = "B2"
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
