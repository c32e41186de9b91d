"""Through the served hub with the WeCom fake and a short `[dispatch] accept_timeout`: an offer 王师傅 leaves
unanswered moves to 李师傅 on its own (a durable timer), 王师傅 is told, and the audit log says so."""
from __future__ import annotations

from typing import Any

import pytest

from testkit.email_peers import wait_until

REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"


@pytest.fixture
def staffed_settings() -> dict[str, Any]:
    return {"dispatch": {"accept_timeout": "2s"}}


def _cards(staffed, user: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [b for b in staffed.wecom_sent(user) if b.get("msgtype") == "template_card"]


async def test_an_unanswered_offer_moves_on_and_the_first_technician_is_told(messaging_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await messaging_hub.chat("customerwebchat000001")
    await customer.say(REPAIR)
    code = (await customer.next())["ticket"]["id"]
    await wait_until(lambda: len(_cards(messaging_hub, "wangshifu")) == 1)
    await wait_until(lambda: len(_cards(messaging_hub, "lishifu")) == 1)
    assert code in _cards(messaging_hub, "lishifu")[0]["template_card"]["main_title"]["title"]
    await wait_until(lambda: any("未接单" in b.get("markdown", {}).get("content", "")
                                 for b in messaging_hub.wecom_sent("wangshifu")))
    status, ticket = await messaging_hub.api("GET", f"/tickets/{code}")
    assert status == 200
    expired = [e for e in ticket["events"] if e["kind"] == "offer_expired"]
    assert expired and all(e["actor"] == "system:dispatch" for e in expired)
    assert _cards(messaging_hub, "wangshifu")[0]["touser"] == "wangshifu"
