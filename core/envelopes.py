"""The two messages every layer agrees on: what arrived (`Inbound`) and what to say (`Outbound`).

Both are frozen and JSON-round-trippable so they can sit in the inbox/outbox tables and on the bus unchanged.
`(channel, external_id)` is the idempotency key of an inbound message.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any, Mapping


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file the sender attached; the bytes live behind `url` (platform media id, stored file, web address)."""

    kind: str  # image | voice | video | file | location | link
    name: str = ""
    content_type: str = ""
    size: int = 0
    url: str = ""
    sha256: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbound:
    """One message from a person, normalised by its channel.

    `conversation` is the channel's thread key (WeChat openid, Slack channel+thread_ts, email thread root Message-ID,
    web-chat session). Button presses arrive as the command text the button stands for (e.g. ``接单 SR-…``), with
    `source_message` naming the platform message that carried the button (so a reply can rewrite it in place).
    `automatic` says why no person wrote the message (an auto-reply, a bounce) — such messages are kept, never
    answered. `ticket_ref` is a ticket the channel found named outside the text (an email subject's ``[SR-…]``).
    `raw` keeps what else the platform sent, for audit; downstream reads only `device_serial` and `chosen_locale`
    from it.
    """

    channel: str
    account: str
    external_id: str
    sender: str
    conversation: str
    text: str
    sent_at: datetime
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None
    display_name: str = ""
    automatic: str = ""
    ticket_ref: str | None = None
    source_message: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel, self.external_id)

    @property
    def device_serial(self) -> str:
        """The serial of a device QR code the person scanned (WeChat puts it in `raw["serial"]`); "" otherwise."""
        return str(self.raw.get("serial") or "")

    @property
    def chosen_locale(self) -> str:
        """The language the person chose on the channel's own page (the web chat's `?lang=en`, in
        `raw["locale"]`); "" where the channel has none."""
        return str(self.raw.get("locale") or "")

    def to_dict(self) -> dict[str, Any]:
        data = _shallow(self)
        data["sent_at"] = self.sent_at.isoformat()
        data["attachments"] = [asdict(a) for a in self.attachments]
        data["raw"] = dict(self.raw)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Inbound":
        values = dict(data)
        values["sent_at"] = datetime.fromisoformat(values["sent_at"])
        values["attachments"] = tuple(Attachment(**a) for a in values.get("attachments", ()))
        values["raw"] = dict(values.get("raw") or {})
        return cls(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outbound:
    """One message to send; rendered from `templates/` at send time, in the format the channel speaks.

    `data` is the template's context (JSON-able). `data["actions"]` may list buttons as
    ``{"id": "accept", "command": "接单 SR-…"}``; channels without buttons show them as numbered lines.
    `reply_to` is the external id of the inbound message this answers (email In-Reply-To, Slack thread).
    `replaces` is the platform id of an earlier message to rewrite in place instead of posting a new one (a notice
    whose buttons no longer apply); channels that cannot edit send it as a new message.
    """

    channel: str
    account: str
    recipient: str
    conversation: str
    template: str
    data: Mapping[str, Any]
    locale: str = "zh"
    idempotency_key: str
    reply_to: str | None = None
    replaces: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _shallow(self)
        data["data"] = dict(self.data)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Outbound":
        return cls(**dict(data))


def _shallow(envelope: Inbound | Outbound) -> dict[str, Any]:
    """The fields as a dict without `asdict`'s deep copy of nested data (callers replace what they must)."""
    return {name: getattr(envelope, name) for name in field_names(type(envelope))}


@cache
def field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once: every message is cleaned and turned into a dict at intake, and
    into a dict again in the outbox, and `fields` walks the class's fields anew each time."""
    return tuple(f.name for f in fields(kind))
