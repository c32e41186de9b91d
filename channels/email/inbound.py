"""`ParsedMail` → `Inbound`: the email channel's side of the envelope contract.

`text` is the new content only. On the first mail of a thread the subject is put in front of it when it says
something the body does not ("打印机卡纸" as subject over "见附件照片"), because customers often write the problem
there; replies repeat the thread's old subject, so theirs is left out.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from channels.email.attachments import AttachmentStore
from channels.email.body import new_content
from channels.email.parse import ParsedMail
from channels.email.threads import bare_subject, is_reply_subject, thread_key, ticket_id_in
from core.envelopes import Inbound

CHANNEL = "email"


def external_id(parsed_message_id: str, raw: bytes) -> str:
    """The inbox key: the Message-ID, or a hash of the bytes for the rare mail without one."""
    return parsed_message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def to_inbound(parsed: ParsedMail, *, raw: bytes, account: str, domain: str, received_at: datetime,
               attachments: AttachmentStore) -> Inbound:
    key = external_id(parsed.message_id, raw)
    records, skipped = [], []
    for part in parsed.attachments:
        record, stored = attachments.keep(part)
        records.append(record)
        if not stored:
            skipped.append({"name": record.name, "size": record.size, "sha256": record.sha256})
    first_in_thread = not (parsed.in_reply_to or parsed.references or is_reply_subject(parsed.subject))
    text = _text(parsed, first_in_thread)
    meta: dict[str, Any] = {
        "subject": parsed.subject,
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to[0] if parsed.in_reply_to else None,
        "references": list(parsed.references),
        "to": list(parsed.to),
        "cc": list(parsed.cc),
        "html_only": parsed.from_html,
        "attachments_skipped": skipped,
    }
    return Inbound(
        channel=CHANNEL,
        account=account,
        external_id=key,
        sender=parsed.sender,
        conversation=thread_key(message_id=key, in_reply_to=list(parsed.in_reply_to),
                                references=list(parsed.references), domain=domain),
        text=text,
        sent_at=parsed.date or received_at,
        attachments=tuple(records),
        reply_to=parsed.in_reply_to[0] if parsed.in_reply_to else None,
        display_name=parsed.from_name,
        automatic=parsed.auto or "",
        ticket_ref=ticket_id_in(parsed.subject),
        raw=meta,
    )


def _text(parsed: ParsedMail, first_in_thread: bool) -> str:
    body = new_content(parsed.text) if parsed.text else ""
    subject = bare_subject(parsed.subject)
    if first_in_thread and subject and subject not in body:
        return f"{subject}\n\n{body}".strip()
    return body
