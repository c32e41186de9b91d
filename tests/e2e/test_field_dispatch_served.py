"""Through the served hub with the WeCom and Slack fakes: a pooled job claimed by one technician rewrites the other
technicians' offers in place — WeCom's card buttons (`update_template_card`), Slack's message (`chat.update`) — to
say who took it; and a supervisor's `转派` gives a job to another technician with both told."""
from __future__ import annotations

from typing import Any

from core.domain.people import PersonKind
from testkit.email_peers import wait_until

HANGZHOU = "热水器不出热水了，电话13812345678，地址浙江省杭州市西湖区文三路1号"
SHANGHAI = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"


def _cards(staffed, user: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [b for b in staffed.wecom_sent(user) if b.get("msgtype") == "template_card"]


def _texts(staffed, user: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["markdown"]["content"] for b in staffed.wecom_sent(user) if b.get("msgtype") == "markdown"]


async def test_a_claimed_pool_job_rewrites_the_other_offers_in_place(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    await messaging_hub.add_staff("孙师傅", PersonKind.TECHNICIAN, {"slack": "U0TECHSUN"})
    customer = await messaging_hub.chat("customerwebchat000002")
    await customer.say(HANGZHOU)
    code = (await customer.next())["ticket"]["id"]
    await messaging_hub.settled()
    assert len(_cards(messaging_hub, "wangshifu")) == len(_cards(messaging_hub, "lishifu")) == 1
    [offer] = messaging_hub.slack_sent("U0TECHSUN")
    assert code in offer["text"]

    assert await messaging_hub.wecom("lishifu", f"接单 {code}") == 200
    await messaging_hub.settled()
    [update] = messaging_hub.weixin.sent("/cgi-bin/message/update_template_card")
    assert update["userids"] == ["wangshifu"] and update["button"]["replace_name"] == "已被 李师傅 接单"
    [rewrite] = messaging_hub.slack.called("chat.update")
    assert "李师傅" in rewrite["text"] and code in rewrite["text"]
    assert all(block.get("type") != "actions" for block in rewrite.get("blocks") or []), "the buttons are gone"
    assert messaging_hub.slack.messages[(rewrite["channel"], rewrite["ts"])]["text"] == rewrite["text"]
    status, ticket = await messaging_hub.api("GET", f"/tickets/{code}")
    assert (status, ticket["status"], ticket["assignee"]["name"]) == (200, "accepted", "李师傅")


async def test_a_supervisor_transfers_a_job_and_both_technicians_are_told(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await messaging_hub.chat("customerwebchat000003")
    await customer.say(SHANGHAI)
    code = (await customer.next())["ticket"]["id"]
    await messaging_hub.settled()
    assert await messaging_hub.wecom("wangshifu", f"接单 {code}") == 200
    assert await messaging_hub.wecom("chenzhuguan", f"转派 {code} 李师傅") == 200
    await messaging_hub.settled()
    assert any("转派" in text and code in text for text in _texts(messaging_hub, "wangshifu"))
    [card] = _cards(messaging_hub, "lishifu")
    assert [b["key"] for b in card["template_card"]["button_list"]] == [f"接单 {code}", f"拒单 {code}"]
    assert any("李师傅" in text for text in _texts(messaging_hub, "chenzhuguan"))
    status, ticket = await messaging_hub.api("GET", f"/tickets/{code}")
    assert (ticket["status"], ticket["assignee"]["name"]) == ("assigned", "李师傅")


async def test_an_agreed_visit_is_in_the_status_answer(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await messaging_hub.chat("customerwebchat000004")
    await customer.say(SHANGHAI)
    code = (await customer.next())["ticket"]["id"]
    await messaging_hub.settled()
    assert await messaging_hub.wecom("wangshifu", f"接单 {code}") == 200
    offer = await customer.next()
    while "上门时间" not in offer["text"]:
        offer = await customer.next()
    [first, *_] = offer["actions"]
    assert first["command"].startswith(f"预约 {code} ")
    await customer.say(first["command"])
    agreed = await customer.next()
    assert "王师傅" in agreed["text"] and "上门" in agreed["text"]
    await customer.say("查询进度")
    status = await customer.next()
    when = first["label"][-5:]
    assert f"上门：王师傅 " in status["text"] and f"{when}–" in status["text"] and status["text"].rstrip().endswith("上门")
    await messaging_hub.settled()
    assert any("预约了上门时间" in text and code in text for text in _texts(messaging_hub, "wangshifu"))
