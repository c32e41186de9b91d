"""“我的工单到哪了” in the customer's own words, about one of their tickets: the answer is about the product the
question names, and says so when none of their tickets is."""
from __future__ import annotations

CUSTOMER = "web:status-asker"
WASHER = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"
FRIDGE = "冰箱不制冷了，电话13812345678，地址上海市浦东新区张江路100号3栋"


async def test_a_ticket_reported_before_is_asked_after_by_its_product(desk) -> None:  # type: ignore[no-untyped-def]
    washer = (await desk.say("webchat", CUSTOMER, WASHER))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "我之前还报过一个冰箱的，那个怎么样了")
    assert [o["template"] for o in out] == ["status_report"], "once an inquiry ticket of its own"
    assert out[0]["data"]["unmatched"] == "冰箱" and [t["id"] for t in out[0]["data"]["tickets"]] == [washer]
    fridge = (await desk.say("webchat", CUSTOMER, FRIDGE))[0]["data"]["ticket"]["id"]
    out = await desk.say("webchat", CUSTOMER, "之前报修过冰箱，现在什么进度")
    assert out[0]["data"]["unmatched"] == "" and [t["id"] for t in out[0]["data"]["tickets"]] == [fridge]


async def test_a_ticket_reported_by_phone_is_looked_up_by_staff(desk) -> None:  # type: ignore[no-untyped-def]
    """"我是电话报修的，手机号137…" after "no ticket here" opened a repair asking for an address (手机号 read as a
    phone to repair): it is an inquiry for the agents, who find that ticket and answer here."""
    assert [o["template"] for o in await desk.say("webchat", "web:phoned", "我的工单到哪了")] == ["status_none"]
    out = await desk.say("webchat", "web:phoned", "我是电话报修的，手机号13700001111")
    assert out[0]["template"] == "ticket_opened"
    ticket = await desk.ticket(out[0]["data"]["ticket"]["id"])
    assert (ticket.type, ticket.entities["phones"], ticket.entities.get("products", [])) == (
        "inquiry", ["13700001111"], [])
    assert out[0]["data"]["missing"] == []
