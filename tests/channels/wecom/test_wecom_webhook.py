"""`/webhooks/wecom` driven over HTTP with callbacks signed (msg_signature) and AES-encrypted like WeCom's."""
from __future__ import annotations

import pytest

from testkit.fakes.weixin_api import message_xml, new_aes_key, wecom_push, wecom_url_check

CREATED = 1795399200


def staff_xml(msg_type: str = "text", agent: int = 1000002, **fields) -> str:
    base = {"ToUserName": "ww0123456789abcdef", "FromUserName": "zhang.wei", "CreateTime": CREATED,
            "MsgType": msg_type}
    return message_xml({**base, **fields, "AgentID": agent})


def card_event_xml(key: str, task: str = "dispatch-1", created: int = CREATED) -> str:
    return message_xml({"ToUserName": "ww0123456789abcdef", "FromUserName": "zhang.wei", "CreateTime": created,
                        "MsgType": "event", "Event": "template_card_event", "EventKey": key, "TaskId": task,
                        "CardType": "button_interaction", "ResponseCode": "rc-1", "AgentID": 1000002})


async def test_url_verification_answers_the_decrypted_echo(client, clock, config):
    params = wecom_url_check(token=config.token, aes_key=config.encoding_aes_key, corp_id=config.corp_id,
                             timestamp=int(clock.now().timestamp()), echo="1616140317555161061")
    ok = await client.get("/webhooks/wecom", params=params)
    forged = await client.get("/webhooks/wecom", params={**params, "msg_signature": "f" * 40})
    assert (ok.status, await ok.text()) == (200, "1616140317555161061")
    assert forged.status == 403


async def test_staff_text_becomes_inbound_keyed_by_userid(push, intake, config):
    response = await push(staff_xml(Content="接单 SR-20261123-0001", MsgId=7001))
    assert (response.status, await response.text()) == (200, "")
    [inbound] = intake.committed
    assert (inbound.channel, inbound.account) == ("wecom", f"{config.corp_id}:{config.agent_id}")
    assert (inbound.sender, inbound.conversation, inbound.external_id) == ("zhang.wei", "zhang.wei", "7001")
    assert inbound.text == "接单 SR-20261123-0001" and inbound.raw["msg_type"] == "text"


async def test_card_button_press_arrives_as_its_command(push, intake):
    await push(card_event_xml("接单 SR-20261123-0001"))
    await push(card_event_xml("接单 SR-20261123-0001"))
    await push(card_event_xml("拒单 SR-20261123-0002", task="dispatch-2"))
    accept, decline = intake.committed
    assert accept.text == "接单 SR-20261123-0001" and accept.raw["event"] == "template_card_event"
    assert accept.external_id == f"event:zhang.wei:{CREATED}:template_card_event:dispatch-1"
    assert decline.text == "拒单 SR-20261123-0002"


async def test_menu_click_and_other_events(push, intake):
    await push(staff_xml("event", Event="click", EventKey="我的工单"))
    await push(staff_xml("event", Event="enter_agent", EventKey=""))
    await push(staff_xml("image", PicUrl="https://wework/p.jpg", MediaId="m1", MsgId=7002))
    click, enter, image = intake.committed
    assert click.text == "我的工单" and enter.text == "" and enter.raw["event"] == "enter_agent"
    assert image.attachments[0].url == "m1"


@pytest.mark.parametrize("overrides", [
    {"token": "not-the-token"},
    {"timestamp": -3600},
    {"corp_id": "ww-other-corp"},
], ids=["forged-signature", "stale", "wrong-corpid"])
async def test_forged_stale_or_foreign_callbacks_are_refused(push, intake, clock, overrides):
    if "timestamp" in overrides:
        overrides = {"timestamp": int(clock.now().timestamp()) + overrides["timestamp"]}
    response = await push(staff_xml(Content="hi", MsgId=1), **overrides)
    assert response.status == 403 and intake.committed == []


async def test_callback_for_another_agent_is_refused(push, intake):
    response = await push(staff_xml(agent=1000099, Content="hi", MsgId=1))
    assert response.status == 403 and intake.committed == []


async def test_callback_encrypted_with_another_key_is_refused(push, intake):
    response = await push(staff_xml(Content="hi", MsgId=1), aes_key=new_aes_key())
    assert response.status in (400, 403) and intake.committed == []


BOMB = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        '<xml><FromUserName>zhang.wei</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>'
        '<Content>&b;</Content><MsgId>9</MsgId></xml>')


async def test_entity_laden_plaintext_inside_valid_encryption_is_refused(push, intake):
    response = await push(BOMB)
    assert response.status == 400 and intake.committed == []


async def test_entity_laden_envelope_is_refused(client, clock, config, intake):
    query, _ = wecom_push(token=config.token, aes_key=config.encoding_aes_key, corp_id=config.corp_id,
                          agent_id=1000002, xml=staff_xml(Content="hi", MsgId=1),
                          timestamp=int(clock.now().timestamp()))
    response = await client.post("/webhooks/wecom", params=query, data=BOMB.encode())
    assert response.status == 400 and intake.committed == []


async def test_one_megabyte_body_is_refused(push, intake):
    response = await push(staff_xml(Content="满" * 300_000, MsgId=1))
    assert response.status == 413 and intake.committed == []


@pytest.mark.parametrize("sender", [None, ""], ids=["missing", "empty"])
async def test_callback_without_sender_is_acked_logged_and_not_stored(push, intake, caplog, sender):
    fields = {"ToUserName": "ww0123456789abcdef", "FromUserName": sender, "CreateTime": CREATED, "MsgType": "text",
              "Content": "我的工单", "MsgId": 7009, "AgentID": 1000002}
    response = await push(message_xml({k: v for k, v in fields.items() if v is not None}))
    assert (response.status, await response.text()) == (200, "")
    assert intake.committed == []
    [line] = [r.getMessage() for r in caplog.records if r.name == "channels.tencent.webhook"]
    assert line.startswith("wecom push ignored") and "without FromUserName" in line
