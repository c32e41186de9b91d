"""Slack payloads → `Inbound`: Events API messages, slash commands and button presses.

Idempotency keys: a message is keyed by its own identity ``{channel_id}:{ts}`` (the format `send` returns), so
Events API retries (`X-Slack-Retry-Num`, same `event_id`) and the `app_mention` copy of the same message collapse to
one inbox row, also when a Slack Connect channel delivers it once per workspace; `event_id` is kept in `raw`.
A slash command is keyed by its `trigger_id`, a button press by the user and the `action_ts` of the click.
`conversation` is ``{channel_id}:{thread_ts or ts}``; a slash command has no message, so its conversation is the
bare channel id (a reply is posted top-level there).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from core.envelopes import Attachment, Inbound
from channels.slack.text import to_plain

CHANNEL = "slack"

KEPT_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})
"""Message subtypes a person typed. Edits, deletions, joins, bot posts and other system messages are not input."""


class Malformed(ValueError):
    """A payload that passed the signature check but lacks what Slack always sends."""


def message_inbound(envelope: Mapping[str, Any], *, bot_user_id: str | None) -> Inbound | None:
    """A person's message (DM, channel, thread reply, `app_mention`); None for bots, ourselves, edits and system
    messages, which are acknowledged and dropped."""
    event = _mapping(envelope, "event")
    if event.get("subtype") not in KEPT_SUBTYPES or event.get("bot_id") or event.get("bot_profile"):
        return None
    user = event.get("user")
    if not user or user == bot_user_id:
        return None
    channel_id, ts = _text(event, "channel"), _text(event, "ts")
    thread_ts = event.get("thread_ts")
    team_id = str(envelope.get("team_id") or event.get("team") or "")
    profile = event.get("user_profile") or {}
    raw = {
        "kind": "message",
        "event_id": envelope.get("event_id"),
        "event_type": event.get("type"),
        "channel_id": channel_id,
        "channel_type": event.get("channel_type") or _channel_type(channel_id),
        "ts": ts,
        "thread_ts": thread_ts,
        "team_id": team_id,
        "user_team": event.get("user_team") or event.get("team") or team_id,
        "is_ext_shared_channel": bool(envelope.get("is_ext_shared_channel")),
    }
    return Inbound(
        channel=CHANNEL, account=team_id, external_id=f"{channel_id}:{ts}", sender=str(user),
        conversation=f"{channel_id}:{thread_ts or ts}", text=to_plain(str(event.get("text") or ""),
                                                                      bot_user_id=bot_user_id),
        sent_at=_from_ts(ts), attachments=tuple(_file(f) for f in event.get("files") or ()), reply_to=ts,
        display_name=str(profile.get("display_name") or profile.get("real_name") or profile.get("name") or ""),
        raw=raw)


def command_inbound(form: Mapping[str, Any], *, now: datetime) -> Inbound:
    """`/ticket status SR-…` → ``status SR-…``; `/ticket new …` → ``…``; `/ticket` alone → ``help``."""
    channel_id, user, trigger = _text(form, "channel_id"), _text(form, "user_id"), _text(form, "trigger_id")
    args = str(form.get("text") or "").strip()
    subcommand, _, rest = args.partition(" ")
    subcommand = subcommand.lower() or "help"
    text = rest.strip() if subcommand == "new" else args
    team_id = str(form.get("team_id") or "")
    raw = {
        "kind": "command",
        "command": form.get("command"),
        "subcommand": subcommand,
        "channel_id": channel_id,
        "channel_type": _command_channel_type(str(form.get("channel_name") or ""), channel_id),
        "ts": None,
        "thread_ts": None,
        "team_id": team_id,
        "user_team": team_id,
        "is_ext_shared_channel": False,
        "response_url": form.get("response_url"),
    }
    return Inbound(channel=CHANNEL, account=team_id, external_id=f"command:{trigger}", sender=user,
                   conversation=channel_id, text=text or "help", sent_at=now,
                   display_name=str(form.get("user_name") or ""), raw=raw)


def action_inbounds(payload: Mapping[str, Any]) -> list[Inbound]:
    """Each pressed button becomes its `value` — the command the button stands for — in the thread of the message
    that carries it; `source_message` names that message so the hub can later update it in place."""
    user = _mapping(payload, "user")
    container = payload.get("container") or {}
    message = payload.get("message") or {}
    channel_id = str(container.get("channel_id") or (payload.get("channel") or {}).get("id") or "")
    message_ts = str(container.get("message_ts") or message.get("ts") or "")
    if not channel_id or not message_ts:
        raise Malformed("block action without the message it belongs to")
    thread_ts = container.get("thread_ts") or message.get("thread_ts")
    team_id = str((payload.get("team") or {}).get("id") or user.get("team_id") or "")
    sender = _text(user, "id")
    inbounds = []
    for action in payload.get("actions") or ():
        if not isinstance(action, Mapping) or not action.get("value"):
            continue
        action_ts = _text(action, "action_ts")
        raw = {
            "kind": "action",
            "action_id": action.get("action_id"),
            "channel_id": channel_id,
            "channel_type": _channel_type(channel_id),
            "message_ts": message_ts,
            "ts": action_ts,
            "thread_ts": thread_ts,
            "team_id": team_id,
            "user_team": user.get("team_id") or team_id,
            "is_ext_shared_channel": bool(payload.get("is_ext_shared_channel")),
        }
        inbounds.append(Inbound(
            channel=CHANNEL, account=team_id, external_id=f"action:{sender}:{action_ts}",
            sender=sender, conversation=f"{channel_id}:{thread_ts or message_ts}",
            text=str(action["value"]), sent_at=_from_ts(action_ts), reply_to=message_ts,
            display_name=str(user.get("name") or user.get("username") or ""),
            source_message=f"{channel_id}:{message_ts}", raw=raw))
    return inbounds


def _file(item: Mapping[str, Any]) -> Attachment:
    mime = str(item.get("mimetype") or "")
    kind = {"image": "image", "video": "video", "audio": "voice"}.get(mime.partition("/")[0], "file")
    return Attachment(kind=kind, name=str(item.get("name") or ""), content_type=mime, size=int(item.get("size") or 0),
                      url=str(item.get("url_private") or ""))


def _channel_type(channel_id: str) -> str:
    return {"D": "im", "G": "group"}.get(channel_id[:1], "channel")


def _command_channel_type(channel_name: str, channel_id: str) -> str:
    if channel_name == "directmessage":
        return "im"
    if channel_name.startswith("mpdm-"):
        return "mpim"
    if channel_name == "privategroup":
        return "group"
    return _channel_type(channel_id)


def _from_ts(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=timezone.utc)
    except ValueError as exc:
        raise Malformed(f"bad Slack timestamp {ts!r}") from exc


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise Malformed(f"missing {key}")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise Malformed(f"missing {key}")
    return value
