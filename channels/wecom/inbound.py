"""WeCom app pushes from staff → `Inbound`. A template-card button press (`template_card_event`) and a menu CLICK
arrive as the command text in `EventKey`, so pressing `接单` and typing `接单 SR-…` reach the hub the same way."""
from __future__ import annotations

from dataclasses import replace

from wechatpy.enterprise import parse_message

from core.envelopes import Inbound
from channels.tencent.messages import build_inbound, content, external_id

CHANNEL = "wecom"
COMMAND_EVENTS = frozenset({"click", "template_card_event"})


def to_inbound(xml: bytes, *, account: str) -> Inbound:
    """`xml` is decrypted plaintext already checked by defusedxml."""
    message = parse_message(xml)
    data = message._data
    if str(data.get("MsgType", "")).lower() != "event":
        text, attachments = content(message)
        return build_inbound(message, channel=CHANNEL, account=account, text=text, attachments=attachments)
    event = str(data.get("Event", "")).lower()
    text = str(data.get("EventKey") or "") if event in COMMAND_EVENTS else ""
    inbound = build_inbound(message, channel=CHANNEL, account=account, text=text)
    if event == "template_card_event" and data.get("TaskId"):
        # Two cards pressed within the same second are two presses: the card's task id tells them apart.
        return replace(inbound, external_id=f"{external_id(message)}:{data['TaskId']}")
    return inbound
