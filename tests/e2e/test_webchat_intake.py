"""The foundation end to end: a web-chat customer opens a typed ticket, adds details, asks for status."""
from __future__ import annotations

from sqlalchemy import func, select

from core.storage.models import InboxRow, OutboxRow, Ticket, TicketEvent, TicketMessage


async def _count(hub, model) -> int:  # type: ignore[no-untyped-def]
    async with hub.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_problem_opens_typed_ticket_and_details_join_it(hub_server, chat) -> None:
    hub, _ = hub_server
    customer = await chat()
    await customer.say("你好")
    greeting = await customer.next()
    assert greeting["ticket"] is None and "售后" in greeting["text"]
    assert await _count(hub, Ticket) == 0

    await customer.say("家里的洗衣机不脱水了，还一直响，麻烦派个师傅来修一下")
    opened = await customer.next()
    card = opened["ticket"]
    assert card["type"] == "repair" and card["status"] == "new" and card["id"].startswith("SR-")
    assert card["id"] in opened["text"] and "联系电话" in opened["text"]

    await customer.say("电话13812345678，地址上海市浦东新区张江路100号3栋")
    updated = await customer.next()
    assert updated["ticket"]["id"] == card["id"]
    assert await _count(hub, Ticket) == 1
    async with hub.sessions() as session:
        ticket = await session.scalar(select(Ticket))
        assert "13812345678" in ticket.entities["phones"]
        assert ticket.entities["addresses"]
        assert await session.scalar(select(func.count()).select_from(TicketMessage)) == 2
        actions = list(await session.scalars(select(TicketEvent.action).order_by(TicketEvent.id)))
        assert actions[0] == "opened" and "details_added" in actions

    await customer.say("查询进度")
    status = await customer.next()
    assert card["id"] in status["text"]


async def test_english_customer_gets_english_reply(hub_server, chat) -> None:
    customer = await chat()
    await customer.say("status")
    reply = await customer.next()
    assert "found no ticket of yours" in reply["text"]


async def test_resent_message_has_one_effect(hub_server, chat) -> None:
    hub, _ = hub_server
    customer = await chat()
    await customer.say("冰箱不制冷了，里面的东西都化了", client_id="same-1")
    first = await customer.next()
    again = await chat(customer.session)
    await again.say("冰箱不制冷了，里面的东西都化了", client_id="same-1")
    assert first["ticket"]["type"] == "repair"
    assert await _count(hub, InboxRow) == 1
    assert await _count(hub, Ticket) == 1
    assert await _count(hub, OutboxRow) == 1


async def test_urgent_safety_problem_is_p1(hub_server, chat) -> None:
    customer = await chat()
    await customer.say("燃气热水器有很大的燃气味，家里有老人小孩，怎么办")
    reply = await customer.next()
    assert reply["ticket"]["priority"] == "P1"


async def test_healthz_metrics_and_the_front_page(hub_server, chat) -> None:  # type: ignore[no-untyped-def]
    import aiohttp
    from prometheus_client.parser import text_string_to_metric_families

    hub, server = hub_server
    customer = await chat()
    await customer.say("洗衣机不脱水了")
    await customer.next()
    async with hub.sessions() as session, session.begin():
        session.add(InboxRow(channel="webchat", external_id="left-over", conversation="web:x", payload={},
                             status="pending", attempts=0, last_error="", received_at=hub.clock.now()))
    async with aiohttp.ClientSession() as http:
        async with http.get(server.make_url("/healthz")) as response:
            assert response.status == 200 and await response.json() == {"status": "ok"}
        async with http.get(server.make_url("/metrics")) as response:
            samples = {sample.name: sample.value for family in text_string_to_metric_families(await response.text())
                       for sample in family.samples}
        assert samples["aftersales_intake_commit_seconds_count"] == 1
        assert samples["aftersales_inbox_backlog"] == 1
        assert samples['aftersales_inbound_accepted_total'] == 1
        async with http.get(server.make_url("/"), allow_redirects=False) as response:
            assert (response.status, response.headers["Location"]) == (302, "/chat")
