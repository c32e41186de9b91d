"""`/webhooks/wechat` driven over HTTP with pushes signed and encrypted the way WeChat builds them."""
from __future__ import annotations

import pytest

from testkit.fakes.weixin_api import message_xml, new_aes_key, wechat_push, wechat_url_check


CREATED = 1795399200


def text_xml(content: str = "空调不制冷了", msg_id: int = 24500000001) -> str:
    return message_xml({"ToUserName": "gh_fake", "FromUserName": "o-customer", "CreateTime": CREATED,
                        "MsgType": "text", "Content": content, "MsgId": msg_id})


def event_xml(event: str, key: str | None = None, created: int = CREATED) -> str:
    fields = {"ToUserName": "gh_fake", "FromUserName": "o-customer", "CreateTime": created, "MsgType": "event",
              "Event": event}
    if key is not None:
        fields["EventKey"] = key
    return message_xml(fields)


async def test_url_verification_echoes_when_signed(client, clock, config):
    ok = await client.get("/webhooks/wechat", params=wechat_url_check(
        token=config.token, timestamp=int(clock.now().timestamp()), echostr="echo-123"))
    forged = await client.get("/webhooks/wechat", params=wechat_url_check(
        token="other", timestamp=int(clock.now().timestamp()), echostr="echo-123"))
    assert (ok.status, await ok.text()) == (200, "echo-123")
    assert forged.status == 403


@pytest.mark.parametrize("safe", [True, False], ids=["aes", "plaintext"])
async def test_text_message_is_committed_then_acked(push, intake, config, safe):
    response = await push(text_xml(), safe=safe)
    assert (response.status, await response.text()) == (200, "success")
    [inbound] = intake.committed
    assert (inbound.channel, inbound.account, inbound.external_id) == ("wechat", config.app_id, "24500000001")
    assert (inbound.sender, inbound.conversation, inbound.text) == ("o-customer", "o-customer", "空调不制冷了")
    assert inbound.sent_at.timestamp() == CREATED
    assert inbound.raw["msg_type"] == "text" and inbound.raw["MsgId"] == "24500000001"


async def test_retried_push_is_acked_but_stored_once(push, intake):
    first, again = await push(text_xml()), await push(text_xml())
    assert [await first.text(), await again.text()] == ["success", "success"]
    assert len(intake.committed) == 1


async def test_media_messages_map_to_text_and_attachments(push, intake):
    base = {"ToUserName": "gh_fake", "FromUserName": "o-customer", "CreateTime": CREATED}
    await push(message_xml({**base, "MsgType": "image", "PicUrl": "http://mmbiz/pic.jpg", "MediaId": "m-img",
                            "MsgId": 1}))
    await push(message_xml({**base, "MsgType": "voice", "MediaId": "m-voice", "Format": "amr",
                            "Recognition": "洗衣机漏水", "MsgId": 2}))
    await push(message_xml({**base, "MsgType": "location", "Location_X": "31.23", "Location_Y": "121.47",
                            "Scale": "15", "Label": "上海市浦东新区", "MsgId": 3}))
    await push(message_xml({**base, "MsgType": "link", "Title": "订单截图", "Description": "d",
                            "Url": "https://shop.example/o/1", "MsgId": 4}))
    image, voice, location, link = intake.committed
    assert image.attachments[0].kind == "image" and image.attachments[0].url == "m-img"
    assert voice.text == "洗衣机漏水" and voice.attachments[0].url == "m-voice"
    assert voice.attachments[0].content_type == "audio/amr"
    assert location.text == "上海市浦东新区 (31.23, 121.47)" and location.attachments[0].url == "geo:31.23,121.47"
    assert link.text == "订单截图 https://shop.example/o/1" and link.attachments[0].kind == "link"


async def test_scan_of_a_device_qr_attaches_the_serial(push, intake):
    await push(event_xml("SCAN", "sn:AC2026X001"))
    await push(event_xml("subscribe", "qrscene_sn:WM-778", created=CREATED + 5))
    scan, subscribe = intake.committed
    assert scan.text == "" and scan.raw["scene"] == "sn:AC2026X001" and scan.raw["serial"] == "AC2026X001"
    assert scan.external_id == f"event:o-customer:{CREATED}:SCAN"
    assert subscribe.raw["event"] == "subscribe" and subscribe.raw["serial"] == "WM-778"


async def test_plain_scene_has_no_serial(push, intake):
    await push(event_xml("SCAN", "store-42"))
    assert intake.committed[0].raw["scene"] == "store-42" and "serial" not in intake.committed[0].raw


