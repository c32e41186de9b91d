"""Which conversation a mail belongs to, without a database lookup.

Our own Message-IDs carry the conversation they were sent in: ``<as-{token}.{conversation in base32}@{domain}>``.
`token` is derived from the outbox idempotency key, so a re-sent outbox row reuses its Message-ID and the
recipient's client shows it once. A reply that quotes one of our Message-IDs in `In-Reply-To` or `References` is
put back on that conversation whatever the customer's client did to the rest of the thread; otherwise the thread
root (first of `References`, else `In-Reply-To`, else the mail's own Message-ID) is the key. The ticket id in the
subject (``[SR-YYYYMMDD-NNNN]``) survives clients that drop both headers (Outlook forwarding, "reply" by copying
the address into a new mail) and is handed to the hub as `Inbound.ticket_ref`, which ranks above the thread key.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re

from core.domain.tickets import TICKET_ID_PATTERN, ticket_id_of

TAGGED_TICKET_ID = re.compile(rf"\[\s*{TICKET_ID_PATTERN}\s*\]", re.IGNORECASE)
"""Our subject tag, e.g. `Re: 冰箱不制冷 [SR-20261123-0001]`."""
_MSGID = re.compile(r"<[^<>\s]+>")
_OURS = re.compile(r"^<as-[0-9a-f]{20}\.([a-z2-7]+)@([^>]+)>$")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|回复|答复|回覆|转发|轉寄)\s*(\[\d+\])?\s*[:：]\s*)+", re.I)


def message_ids(value: str) -> list[str]:
    """Every `<id>` in a header value, in order (References is a list; broken clients add junk between)."""
    return _MSGID.findall(value or "")


def our_message_id(*, idempotency_key: str, conversation: str, domain: str) -> str:
    """A Message-ID that is stable per outbox row and carries the conversation key back in replies."""
    token = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:20]
    encoded = base64.b32encode(conversation.encode("utf-8")).decode("ascii").rstrip("=").lower()
    return f"<as-{token}.{encoded}@{domain.lower()}>"


def conversation_of_ours(message_id: str, domain: str) -> str | None:
    """The conversation key inside one of our Message-IDs, or None when the id is not ours."""
    match = _OURS.match(message_id.strip())
    if not match or match.group(2).lower() != domain.lower():
        return None
    encoded = match.group(1).upper()
    try:
        return base64.b32decode(encoded + "=" * (-len(encoded) % 8)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def thread_key(*, message_id: str, in_reply_to: list[str], references: list[str], domain: str) -> str:
    """The conversation key of a mail: ours when it answers us, else the thread root."""
    for candidate in [*in_reply_to, *reversed(references)]:
        conversation = conversation_of_ours(candidate, domain)
        if conversation:
            return conversation
    if references:
        return references[0]
    if in_reply_to:
        return in_reply_to[0]
    return message_id


def ticket_id_in(subject: str) -> str | None:
    match = TAGGED_TICKET_ID.search(subject or "")
    return ticket_id_of(match) if match else None


def bare_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and our ticket tag, for deciding whether it says anything."""
    return TAGGED_TICKET_ID.sub("", _REPLY_PREFIX.sub("", subject or "")).strip()


def is_reply_subject(subject: str) -> bool:
    return bool(_REPLY_PREFIX.match(subject or ""))
