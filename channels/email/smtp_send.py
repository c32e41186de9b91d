"""Outbound mail: one multipart/alternative reply per `Outbound`, threaded and marked so no robot answers it.

Every hub answer is automatic unless a person wrote it (`data["human"]`), so it carries `Auto-Submitted:
auto-replied` (RFC 3834), `X-Loop` and `X-Auto-Response-Suppress: All`: well-behaved auto-responders stay silent,
and `guard` drops the ones that do not. SMTP failures are sorted into retryable (network, 4xx) and permanent (5xx).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Sequence
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from channels.base import OutgoingFile
from channels.email.config import EmailConfig
from channels.email.threads import bare_subject, message_ids, ticket_id_in
from core.envelopes import Outbound
from core.ports import PermanentSendError, RetryableSendError
from templates.render import Rendered

_MAX_REFERENCES = 20
_TIMEOUT = 30.0


def reply_subject(message: Outbound, rendered: Rendered) -> str:
    """The rendered subject, else `Re: <original>`; always tagged with the ticket id when there is one."""
    subject = rendered.subject or _re(str(message.data.get("subject") or ""))
    ticket_id = message.data.get("ticket_id")
    if ticket_id and ticket_id_in(subject) != str(ticket_id).upper():
        subject = f"{subject} [{ticket_id}]".strip()
    return subject


def _re(original: str) -> str:
    bare = bare_subject(original)
    return f"Re: {bare}" if bare else ""


def build_mail(*, message: Outbound, rendered: Rendered, sender: str, message_id: str, now: datetime) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = reply_subject(message, rendered)
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = message_id
    references = _references(message)
    if message.reply_to:
        mail["In-Reply-To"] = message_ids(message.reply_to)[0] if message_ids(message.reply_to) else message.reply_to
    if references:
        mail["References"] = " ".join(references)
    if not message.data.get("human"):
        mail["Auto-Submitted"] = "auto-replied"
    mail["X-Loop"] = sender
    mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(rendered.text or rendered.markup(), charset="utf-8")
    page = rendered.page()
    if page:
        mail.add_alternative(page, subtype="html", charset="utf-8")
    return mail


def with_links(rendered: Rendered, files: Sequence[OutgoingFile]) -> Rendered:
    """The mail's text and HTML with each file's fallback (its link) added at the end."""
    return replace(rendered, text="\n\n".join([rendered.text, *(f.fallback.text for f in files)]),
                   html="\n".join([page, *(f.fallback.page() for f in files)]) if (page := rendered.page()) else "")


def _references(message: Outbound) -> list[str]:
    given = message.data.get("references") or []
    refs = message_ids(" ".join(given) if isinstance(given, (list, tuple)) else str(given))
    for reply in message_ids(message.reply_to or ""):
        if reply not in refs:
            refs.append(reply)
    return refs if len(refs) <= _MAX_REFERENCES else refs[:1] + refs[-(_MAX_REFERENCES - 1):]


async def deliver(mail: EmailMessage, config: EmailConfig) -> None:
    """Hand the mail to the SMTP relay, translating failures into the outbox's retry vocabulary."""
    try:
        await aiosmtplib.send(
            mail, hostname=config.smtp_host, port=config.smtp_port,
            username=config.smtp_user or None, password=config.smtp_password or None,
            start_tls=config.smtp_starttls, use_tls=False, timeout=_TIMEOUT)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        error = PermanentSendError if codes and all(c >= 500 for c in codes) else RetryableSendError
        raise error(f"recipient refused: {exc}", code=str(codes[0] if codes else "")) from exc
    except aiosmtplib.SMTPResponseException as exc:
        error = PermanentSendError if exc.code >= 500 else RetryableSendError
        raise error(f"smtp {exc.code}: {exc.message}", code=str(exc.code)) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise RetryableSendError(f"smtp unreachable: {exc}") from exc
