"""What the console asks of `/api/v1` besides the ticket list, on a clock the test moves: where each ticket's SLA
stands (in the list, on the ticket, as a filter and in the queue counts), the moves the state machine allows, and
notes for staff that go on the audit log and never to the customer."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.storage.models import OutboxRow

REPAIR = "洗衣机不脱水了，一直响，地址上海市浦东新区张江路100号3栋"
HOUR = 3600


@pytest.fixture
def hub_clock() -> FakeClock:
    return FakeClock()


async def test_sla_states_in_the_list_the_filter_and_the_counts(api, hub_clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    urgent = await api.phoned_in("燃气灶漏气了，有很大的燃气味", priority="P1")
    hub_clock.advance(60 * 60 * 24 * 7)
    later = await api.phoned_in(REPAIR, phone="13600000000", priority="P4")
    status, page = await api.get("/tickets", role="agent")
    states = {t["id"]: t["sla"]["first_response"]["state"] for t in page["items"]}
    assert states == {urgent["id"]: "breached", later["id"]: "ok"}
    status, breached = await api.get("/tickets?sla=breached")
    assert status == 200 and [t["id"] for t in breached["items"]] == [urgent["id"]]
    assert [t["id"] for t in (await api.get("/tickets?sla=ok"))[1]["items"]] == [later["id"]]
    status, counts = await api.get("/tickets/counts", role="agent")
    assert status == 200
    assert (urgent["status"], urgent["assignee"], later["status"]) == ("new", None, "assigned")
    assert counts == {"open": 2, "unassigned": 1, "waiting": 0, "held": 0, "pending": 0, "sla_warning": 0,
                      "sla_breached": 1, "by_status": {"assigned": 1, "new": 1}}
    status, detail = await api.get(f"/tickets/{urgent['id']}")
    assert detail["sla"]["first_response"]["state"] == "breached" and detail["sla"]["resolution"]["due_at"]
    assert detail["next_statuses"] == ["assigned", "pending_customer", "resolved", "cancelled"]


async def test_a_note_is_on_the_audit_log_and_never_reaches_the_customer(api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in(REPAIR)
    async with api.hub.sessions() as session:
        before = len(list(await session.scalars(select(OutboxRow.id))))
    status, note = await api.post(f"/tickets/{ticket['id']}/notes", {"text": "客户说下午才在家 <b>注意</b>"},
                                  role="agent")
    assert status == 201 and note["event"]["kind"] == "note" and note["event"]["actor"] == "api:console"
    status, detail = await api.get(f"/tickets/{ticket['id']}")
    assert detail["events"][-1]["data"] == {"before": {}, "after": {"text": "客户说下午才在家 <b>注意</b>"}}
    assert len(detail["messages"]) == len(ticket["messages"])
    async with api.hub.sessions() as session:
        assert len(list(await session.scalars(select(OutboxRow.id)))) == before
    assert (await api.post("/tickets/SR-20990101-0001/notes", {"text": "x"}))[0] == 404
    status, answer = await api.post(f"/tickets/{ticket['id']}/notes", {"text": ""})
    assert status == 400 and answer["error"]["message"].startswith("text:")


async def test_stats_for_the_dashboard_per_day_and_per_month(api, hub_clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    # The fake clock starts at 2026-11-23 02:00 UTC (10:00 in China).
    await api.phoned_in("燃气灶漏气了，有很大的燃气味", priority="P1")
    hub_clock.advance(24 * HOUR)
    await api.phoned_in(REPAIR + "，型号XQG80-B1，序列号SN12345678", phone="13600000000", priority="P2")
    status, stats = await api.get("/stats?since=2026-11-22T16:00:00Z&until=2026-11-25T16:00:00Z", role="supervisor")
    assert status == 200 and stats["timezone"] == "Asia/Shanghai"
    over_time = stats["volume_over_time"]
    assert over_time["bucket"] == "day" and over_time["periods"] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert {k: sum(v) for k, v in over_time["by_type"].items()} == stats["by_type"]
    assert over_time["by_channel"] == {"phone": [1, 1, 0]}
    assert stats["open_by_status"] == {"assigned": 1, "new": 1}
    first = next(a for a in stats["sla"] if a["target"] == "first_response")
    assert (first["total"], first["met"], first["breached"]) == (2, 0, 1) and first["attainment"] == 0.0
    assert stats["surveys_sent"] == 0 and stats["satisfaction_over_time"] == []
    assert stats["knowledge"] == {"answers": 0, "helpful": 0} and stats["kb_deflections"] == 0
    status, year = await api.get("/stats?since=2026-01-01T00:00:00Z&until=2026-12-31T00:00:00Z", role="supervisor")
    assert year["volume_over_time"]["bucket"] == "month" and len(year["volume_over_time"]["periods"]) == 12
    assert year["volume_over_time"]["by_channel"]["phone"][10] == 2
