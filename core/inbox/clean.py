"""Text a database can always store, made at intake.

A platform can hand over what no later step can write: a lone surrogate (a web-chat frame's ``"\\ud800"``, a mail
header decoded with ``surrogateescape``) cannot be encoded as UTF-8, and PostgreSQL refuses NUL in text and JSON.
Left in, such a message is acknowledged and then fails every processing attempt. So every string of an `Inbound` is
cleaned before it is committed — lone surrogates become U+FFFD, NUL characters are dropped — and the original of
each changed field is kept in `raw["unclean"]` as base64 of its bytes (UTF-8, surrogates passed through) for audit.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import fields, replace
from typing import Any

from core.envelopes import Attachment, Inbound, field_names

UNCLEAN = "unclean"
"""The key of `Inbound.raw` under which the originals of cleaned fields are kept."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEEDS_CLEANING = re.compile("[\ud800-\udfff\x00]")


def clean_text(text: str) -> str:
    """`text` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def original_bytes(text: str) -> str:
    """The exact code points of `text` as base64 of their UTF-8 bytes (surrogates passed through)."""
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")


def clean_inbound(inbound: Inbound) -> Inbound:
    """The same message with every string cleaned; the very same object when nothing needed it. Every message
    comes through here and nearly none needs it, so each part is only searched until one does."""
    changes: dict[str, Any] = {}
    originals: dict[str, str] = {}
    for name in field_names(Inbound):
        value = getattr(inbound, name)
        if isinstance(value, str) and _unclean(value):
            changes[name] = clean_text(value)
            originals[name] = original_bytes(value)
    if any(_unclean(_plain(a)) for a in inbound.attachments):
        changes["attachments"] = tuple(_clean_attachment(a) for a in inbound.attachments)
        originals["attachments"] = original_bytes(json.dumps([_plain(a) for a in inbound.attachments],
                                                             ensure_ascii=False))
    raw = inbound.raw
    if _unclean(raw):
        raw = _clean_value(raw)
        originals["raw"] = original_bytes(json.dumps(inbound.raw, ensure_ascii=False, default=str))
    if not originals:
        return inbound
    return replace(inbound, **changes, raw={**raw, UNCLEAN: originals})


def _unclean(value: Any) -> bool:
    """Whether a string inside JSON-like data (keys too) needs `clean_text`."""
    if isinstance(value, str):
        return _NEEDS_CLEANING.search(value) is not None
    if isinstance(value, dict):
        return any(_unclean(k) or _unclean(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_unclean(v) for v in value)
    return False


def _clean_attachment(attachment: Attachment) -> Attachment:
    return replace(attachment, **{f.name: clean_text(getattr(attachment, f.name)) for f in fields(attachment)
                                  if isinstance(getattr(attachment, f.name), str)})


def _plain(attachment: Attachment) -> dict[str, Any]:
    return {f.name: getattr(attachment, f.name) for f in fields(attachment)}


def _clean_value(value: Any) -> Any:
    """Strings inside JSON-like data (keys too) cleaned, the rest as it was."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clean_value(v) for v in value)
    return value
