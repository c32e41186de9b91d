"""Verifying and opening a platform callback: body limit, timestamp freshness, SHA-1 signatures and AES decryption.

Every refusal is a `Refused` carrying the HTTP status to answer, so a request that fails any check never reaches the
intake. wechatpy does the signing and AES; this module decides what each failure means on the wire.
"""
from __future__ import annotations

import binascii
import struct
from typing import Mapping

from aiohttp import web
from wechatpy.crypto import BaseWeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.utils import check_signature

from core.clock import Clock
from channels.tencent.xml import UnsafeXml, parse_flat

MAX_CLOCK_SKEW_SECONDS = 300
"""Older (or further in the future) callbacks are replays: the platform signs with the current time."""


class Refused(Exception):
    """A callback that must not be processed; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, refusing with 413 as soon as it is known to exceed `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, "body too large")
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise Refused(413, "body too large")
    return body


def require(query: Mapping[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not query.get(n)]
    if missing:
        raise Refused(400, "missing query parameter(s): " + ", ".join(missing))
    return [query[n] for n in names]


def check_fresh(timestamp: str, clock: Clock) -> None:
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise Refused(400, "bad timestamp") from exc
    if abs(clock.now().timestamp() - sent) > MAX_CLOCK_SKEW_SECONDS:
        raise Refused(403, "stale timestamp")


def check_token_signature(token: str, signature: str, timestamp: str, nonce: str) -> None:
    """The plaintext-mode signature: sha1 of the sorted token, timestamp and nonce."""
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException as exc:
        raise Refused(403, "bad signature") from exc


def decrypt_echo(crypto: WeComCrypto, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
    """WeCom URL verification: the echo string is signed and encrypted like a message."""
    try:
        return crypto.check_signature(signature, timestamp, nonce, echostr)
    except (InvalidSignatureException, InvalidAppIdException, InvalidCorpIdException) as exc:
        raise Refused(403, type(exc).__name__) from exc
    except (binascii.Error, struct.error, ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, "undecryptable echostr") from exc


def decrypt_body(crypto: BaseWeChatCrypto, body: bytes, signature: str, timestamp: str, nonce: str) -> bytes:
    """Checks `msg_signature` over the `<Encrypt>` field and returns the plaintext XML (whose AppId/CorpId matched)."""
    try:
        envelope = parse_flat(body)
    except UnsafeXml as exc:
        raise Refused(400, f"bad XML: {exc}") from exc
    if not envelope.get("Encrypt"):
        raise Refused(400, "no Encrypt element")
    try:
        plain = crypto.decrypt_message(envelope, signature, timestamp, nonce)
    except InvalidSignatureException as exc:
        raise Refused(403, "bad msg_signature") from exc
    except (InvalidAppIdException, InvalidCorpIdException) as exc:
        raise Refused(403, "encrypted for another app") from exc
    except (binascii.Error, struct.error, ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, "undecryptable body") from exc
    return plain.encode("utf-8")

