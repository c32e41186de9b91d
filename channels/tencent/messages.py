"""Turning a parsed wechatpy message into an `Inbound`: the ordinary message types WeChat and WeCom share (text,
image, voice, video, location, link), the event key format, and a JSON-able `raw`. Channels add their own events.

wechatpy exposes typed fields per class but the full received field set only as `_data`; we read that one dict so
unknown message types and fields the library does not model still reach `raw` intact."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from wechatpy.messages import BaseMessage

from core.envelopes import Attachment, Inbound


class NoSender(Exception):
    """A verified push with no `FromUserName`: there is nobody to answer, so the hub acknowledges it (a retry would
    carry the same gap) and stores nothing, rather than open a conversation with an empty id."""


def raw_fields(message: BaseMessage) -> dict[str, Any]:
    """Every XML field as received, plus `msg_type` / `event` in lower case for routing."""
    raw: dict[str, Any] = {k: _jsonable(v) for k, v in message._data.items()}
    raw["msg_type"] = str(message._data.get("MsgType", "")).lower()
    raw["event"] = str(message._data.get("Event", "")).lower()
    return raw


def sent_at(message: BaseMessage) -> datetime:
    try:
        return datetime.fromtimestamp(int(message._data.get("CreateTime", 0)), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return datetime.fromtimestamp(0, tz=timezone.utc)


def external_id(message: BaseMessage) -> str:
    """`MsgId` for messages; events have none, so sender + time + event name identify a retry of the same push."""
    data = message._data
    if data.get("MsgId"):
        return str(data["MsgId"])
    return f"event:{data.get('FromUserName', '')}:{data.get('CreateTime', '')}:{data.get('Event', '')}"


def content(message: BaseMessage) -> tuple[str, tuple[Attachment, ...]]:
    """Text and attachments of an ordinary (non-event) message; unknown types give empty text and no attachment.
    A file's `url` is its media id (fetched later through `/cgi-bin/media/get`, within its three days)."""
    data = message._data
    kind = str(data.get("MsgType", "")).lower()
    if kind == "text":
        return str(data.get("Content", "")), ()
    if kind == "image":
        return "", (Attachment(kind="image", name=str(data.get("MediaId", "")), url=str(data.get("MediaId", ""))),)
    if kind == "voice":
        voice_format = str(data.get("Format", "")).lower()
        attachment = Attachment(kind="voice", name=str(data.get("MediaId", "")), url=str(data.get("MediaId", "")),
                                content_type=f"audio/{voice_format}" if voice_format else "")
        return str(data.get("Recognition") or ""), (attachment,)
    if kind in ("video", "shortvideo"):
        return "", (Attachment(kind="video", name=str(data.get("MediaId", "")), url=str(data.get("MediaId", ""))),)
    if kind == "file":
        return "", (Attachment(kind="file", name=str(data.get("FileName") or data.get("Title") or ""),
                               url=str(data.get("MediaId", ""))),)
    if kind == "location":
        lat, lng = data.get("Location_X", ""), data.get("Location_Y", "")
        label = str(data.get("Label") or "")
        text = f"{label} ({lat}, {lng})".strip()
        return text, (Attachment(kind="location", name=label, url=f"geo:{lat},{lng}"),)
    if kind == "link":
        title, url = str(data.get("Title") or ""), str(data.get("Url") or "")
        return f"{title} {url}".strip(), (Attachment(kind="link", name=title, url=url),)
    return "", ()


def build_inbound(message: BaseMessage, *, channel: str, account: str, text: str,
                  attachments: tuple[Attachment, ...] = (), extra: Mapping[str, Any] | None = None) -> Inbound:
    sender = str(message._data.get("FromUserName") or "").strip()
    if not sender:
        raise NoSender(f"{str(message._data.get('MsgType', '')).lower() or 'message'} without FromUserName "
                       f"(key {external_id(message)})")
    raw = raw_fields(message)
    raw.update(extra or {})
    return Inbound(channel=channel, account=account, external_id=external_id(message), sender=sender,
                   conversation=sender, text=text, sent_at=sent_at(message), attachments=attachments, raw=raw)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)
