"""Tickets through `/api/v1` on both stores: a phoned-in ticket finds its customer by phone, pages stay whole while
tickets keep arriving, changes go through the state machine into the audit log (a refused one is 409 with the
reason), and reassignment tells both technicians."""
from __future__ import annotations

import asyncio

from sqlalchemy import select

from core.storage.models import OutboxRow

REPAIR = "洗衣机不脱水了，一直响，地址上海市浦东新区张江路100号3栋"


async def _outbox(api) -> list[dict]:  # type: ignore[no-untyped-def]
    async with api.hub.sessions() as session:
        return [r.payload for r in await session.scalars(select(OutboxRow).order_by(OutboxRow.id))]


async def test_a_phoned_in_ticket_finds_or_creates_its_customer_and_is_dispatched(api) -> None:  # type: ignore[no-untyped-def]
    first = await api.phoned_in(REPAIR, phone="13812345678", name="张先生")
    assert (first["type"], first["status"], first["channel"]) == ("repair", "assigned", "phone")
    assert first["sla"]["first_response"]["state"] == "ok" and first["sla"]["resolution"]["due_at"] is not None
    assert first["customer"]["phone"] == "13812345678" and first["assignee"]["name"] == "王师傅"
    assert [e["kind"] for e in first["events"]] == ["opened", "assignee", "status"]
    assert first["events"][0]["actor"] == "api:token1"
    assert first["messages"] == [{"at": first["created_at"], "direction": "out", "author": "api:token1",
                                  "text": REPAIR}], "noted by whoever took the call"
    [offer] = [m for m in await _outbox(api) if m["template"] == "dispatch_notice"]
    assert offer["recipient"] == "wangshifu" and offer["data"]["ticket"]["id"] == first["id"]

    second = await api.phoned_in("发票抬头开错了，需要重开", phone="13812345678", name="", priority="P2")
    assert second["customer"]["id"] == first["customer"]["id"] and second["priority"] == "P2"
    status, found = await api.get("/customers?phone=13812345678")
    assert status == 200 and [c["id"] for c in found["items"]] == [first["customer"]["id"]]
    status, customer = await api.get(f"/customers/{first['customer']['id']}")
    assert [t["id"] for t in customer["tickets"]] == [second["id"], first["id"]] and customer["devices"] == []


async def test_pages_have_no_duplicates_or_gaps_while_tickets_keep_arriving(api) -> None:  # type: ignore[no-untyped-def]
    existing = [(await api.phoned_in(f"空调不制冷了 第{n}台", phone=f"139000000{n:02d}"))["id"] for n in range(23)]
    arriving = asyncio.gather(*(api.phoned_in(f"热水器坏了 第{n}台", phone=f"137000000{n:02d}") for n in range(12)))
    seen: list[str] = []
    cursor = ""
    while True:
        status, page = await api.get(f"/tickets?limit=5{cursor}", role="agent")
        assert status == 200 and len(page["items"]) <= 5
        seen += [t["id"] for t in page["items"]]
        await asyncio.sleep(0)
        if page["next"] is None:
            break
        cursor = f"&cursor={page['next']}"
    arrived = {t["id"] for t in await arriving}
    assert len(seen) == len(set(seen)), "a ticket appeared on two pages"
    assert set(existing) <= set(seen), "a ticket that existed before paging began was skipped"
    assert set(seen) <= set(existing) | arrived


async def test_filters(api) -> None:  # type: ignore[no-untyped-def]
    repair = await api.phoned_in(REPAIR)
    invoice = await api.phoned_in("发票抬头开错了，需要重开", phone="13600000000")
    for query, expected in [("type=invoice", [invoice]), ("status=assigned", [repair]),
                            (f"assignee={repair['assignee']['id']}", [repair]), ("assignee=none", [invoice]),
                            (f"customer={invoice['customer']['id']}", [invoice]), ("q=发票", [invoice]),
                            (f"q={repair['id'][-6:]}", [repair]), ("q=136000", [invoice]),
                            ("channel=phone", [invoice, repair]),
                            ("priority=P1", []), ("handover=waiting", [])]:
        status, page = await api.get(f"/tickets?{query}")
        assert status == 200 and [t["id"] for t in page["items"]] == [t["id"] for t in expected], query


