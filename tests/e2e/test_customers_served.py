"""One customer across channels and the device archive, through the served hub: mail over IMAP, the web chat's
websocket and signed Slack events in, SMTP, the websocket, Slack's Web API and WeCom out; the archive imported with
the CLI. A web-chat and a Slack account join the mail customer only after the code mailed to that address comes back;
a serial in a message puts the device on the ticket with its warranty (API, the technician's notice, a status
query); the same problem told again from another channel joins the open ticket."""
from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.cli import EXIT_OK, main
from channels.webchat.sessions import new_session_id
from testkit.email_peers import wait_until

ZHANG = "zhang@example.test"
REPAIR = "洗衣机不脱水了，一直响，序列号 SN-IN-0001，电话13812345678，地址上海市浦东新区张江路100号3栋"


def _body(mail: Any) -> str:
    return mail.get_body(("plain",)).get_content()


async def _import(staffed: Any, tmp_path: Path) -> None:
    recent = (date.today() - timedelta(days=30)).isoformat()
    archive = tmp_path / "archive.csv"
    archive.write_text("serial,model,product,customer_name,customer_phone,address,purchase_date,warranty_months\n"
                       f"SN-IN-0001,XQG80,滚筒洗衣机,张三,13812345678,上海市浦东新区张江路100号3栋,{recent},24\n"
                       "SN-OUT-0001,KFR35,空调,李四,13900000000,上海市徐汇区漕溪北路1号,2019年3月1日,12\n", "utf-8")
    config = tmp_path / "cli.toml"
    config.write_text(f'[database]\nurl = "{staffed.hub.config.database.url}"\n', "utf-8")
    assert await asyncio.to_thread(main, ["devices", "import", str(archive), "--config", str(config)]) == EXIT_OK


async def _code(staffed: Any, earlier: int) -> str:
    """The one-time code in the newest mail to Zhang's address."""
    await wait_until(lambda: len(staffed.mails_to(ZHANG)) > earlier)
    return re.findall(r"\b(\d{6})\b", _body(staffed.mails_to(ZHANG)[-1]))[0]


async def test_web_chat_and_slack_join_the_mail_customer_after_the_mailed_code(staffed_hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    staffed = staffed_hub
    await _import(staffed, tmp_path)
    await staffed.mail(f"张三 <{ZHANG}>", "洗衣机报修", REPAIR)
    await wait_until(lambda: len(staffed.mails_to(ZHANG)) == 1)
    code = re.findall(r"SR-\d{8}-\d{4}", _body(staffed.mails_to(ZHANG)[0]))[0]
    status, ticket = await staffed.api("GET", f"/tickets/{code}")
    assert status == 200 and ticket["device"] == {"serial": "SN-IN-0001", "model": "XQG80", "warranty": "in"}
    mail_customer = ticket["customer"]["id"]

    chat = await staffed.chat(new_session_id())
    await chat.say(f"绑定 {ZHANG}")
    assert "验证码已发送" in (await chat.next())["text"]
    right = await _code(staffed, 1)
    await chat.say(f"验证码 {'000000' if right != '000000' else '111111'}")
    assert "验证码不正确" in (await chat.next())["text"]
    status, alone = await staffed.api("GET", f"/customers/{mail_customer}")
    assert {i["channel"] for i in alone["identities"]} == {"email"}, "a wrong code links nothing"
    await chat.say(f"验证码 {right}")
    assert "验证成功" in (await chat.next())["text"]

    assert await staffed.slack_message("U0CUSTZHANG", f"link {ZHANG}", channel="D0ZHANG") == 200
    slack_code = await _code(staffed, 2)
    assert await staffed.slack_message("U0CUSTZHANG", f"code {slack_code}", channel="D0ZHANG") == 200
    await staffed.settled()
    assert "Verified" in staffed.slack_sent("D0ZHANG")[-1]["text"]

    status, one = await staffed.api("GET", f"/customers/{mail_customer}")
    assert status == 200 and {i["channel"] for i in one["identities"]} == {"email", "webchat", "slack"}
    assert [t["id"] for t in one["tickets"]] == [code]
    assert one["devices"] == [], "the archive's 张三 holds the device: a phone said in mail is only a claim"
    assert len(one["merges"]) == 2 and all(m["target_id"] == mail_customer for m in one["merges"])

    await chat.say("洗衣机还是不脱水，一直响")
    joined = (await chat.next())["text"]
    assert code in joined and "无需重复报修" in joined
    await chat.say("查询进度")
    report = (await chat.next())["text"]
    assert code in report and "SN-IN-0001" in report and "在保" in report
    status, page = await staffed.api("GET", f"/tickets?customer={mail_customer}")
    assert [t["id"] for t in page["items"]] == [code], "the repeated report opened no second ticket"


async def test_warranty_in_and_out_on_the_ticket_and_in_the_technicians_notice(staffed_hub, tmp_path) -> None:  # type: ignore[no-untyped-def]
    staffed = staffed_hub
    await _import(staffed, tmp_path)
    first = await staffed.chat(new_session_id())
    await first.say(REPAIR)
    opened = (await first.next())["text"]
    second = await staffed.chat(new_session_id())
    await second.say("空调坏了不制冷，机身序列号 SN-OUT-0001，电话13900000000，地址上海市徐汇区漕溪北路1号")
    other = (await second.next())["text"]
    await staffed.settled()
    codes = [re.findall(r"SR-\d{8}-\d{4}", text)[0] for text in (opened, other)]
    warranties = []
    for code in codes:
        status, ticket = await staffed.api("GET", f"/tickets/{code}")
        assert status == 200
        warranties.append(ticket["device"]["warranty"])
        assert any(e["kind"] == "device" for e in ticket["events"])
    assert warranties == ["in", "out"]
    notices = [json.dumps(body, ensure_ascii=False) for body in staffed.wecom_sent("wangshifu")]
    assert any(codes[0] in n and "SN-IN-0001" in n and "免费上门" in n for n in notices), notices
    status, device = await staffed.api("GET", "/devices/sn-out-0001")
    assert status == 200 and device["warranty"] == "out" and device["warranty_end"] == "2020-02-29"
    assert device["customer"]["phone"] == "13900000000" and [t["id"] for t in device["history"]] == [codes[1]]
    assert (await staffed.api("GET", "/devices/SN-NOPE-1"))[0] == 404
