"""Raw RFC 5322 bytes → `ParsedMail`: headers decoded, body chosen, attachments split off.

Parsing uses the compat32 policy and decodes every header and body part itself (see `charsets`): the modern
policy's `get_content()` silently replaces GBK characters under a gb2312 label and raises on some malformed headers,
and a hub that serves Chinese customers cannot lose either. A mail whose structure leaves no readable content, or
that has no sender, is `UnparseableMail` and goes to quarantine whole.
"""
from __future__ import annotations

import email
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from channels.email.body import drop_quoted_html, html_to_text
from channels.email.charsets import decode_bytes, decode_header_value
from channels.email.guard import auto_reason
from channels.email.threads import message_ids

_STRUCTURE_DEFECTS = {"NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect",
                      "MultipartInvariantViolationDefect", "MissingHeaderBodySeparatorDefect"}


class UnparseableMail(Exception):
    """The mail cannot become an `Inbound`; the message says why (shown to staff in the quarantine)."""


@dataclass(frozen=True, slots=True)
class MailPart:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str
    subject: str
    sender: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    date: datetime | None
    text: str
    from_html: bool
    attachments: tuple[MailPart, ...]
    auto: str | None
    defects: tuple[str, ...]


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one mail or raise `UnparseableMail` with a reason staff can act on."""
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
        return _parse(message)
    except UnparseableMail:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means quarantine, never a lost mail
        raise UnparseableMail(f"{type(exc).__name__}: {exc}") from exc


def _parse(message: Message) -> ParsedMail:
    name, sender = _first_address(message, "From")
    if not sender:
        raise UnparseableMail("no sender address in From")
    subject = decode_header_value(message.get("Subject"))
    plain: list[str] = []
    markup: list[str] = []
    attachments: list[MailPart] = []
    defects: set[str] = set()
    _walk(message, plain, markup, attachments, defects)
    if plain:
        text, from_html = "\n\n".join(plain), False
    else:
        text, from_html = html_to_text(drop_quoted_html("\n".join(markup))), True
    broken = sorted(defects & _STRUCTURE_DEFECTS)
    if broken and not text.strip() and not attachments:
        raise UnparseableMail("broken MIME structure: " + ", ".join(broken))
    return ParsedMail(
        message_id=next(iter(message_ids(decode_header_value(message.get("Message-ID")))), ""),
        subject=subject,
        sender=sender,
        from_name=name,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        in_reply_to=tuple(message_ids(decode_header_value(message.get("In-Reply-To")))),
        references=tuple(message_ids(decode_header_value(message.get("References")))),
        date=_date(message.get("Date")),
        text=text.strip(),
        from_html=from_html,
        attachments=tuple(attachments),
        auto=auto_reason(message, sender=sender, subject=subject),
        defects=tuple(sorted(defects)),
    )


def _walk(part: Message, plain: list[str], markup: list[str], attachments: list[MailPart], defects: set[str]) -> None:
    """Depth-first over leaf parts; attached mails (message/*) stay whole as one attachment."""
    defects.update(type(d).__name__ for d in part.defects)
    content_type = part.get_content_type()
    payload = part.get_payload()
    if content_type.startswith("message/"):
        data = b"".join(m.as_bytes() for m in payload) if isinstance(payload, list) else _bytes(part)
        attachments.append(MailPart(filename=_filename(part) or "message.eml", content_type=content_type, data=data))
        return
    if isinstance(payload, list):
        for sub in payload:
            _walk(sub, plain, markup, attachments, defects)
        return
    filename = _filename(part)
    is_body = part.get_content_disposition() != "attachment" and not filename
    if is_body and content_type == "text/plain":
        plain.append(decode_bytes(_bytes(part), part.get_content_charset()))
    elif is_body and content_type == "text/html":
        markup.append(decode_bytes(_bytes(part), part.get_content_charset()))
    elif not content_type.startswith("multipart/"):  # a multipart leaf is a container that lost its boundary
        attachments.append(MailPart(filename=filename, content_type=content_type, data=_bytes(part)))


def _bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _filename(part: Message) -> str:
    raw = part.get_filename() or part.get_param("name")
    if isinstance(raw, tuple):  # RFC 2231 value with charset the stdlib left undecoded
        charset, _, value = raw
        return decode_bytes(value.encode("latin-1", "replace"), charset)
    return decode_header_value(raw) if raw else ""


def _first_address(message: Message, header: str) -> tuple[str, str]:
    for name, address in getaddresses([decode_header_value(v) for v in message.get_all(header, [])]):
        if "@" in address:
            return name.strip(), address.strip().lower()
    return "", ""


def _addresses(message: Message, header: str) -> tuple[str, ...]:
    values = [decode_header_value(v) for v in message.get_all(header, [])]
    return tuple(a.strip().lower() for _, a in getaddresses(values) if "@" in a)


def _date(value: object) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(decode_header_value(value))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