async def test_a_refused_transition_is_409_with_the_reason_and_changes_nothing(api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in(REPAIR)
    status, answer = await api.patch(f"/tickets/{ticket['id']}", {"priority": "P1", "status": "closed"}, role="agent")
    assert status == 409 and answer["error"] == {"code": "illegal_transition",
                                                 "message": "ticket cannot go from assigned to closed"}
    status, now = await api.get(f"/tickets/{ticket['id']}")
    assert (now["status"], now["priority"]) == ("assigned", ticket["priority"]) and now["events"] == ticket["events"]
    assert now["sla"]["first_response"]["state"] == "ok" and now["sla"]["resolution"]["due_at"] > now["created_at"]


async def test_changes_are_audited_and_reassignment_tells_both_technicians(api) -> None:  # type: ignore[no-untyped-def]
    ticket = await api.phoned_in(REPAIR)
    wang = ticket["assignee"]["id"]
    status, staff = await api.get("/staff?role=technician")
    li = next(m["id"] for m in staff["items"] if m["name"] == "李师傅")
    status, changed = await api.patch(f"/tickets/{ticket['id']}", {"type": "maintenance", "priority": "P2",
                                                                   "assignee": li}, role="agent")
    assert status == 200, changed
    assert (changed["type"], changed["priority"], changed["status"]) == ("maintenance", "P2", "assigned")
    assert changed["assignee"] == {"id": li, "name": "李师傅"}
    kinds = [(e["kind"], e["actor"]) for e in changed["events"][len(ticket["events"]):]]
    assert kinds == [("type", "api:console"), ("priority", "api:console"), ("status", "api:console"),
                     ("assignee", "api:console"), ("status", "api:console")]
    told = [(m["template"], m["recipient"]) for m in await _outbox(api)]
    assert ("dispatch_notice", "lishifu") in told and ("job_withdrawn", "wangshifu") in told
    status, unassigned = await api.patch(f"/tickets/{ticket['id']}", {"assignee": None})
    assert status == 200 and unassigned["assignee"] is None and unassigned["status"] == "new"
    status, resolved = await api.patch(f"/tickets/{ticket['id']}", {"status": "resolved", "note": "电话指导解决"})
    assert status == 200 and resolved["resolved_at"] is not None and wang != li
    status, answer = await api.patch(f"/tickets/{ticket['id']}", {"assignee": 999})
    assert status == 409 or answer["error"]["message"].startswith("assignee:")


async def test_staff_are_added_changed_and_kept_apart(api) -> None:  # type: ignore[no-untyped-def]
    status, member = await api.post("/staff", {"name": "钱师傅", "role": "technician", "skills": ["repair"],
                                              "regions": ["杭州市"], "capacity": 3,
                                              "identities": {"wecom": "qianshifu"}})
    assert status == 201 and member["identities"] == {"wecom": "qianshifu"} and member["on_duty"] is True
    status, again = await api.post("/staff", {"name": "钱师傅", "role": "agent"})
    assert status == 409 and again["error"]["code"] == "staff_conflict"
    status, taken = await api.post("/staff", {"name": "孙师傅", "role": "technician",
                                             "identities": {"wecom": "qianshifu"}})
    assert status == 409 and "identities.wecom" in taken["error"]["message"]
    assert member["working_hours"] == []
    status, changed = await api.patch(f"/staff/{member['id']}", {"on_duty": False, "capacity": 6,
                                                                 "identities": {"slack": "U0QIAN"},
                                                                 "working_hours": ["08:00-12:00", "13:00-17:00"]},
                                      role="supervisor")
    assert status == 200 and (changed["on_duty"], changed["capacity"]) == (False, 6)
    assert changed["working_hours"] == ["08:00-12:00", "13:00-17:00"]
    status, bad = await api.patch(f"/staff/{member['id']}", {"working_hours": ["17:00-08:00"]}, role="supervisor")
    assert status == 400 and bad["error"]["message"].startswith("working_hours:")
    assert changed["identities"] == {"slack": "U0QIAN"} and changed["skills"] == ["repair"]
    assert (await api.patch("/staff/999999", {"on_duty": True}))[0] == 404
    status, page = await api.get("/staff?on_duty=false")
    assert [m["name"] for m in page["items"]] == ["钱师傅"]


async def test_stats_count_in_the_database(api) -> None:  # type: ignore[no-untyped-def]
    await api.phoned_in(REPAIR)
    await api.phoned_in("发票抬头开错了，需要重开", phone="13600000000")
    status, stats = await api.get("/stats?since=2000-01-01T00:00:00Z", role="supervisor")
    assert status == 200 and stats["total"] == 2
    assert stats["by_type"] == {"invoice": 1, "repair": 1} and stats["by_channel"] == {"phone": 2}
    assert stats["by_status"] == {"assigned": 1, "new": 1}
    assert {x["name"]: x["open_jobs"] for x in stats["technician_load"]} == {"王师傅": 1, "李师傅": 0, "赵师傅": 0}
    assert (stats["surveys_sent"], stats["csat_average"], stats["nps"], stats["kb_deflections"]) == (0, None, None, 0)
    status, answer = await api.get("/stats?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z")
    assert status == 400 and answer["error"]["message"].startswith("since:")
    status, answer = await api.get("/stats?since=0027-01-24T06:08:30Z&until=1197-04-02T13:10:24Z")
    assert status == 400 and answer["error"]["message"].startswith("since:")


async def test_a_long_period_is_counted_by_month(api) -> None:  # type: ignore[no-untyped-def]
    status, stats = await api.get("/stats?since=2025-11-15T00:00:00Z&until=2026-11-30T00:00:00Z", role="supervisor")
    periods = stats["volume_over_time"]["periods"]
    assert status == 200 and stats["volume_over_time"]["bucket"] == "month"
    assert periods[:3] == ["2025-11", "2025-12", "2026-01"] and periods[-1] == "2026-11" and len(periods) == 13