async def test_menu_click_becomes_its_command_and_other_events_are_kept(push, intake):
    await push(event_xml("CLICK", "MENU_STATUS"))
    await push(event_xml("CLICK", "status SR-20261123-0001", created=CREATED + 1))
    await push(event_xml("subscribe", created=CREATED + 2))
    await push(event_xml("unsubscribe", created=CREATED + 3))
    assert [i.text for i in intake.committed] == ["查询进度", "status SR-20261123-0001", "", ""]
    assert [i.raw["event"] for i in intake.committed] == ["click", "click", "subscribe", "unsubscribe"]


async def test_unknown_types_are_stored_and_acked(push, intake):
    odd = message_xml({"ToUserName": "gh_fake", "FromUserName": "o-customer", "CreateTime": CREATED,
                       "MsgType": "hologram", "MsgId": 77})
    strange_event = event_xml("some_future_event", created=CREATED + 9)
    responses = [await push(odd), await push(strange_event)]
    assert [r.status for r in responses] == [200, 200]
    assert [i.raw["msg_type"] for i in intake.committed] == ["hologram", "event"]
    assert intake.committed[0].text == "" and intake.committed[0].external_id == "77"


async def test_intake_failure_is_not_acked(channel, client, clock, config, monkeypatch):
    async def broken(inbounds):
        raise ConnectionError("database down")
    monkeypatch.setattr(channel, "_intake", broken)
    query, body = wechat_push(token=config.token, xml=text_xml(), timestamp=int(clock.now().timestamp()))
    response = await client.post("/webhooks/wechat", params=query, data=body)
    assert response.status == 500


@pytest.mark.parametrize("overrides", [
    {"token": "not-the-token"},
    {"timestamp": -301},
    {"timestamp": 600},
    {"app_id": "wx-other-app"},
], ids=["forged-signature", "stale", "future", "wrong-appid"])
async def test_forged_stale_or_foreign_pushes_are_refused(push, intake, clock, overrides):
    if "timestamp" in overrides:
        overrides = {"timestamp": int(clock.now().timestamp()) + overrides["timestamp"]}
    response = await push(text_xml(), **overrides)
    assert response.status == 403
    assert intake.committed == []


async def test_bad_msg_signature_is_refused(client, clock, config, intake):
    query, body = wechat_push(token=config.token, xml=text_xml(), timestamp=int(clock.now().timestamp()),
                              aes_key=config.encoding_aes_key, app_id=config.app_id)
    query["msg_signature"] = "0" * 40
    response = await client.post("/webhooks/wechat", params=query, data=body)
    assert response.status == 403 and intake.committed == []


async def test_body_encrypted_with_another_key_is_refused(push, intake):
    response = await push(text_xml(), aes_key=new_aes_key())
    assert response.status in (400, 403) and intake.committed == []


BOMB = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o-customer</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&c;</Content><MsgId>9</MsgId></xml>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o-customer</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&x;</Content><MsgId>9</MsgId></xml>"""


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL, "<xml><Content>unclosed", "<other/>"],
                         ids=["billion-laughs", "external-entity", "malformed", "wrong-root"])
@pytest.mark.parametrize("safe", [True, False], ids=["aes", "plaintext"])
async def test_hostile_xml_is_refused(push, intake, xml, safe):
    response = await push(xml, safe=safe)
    assert response.status == 400 and intake.committed == []


async def test_one_megabyte_body_is_refused(push, intake):
    response = await push(text_xml("满" * 400_000), safe=False)
    assert response.status == 413 and intake.committed == []


async def test_unsigned_push_is_refused(client, intake):
    response = await client.post("/webhooks/wechat", data=text_xml().encode())
    assert response.status == 400 and intake.committed == []


@pytest.mark.parametrize("sender", [None, "", "  "], ids=["missing", "empty", "blank"])
@pytest.mark.parametrize("safe", [True, False], ids=["aes", "plaintext"])
async def test_signed_push_without_sender_is_acked_logged_and_not_stored(push, intake, caplog, sender, safe):
    fields = {"ToUserName": "gh_fake", "FromUserName": sender, "CreateTime": CREATED, "MsgType": "text",
              "Content": "空调不制冷了", "MsgId": 24500000009}
    xml = message_xml({k: v for k, v in fields.items() if v is not None})
    response = await push(xml, safe=safe)
    assert (response.status, await response.text()) == (200, "success")
    assert intake.committed == []
    [line] = [r.getMessage() for r in caplog.records if r.name == "channels.tencent.webhook"]
    assert "without FromUserName" in line and "24500000009" in line and "\n" not in line


async def test_event_without_sender_is_acked_and_not_stored(push, intake):
    xml = message_xml({"ToUserName": "gh_fake", "CreateTime": CREATED, "MsgType": "event", "Event": "subscribe"})
    response = await push(xml)
    assert (response.status, await response.text()) == (200, "success")
    assert intake.committed == []
