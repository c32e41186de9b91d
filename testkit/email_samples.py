"""Mails as customers' clients really send them, built byte by byte so charset labels are exactly as written."""
from __future__ import annotations

import base64
import quopri
import uuid

AGENT = "agent@example.test"
CUSTOMER = "zhang@customer.cn"


def encoded_word(text: str, charset: str, label: str | None = None) -> str:
    return f"=?{label or charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@customer.cn>"


def mail(*, subject: str = "打印机卡纸", body: str = "打印机卡纸了，请派人来修。", sender: str = CUSTOMER,
         from_name: str = "张三", charset: str = "utf-8", label: str | None = None, cte: str = "base64",
         message_id: str | None = "new", in_reply_to: str | None = None, references: str | None = None,
         content_type: str = "text/plain", headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    """One single-part mail; `label` is the charset written in the headers when it differs from the real one."""
    label = label or charset
    data = body.encode(charset)
    if cte == "base64":
        payload = base64.encodebytes(data)
    elif cte == "quoted-printable":
        payload = quopri.encodestring(data)
    else:
        payload = data.replace(b"\n", b"\r\n")
    lines = [f"From: {encoded_word(from_name, charset, label)} <{sender}>", f"To: {AGENT}",
             f"Subject: {encoded_word(subject, charset, label)}", "Date: Mon, 23 Nov 2026 10:00:00 +0800",
             "MIME-Version: 1.0", f"Content-Type: {content_type}; charset={label}",
             f"Content-Transfer-Encoding: {cte}"]
    if message_id:
        lines.append(f"Message-ID: {new_message_id() if message_id == 'new' else message_id}")
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append(f"References: {references}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + payload


def with_attachment(*, size: int, filename: str = "现场照片.jpg", body: str = "照片见附件。") -> bytes:
    """multipart/mixed: a text part plus a base64 attachment of `size` bytes with a GBK RFC 2047 filename."""
    boundary = "=_b_" + uuid.uuid4().hex
    blob = (bytes(range(256)) * (size // 256 + 1))[:size]
    name = encoded_word(filename, "gbk")
    head = (f"From: {CUSTOMER}\r\nTo: {AGENT}\r\nSubject: {encoded_word('现场照片', 'utf-8')}\r\n"
            f"Message-ID: {new_message_id()}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n")
    text = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            ).encode() + base64.encodebytes(body.encode("utf-8"))
    attachment = (f"--{boundary}\r\nContent-Type: image/jpeg; name=\"{name}\"\r\n"
                  f"Content-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                  ).encode() + base64.encodebytes(blob)
    return head.encode() + text + attachment + f"--{boundary}--\r\n".encode()


def html_only(markup: str, *, subject: str = "网页邮件") -> bytes:
    return mail(subject=subject, body=markup, content_type="text/html", cte="quoted-printable")


def bounce(*, original_message_id: str) -> bytes:
    boundary = "=_dsn_" + uuid.uuid4().hex
    return (f"From: Mail Delivery System <MAILER-DAEMON@mx.customer.cn>\r\nTo: {AGENT}\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: {new_message_id()}\r\nAuto-Submitted: auto-replied\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.cn\r\n\r\n"
            f"Final-Recipient: rfc822; gone@customer.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/rfc822-headers\r\n\r\nMessage-ID: {original_message_id}\r\n"
            f"Subject: Re: x\r\n\r\n--{boundary}--\r\n").encode()


def broken_mime() -> bytes:
    """Declares multipart but carries no boundary: nothing in it can be located."""
    return (f"From: {CUSTOMER}\r\nTo: {AGENT}\r\nSubject: broken\r\nMessage-ID: {new_message_id()}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
            "--xyz\r\nContent-Type: text/plain\r\n\r\nlost text\r\n--xyz--\r\n").encode()
