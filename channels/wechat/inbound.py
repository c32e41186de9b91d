"""WeChat Official Account pushes → `Inbound`. Events carry no text except a menu CLICK (its command); a QR scene
(SCAN, or subscribe via a QR code) goes to `raw["scene"]`, and a device scene also to `raw["serial"]`."""
from __future__ import annotations

import re
from typing import Any, Mapping

from wechatpy import parse_message

from core.envelopes import Inbound
from channels.tencent.messages import build_inbound, content

CHANNEL = "wechat"
DEVICE_SCENE = re.compile(r"^(?:sn|device)[:_](?P<serial>[A-Za-z0-9][A-Za-z0-9._/-]{0,63})$", re.IGNORECASE)
"""Device QR codes carry scene strings like ``sn:AC1234567`` (or ``device_…``); anything else is a plain scene."""


def to_inbound(xml: bytes, *, account: str, menu_commands: Mapping[str, str]) -> Inbound:
    """`xml` is plaintext already checked by defusedxml; wechatpy maps it to a typed message."""
    message = parse_message(xml)
    if message.type != "event":
        text, attachments = content(message)
        return build_inbound(message, channel=CHANNEL, account=account, text=text, attachments=attachments)
    event = message.event
    extra: dict[str, Any] = {}
    text = ""
    if event in ("scan", "subscribe_scan"):
        extra.update(scene_fields(str(message._data.get("EventKey") or "")))
        if event == "subscribe_scan":
            extra["event"] = "subscribe"
    elif event == "click":
        key = str(message._data.get("EventKey") or "")
        text = menu_commands.get(key, key)
    return build_inbound(message, channel=CHANNEL, account=account, text=text, extra=extra)


def scene_fields(scene: str) -> dict[str, str]:
    fields = {"scene": scene}
    match = DEVICE_SCENE.match(scene)
    if match:
        fields["serial"] = match.group("serial")
    return fields
