"""Devices and identities in conversations: a WeChat QR scan puts the device on the thread's ticket (or on the next
problem told) and shows its warranty; staff name a job's device; a phone claimed in chat links to its trusted owner
only with the code sent to that owner's channel, and a phone two customers hold links nobody."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from core.clock import SystemClock
from core.domain.devices import DeviceSpec
from core.services.unit import Services
from core.storage.models import Customer, Device, Identity, Ticket

REPAIR = "洗衣机不脱水了，一直响，电话13812345678，地址上海市浦东新区张江路100号3栋"


async def _archive(desk, *specs: DeviceSpec) -> None:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session, session.begin():
        await Services.in_transaction(session, SystemClock()).devices.import_specs(list(specs))


def _in_warranty(serial: str, phone: str = "") -> DeviceSpec:
    return DeviceSpec(serial=serial, model="XQG80", product="洗衣机", customer_phone=phone,
                      purchase_date=date.today() - timedelta(days=10), warranty_months=12)


async def test_a_scan_in_a_thread_with_an_open_ticket_names_its_device(desk) -> None:  # type: ignore[no-untyped-def]
    await _archive(desk, _in_warranty("SN-SCAN-01"))
    [opened, *_] = await desk.say("wechat", "oScan1", REPAIR)
    code = opened["data"]["ticket"]["id"]
    [scanned] = await desk.say("wechat", "oScan1", "", raw={"scene": "sn:sn-scan-01", "serial": "sn-scan-01"})
    assert scanned["template"] == "device_scanned" and scanned["data"]["ticket"]["id"] == code
    assert scanned["data"]["device"]["warranty"] == "in"
    ticket = await desk.ticket(code)
    assert ticket.device_id is not None
    [status] = await desk.say("wechat", "oScan1", "查询进度")
    assert status["data"]["tickets"][0]["device"] == {"serial": "SN-SCAN-01", "model": "XQG80", "warranty": "in"}


async def test_a_scan_first_puts_the_device_on_the_problem_told_next(desk) -> None:  # type: ignore[no-untyped-def]
    [scanned] = await desk.say("wechat", "oScan2", "", raw={"serial": "NEW-UNIT-9"})
    assert scanned["data"]["ticket"] is None and scanned["data"]["device"]["warranty"] == "unknown"
    [opened, *_] = await desk.say("wechat", "oScan2", REPAIR)
    ticket = await desk.ticket(opened["data"]["ticket"]["id"])
    assert ticket.device_id is not None and ticket.entities["serial_numbers"] == ["NEW-UNIT-9"]


async def test_a_warranty_question_about_a_known_unit_is_answered_with_its_own_warranty(desk) -> None:  # type: ignore[no-untyped-def]
    """"我这台还在保修期吗 SN…" got the general warranty article, though the archive knew that unit's warranty."""
    await _archive(desk, _in_warranty("SN-ASK-01"), DeviceSpec(serial="SN-2019-OLD", model="KFR35", product="空调",
                                                              purchase_date=date(2019, 1, 1), warranty_months=12))
    [answer] = await desk.say("webchat", "w-warranty", "我这台还在保修期吗？序列号SN-ASK-01")
    assert answer["template"] == "warranty_status"
    assert (answer["data"]["device"]["serial"], answer["data"]["device"]["warranty"]) == ("SN-ASK-01", "in")
    [old] = await desk.say("webchat", "w-warranty-2", "这台空调过保了吗？SN: SN-2019-OLD")
    assert old["data"]["device"]["warranty"] == "out" and old["data"]["device"]["warranty_end"] == "2019-12-31"
    [opened, *_] = await desk.say("webchat", "w-warranty-2", "那报修吧，" + REPAIR)
    ticket = await desk.ticket(opened["data"]["ticket"]["id"])
    assert ticket.entities["serial_numbers"] == ["SN-2019-OLD"], "the problem told next is the unit asked about"

    [opened, *_] = await desk.say("webchat", "w-warranty-3", REPAIR + "，序列号SN-ASK-01")
    assert (await desk.ticket(opened["data"]["ticket"]["id"])).device_id is not None
    [answer] = await desk.say("webchat", "w-warranty-3", "这台还在保修期内吗")
    assert answer["template"] == "warranty_status" and answer["data"]["device"]["serial"] == "SN-ASK-01", \
        "the device of the ticket open in the thread"

    [general] = await desk.say("webchat", "w-warranty-4", "保修期多久？序列号SN-NOT-KNOWN")
    assert general["template"] != "warranty_status", "an unknown serial gets no other unit's warranty"

    async with desk.hub.sessions() as session, session.begin():
        owner = await session.scalar(select(Identity.customer_id).where(Identity.external_id == "w-warranty-4"))
        await session.execute(update(Device).where(Device.serial == "SN-2019-OLD").values(customer_id=owner))
    [own] = await desk.say("webchat", "w-warranty-4", "我家空调还在保修期吗")
    assert own["template"] == "warranty_status" and own["data"]["device"]["serial"] == "SN-2019-OLD", \
        "the customer's only registered device"


