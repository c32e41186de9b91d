"""Staff are never customers, on each channel a staff member writes from, through the served hub: WeCom callbacks,
Slack events and slash commands, mail over IMAP and the web chat's websocket. Their free text gets the staff help
in the same channel and opens nothing; a ticket not theirs is refused with nothing of it."""
from __future__ import annotations

import json

from core.domain.people import PersonKind
from core.storage.models import Customer, Ticket
from testkit.email_peers import wait_until

REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"
STAFF_HELP = "员工发来的消息不会登记为客户工单"


async def _nothing_opened(staffed) -> None:  # type: ignore[no-untyped-def]
    assert await staffed.count(Ticket) == 0 and await staffed.count(Customer) == 0


async def test_a_technician_on_wecom_gets_the_staff_help(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    assert await staffed_hub.wecom("wangshifu", REPAIR) == 200
    assert await staffed_hub.wecom("wangshifu", "查询进度") == 200
    await staffed_hub.settled()
    first, second = [body["markdown"]["content"] for body in staffed_hub.wecom_sent("wangshifu")]
    assert "师傅可用指令" in first and STAFF_HELP in first
    assert "没有进行中的工单" in second
    await _nothing_opened(staffed_hub)


async def test_a_technician_on_slack_gets_the_staff_help_for_messages_and_slash_commands(  # type: ignore[no-untyped-def]
        staffed_hub) -> None:
    assert await staffed_hub.slack_message("U0TECHWANG", REPAIR, channel="D0WANG") == 200
    assert await staffed_hub.slack_command("U0TECHWANG", "new 空调不制冷了，电话13900001111") == 200
    await staffed_hub.settled()
    [dm] = staffed_hub.slack_sent("D0WANG")
    [command] = staffed_hub.slack_sent("C0SHARED")
    assert all("Technician commands" in m["text"] or "师傅可用指令" in m["text"] for m in (dm, command))
    await _nothing_opened(staffed_hub)


async def test_a_supervisor_mailing_from_any_spelling_of_their_address_gets_the_staff_help(  # type: ignore[no-untyped-def]
        staffed_hub) -> None:
    await staffed_hub.add_staff("钱客服", PersonKind.AGENT, {"email": "Qian.Agent@Service.test"})
    await staffed_hub.mail("陈主管 <Supervisor@Example.COM>", "报修", REPAIR)
    await staffed_hub.mail("qian.agent@service.test", "咨询", "怎么退货？")
    await wait_until(lambda: len(staffed_hub.smtp.recorder.mails) == 2)
    [supervisor] = staffed_hub.mails_to("supervisor@example.com")
    [agent] = staffed_hub.mails_to("qian.agent@service.test")
    assert "主管可用指令" in supervisor.get_body(("plain",)).get_content()
    assert "客服可用指令" in agent.get_body(("plain",)).get_content()
    await staffed_hub.settled()
    await _nothing_opened(staffed_hub)


async def test_a_staff_member_on_the_web_chat_gets_the_staff_help(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    await staffed_hub.add_staff("孙师傅", PersonKind.TECHNICIAN, {"webchat": "web:staffsunwebchat0001"})
    chat = await staffed_hub.chat("staffsunwebchat0001")
    await chat.say(REPAIR)
    reply = await chat.next()
    assert "师傅可用指令" in reply["text"] and reply["ticket"] is None
    await staffed_hub.settled()
    await _nothing_opened(staffed_hub)


async def test_a_ticket_not_theirs_reaches_a_technician_with_nothing_of_it(staffed_hub) -> None:  # type: ignore[no-untyped-def]
    customer = await staffed_hub.chat("customerwebchat000001")
    await customer.say(REPAIR)
    code = (await customer.next())["ticket"]["id"]  # dispatched to 王师傅
    await staffed_hub.settled()
    for text in (f"查询进度 {code}", f"接单 {code}", "查询进度"):
        assert await staffed_hub.wecom("lishifu", text) == 200
    assert await staffed_hub.slack_message("U0TECHLI", f"status {code}", channel="D0LI") == 200
    await staffed_hub.settled()
    sent = [b["markdown"]["content"] for b in staffed_hub.wecom_sent("lishifu")]
    sent += [m["text"] for m in staffed_hub.slack_sent("D0LI")]
    assert len(sent) == 4
    assert not any(secret in text for text in sent for secret in ("13812345678", "张江路", "不脱水"))
    own = json.dumps(staffed_hub.wecom_sent("wangshifu"), ensure_ascii=False)
    assert "13812345678" in own, "the assigned technician does get the job sheet"
