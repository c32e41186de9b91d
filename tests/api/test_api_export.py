"""Exporting a filtered ticket list: an Excel workbook and a CSV that Excel/WPS open right (UTF-8 with a BOM),
Chinese headers and labels by default, the same filters as the list, and customer text that stays text."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.api.conftest import TOKENS

REPAIR = "洗衣机不脱水了，一直响，地址上海市浦东新区张江路100号3栋"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"点我\") 发票抬头开错了"


async def _download(api, query: str) -> tuple[int, dict[str, str], bytes]:  # type: ignore[no-untyped-def]
    async with api.http.get(api.server.make_url(f"/api/v1/tickets/export?{query}"),
                            headers={"Authorization": f"Bearer {TOKENS['agent']}"}) as response:
        return response.status, dict(response.headers), await response.read()


async def test_excel_with_chinese_headers_and_the_lists_filters(api) -> None:  # type: ignore[no-untyped-def]
    repair = await api.phoned_in(REPAIR, name="张先生", priority="P2")
    await api.phoned_in(FORMULA, phone="13600000000", name="=cmd|' /C calc'!A0")
    status, headers, body = await _download(api, "format=xlsx")
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment; filename*=UTF-8''" in headers["Content-Disposition"] and ".xlsx" in headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "工单"
    assert rows[0][:6] == ["工单号", "类型", "优先级", "状态", "渠道", "问题描述"]
    assert len(rows) == 3 and rows[2][0] == repair["id"], "newest first"
    assert rows[2][1:5] == ["维修", "高", "已派单", "电话"] and rows[2][6:9] == ["张先生", "13812345678", "王师傅"]
    assert rows[1][5].startswith("=HYPERLINK") and sheet.cell(2, 6).data_type == "s", "text, never a formula"
    assert rows[1][6] == "=cmd|' /C calc'!A0" and sheet.cell(2, 7).data_type == "s"

    status, _, body = await _download(api, "format=xlsx&type=repair&lang=en")
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]
    assert rows[0][:2] == ["Ticket", "Type"] and [r[0] for r in rows[1:]] == [repair["id"]] and rows[1][1] == "Repair"


async def test_csv_has_a_bom_and_formulas_stay_text(api) -> None:  # type: ignore[no-untyped-def]
    await api.phoned_in(FORMULA, phone="13600000000")
    status, headers, body = await _download(api, "format=csv")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "工单号" and rows[1][5] == "'" + FORMULA


async def test_export_needs_a_token_and_checks_its_query(api) -> None:  # type: ignore[no-untyped-def]
    async with api.http.get(api.server.make_url("/api/v1/tickets/export")) as response:
        assert response.status == 401
    status, answer = await api.get("/tickets/export?format=pdf")
    assert status == 400 and answer["error"]["message"].startswith("format:")