async def test_a_serial_sent_after_the_warranty_article_is_answered_with_that_units_warranty(desk) -> None:  # type: ignore[no-untyped-def]
    """The article says "在聊天里发送产品序列号…即可查询这台设备的保修状态", but the serial sent then filed an inquiry."""
    await _archive(desk, _in_warranty("SN-AFTER-01"))
    [article] = await desk.say("webchat", "w-after", "保修期多久")
    assert article["template"] == "kb_answer"
    [told] = await desk.say("webchat", "w-after", "SN: SN-AFTER-01")
    assert told["template"] == "warranty_status" and told["data"]["device"]["warranty"] == "in"
    [filed, *_] = await desk.say("webchat", "w-after", "洗衣机漏水了")
    assert (await desk.ticket(filed["data"]["ticket"]["id"])).entities["serial_numbers"] == ["SN-AFTER-01"]

    await desk.say("webchat", "w-after-2", "保修期多久")
    [unknown] = await desk.say("webchat", "w-after-2", "SN: SN-NOBODY-9")
    assert unknown["template"] != "warranty_status", "a serial the archive does not know is filed for staff"


async def test_staff_name_the_device_of_a_job_and_a_bad_serial_is_refused(desk) -> None:  # type: ignore[no-untyped-def]
    await _archive(desk, DeviceSpec(serial="SN-OLD-77", model="KFR35", purchase_date=date(2019, 1, 1),
                                    warranty_months=12))
    [opened, *_] = await desk.say("webchat", "w-staffdev", REPAIR)
    code = opened["data"]["ticket"]["id"]
    [refused] = await desk.say("wecom", "chenzhuguan", f"设备 {code} SN 77")
    assert refused["template"] == "device_which" and refused["data"]["serial"] == "SN"
    [added] = await desk.say("wecom", "chenzhuguan", f"设备 {code} sn-old-77")
    assert added["template"] == "device_added" and added["data"]["device"]["warranty"] == "out"
    [hidden] = await desk.say("wecom", "zhaoshifu", f"device {code} SN-OLD-77")
    assert hidden["template"] == "ticket_not_visible", "a technician names devices on their own jobs only"
    [event] = await desk.events(code, "device")
    assert event.actor.startswith("supervisor:") and event.after["serial"] == "SN-OLD-77"


async def test_a_claimed_phone_links_only_with_the_code_sent_to_its_owner(slack_desk) -> None:  # type: ignore[no-untyped-def]
    desk = slack_desk
    [opened, *_] = await desk.say("slack", "U0OWNER", "空调坏了不制冷 电话13700001111 地址上海市徐汇区漕溪北路1号")
    owner_ticket = opened["data"]["ticket"]["id"]
    [found] = await desk.say("webchat", "w-claim", "绑定 13700001111")
    assert found["data"]["outcome"] == "unknown", "a phone said in chat is a claim: it makes nobody its owner"
    async with desk.hub.sessions() as session, session.begin():
        owner = (await session.scalar(select(Ticket).where(Ticket.code == owner_ticket))).customer_id
        (await session.get(Customer, owner)).phone_source = "staff"
    asked = await desk.say("webchat", "w-claim2", "绑定 137-0000-1111")
    [told, code_message] = asked
    assert told["data"]["outcome"] == "sent" and told["data"]["to"] == "slack"
    assert (code_message["channel"], code_message["recipient"]) == ("slack", "U0OWNER")
    code = code_message["data"]["code"]
    for _ in range(5):
        [wrong] = await desk.say("webchat", "w-claim2", "验证码 " + ("1" if code[0] != "1" else "2") * 6)
        assert wrong["data"]["outcome"] == "wrong"
    [locked] = await desk.say("webchat", "w-claim2", f"验证码 {code}")
    assert locked["data"]["outcome"] == "locked"
    [_, second] = await desk.say("webchat", "w-claim2", "绑定 13700001111")
    [linked] = await desk.say("webchat", "w-claim2", f"验证码 {second['data']['code']}")
    assert linked["data"]["outcome"] == "linked"
    async with desk.hub.sessions() as session:
        web = await session.scalar(select(Identity).where(Identity.external_id == "w-claim2"))
        assert web.customer_id == owner
    [status] = await desk.say("webchat", "w-claim2", "查询进度")
    assert [t["id"] for t in status["data"]["tickets"]] == [owner_ticket]


async def test_a_phone_two_customers_hold_links_nobody(desk) -> None:  # type: ignore[no-untyped-def]
    async with desk.hub.sessions() as session, session.begin():
        for name in ("甲", "乙"):
            session.add(Customer(name=name, phone="13600002222", phone_source="import", locale="zh",
                                 created_at=SystemClock().now()))
    [answer] = await desk.say("webchat", "w-twice", "link 13600002222")
    assert answer["data"]["outcome"] == "ambiguous" and answer["locale"] == "en"
    [nothing] = await desk.say("webchat", "w-twice", "code 123456")
    assert nothing["data"]["outcome"] == "none"
    [bad] = await desk.say("webchat", "w-twice", "link my phone")
    assert bad["data"]["outcome"] == "invalid"


async def test_no_code_goes_where_this_hub_cannot_send(desk) -> None:  # type: ignore[no-untyped-def]
    """The desk sends on the web chat only: no mail for an email address, no Slack for a phone's owner known
    there; the asker is told staff must link it, and no code is queued."""
    [answer] = await desk.say("webchat", "w-mail", "绑定 zhang@example.com")
    assert (answer["template"], answer["data"]["outcome"]) == ("link_result", "no_email")
    [opened, *_] = await desk.say("slack", "U0ELSEWHERE", "空调坏了不制冷 电话13700003333 地址上海市徐汇区漕溪北路1号")
    async with desk.hub.sessions() as session, session.begin():
        owner = (await session.scalar(select(Ticket).where(Ticket.code == opened["data"]["ticket"]["id"])))
        (await session.get(Customer, owner.customer_id)).phone_source = "import"
    [phone] = await desk.say("webchat", "w-phone", "link 13700003333")
    assert phone["data"]["outcome"] == "unreachable" and phone["locale"] == "en"
