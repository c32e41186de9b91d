"""A person takes the conversation from the bot, through the served hub: a web-chat customer asks for a person, the
alert lands in the Slack alerts channel, an agent answers by replying in the alert's thread and the customer's
browser shows it; the customer's next words go into that thread, not to the bot; `结束` in the thread hands the
conversation back. The console's reply through the API reaches the customer's socket the same way."""
from __future__ import annotations

import asyncio
from typing import Any

CUSTOMER = "handover0000abcdefgh"
REPAIR = "洗衣机不脱水了，一直响，地址上海市浦东新区张江路100号3栋，电话13812345678"


async def _slack_posts(staffed, channel: str, *, count: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    for _ in range(600):
        posts = staffed.slack_sent(channel)
        if len(posts) >= count:
            return posts
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} Slack posts in {channel}: {posts}")


async def test_a_handover_round_trip_on_slack(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    chat = await staffed_hub.chat(CUSTOMER)
    await chat.say(REPAIR)
    opened = await chat.next()
    code = opened["ticket"]["id"]
    await chat.say("转人工")
    assert "人工客服" in (await chat.next())["text"]
    [alert] = await _slack_posts(staffed_hub, "C0ALERTS", count=1)
    assert code in alert["text"] and "转人工" in alert["text"] and not alert.get("thread_ts")
    alert_ts = next(ts for (channel, ts), m in staffed_hub.slack.messages.items()
                    if channel == "C0ALERTS" and m["thread_ts"] is None)

    assert await staffed_hub.slack_message("U0AGENTZHOU", "您好，我是客服小周，师傅明天上午到", channel="C0ALERTS",
                                           thread_ts=alert_ts) == 200
    answer = await chat.next()
    assert "师傅明天上午到" in answer["text"] and "周客服" in answer["text"]

    await chat.say("好的，我明天上午在家")
    posts = await _slack_posts(staffed_hub, "C0ALERTS", count=2)
    assert posts[1].get("thread_ts") == alert_ts and "我明天上午在家" in posts[1]["text"]

    assert await staffed_hub.slack_message("U0AGENTZHOU", "结束", channel="C0ALERTS", thread_ts=alert_ts) == 200
    assert "人工服务已结束" in (await chat.next())["text"]
    await chat.say("查询进度")
    assert code in (await chat.next())["text"], "the bot answers again"

    status, ticket = await staffed_hub.api("GET", f"/tickets/{code}")
    assert status == 200 and ticket["first_response_at"] is not None and ticket["handover"] is None
    said = [(m["direction"], m["text"]) for m in ticket["messages"]]
    assert ("out", "您好，我是客服小周，师傅明天上午到") in said and ("in", "好的，我明天上午在家") in said
    kinds = [e["kind"] for e in ticket["events"]]
    assert kinds.index("handover_requested") < kinds.index("handover_taken") < kinds.index("handover_released")
    await chat.ws.close()


async def test_a_console_reply_reaches_the_web_chat_socket(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    chat = await staffed_hub.chat(CUSTOMER)
    await chat.say(REPAIR)
    code = (await chat.next())["ticket"]["id"]
    status, taken = await staffed_hub.api("POST", f"/tickets/{code}/handover", {})
    assert status == 200 and taken["handover"]["state"] == "held"
    assert "已接入" in (await chat.next())["text"]
    status, sent = await staffed_hub.api("POST", f"/tickets/{code}/replies", {"text": "已为您加急，师傅今天下午到"})
    assert status == 201 and sent["message"]["author"] == "api:console"
    assert "师傅今天下午到" in (await chat.next())["text"]
    await chat.say("谢谢，我等着")
    status, ticket = await staffed_hub.api("GET", "/tickets?handover=held")
    assert status == 200 and [t["id"] for t in ticket["items"]] == [code]
    status, released = await staffed_hub.api("DELETE", f"/tickets/{code}/handover")
    assert status == 200 and released["handover"] is None
    assert "人工服务已结束" in (await chat.next())["text"]
    assert (await staffed_hub.api("DELETE", f"/tickets/{code}/handover"))[0] == 409
    await chat.ws.close()
