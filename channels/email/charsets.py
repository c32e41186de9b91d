"""Turning mail bytes into text when the declared charset is missing, too narrow or plain wrong.

Chinese mail is often labelled gb2312 while holding GBK-only characters (镕, 堃), or labelled iso-8859-1 / us-ascii
by a misconfigured client while carrying GBK or UTF-8. A strict decode that fails silently yields U+FFFD, so every
GB label is widened to gb18030 (a superset), Big5 to big5hkscs, and a failed or implausible decode falls back through
the charsets our customers actually write in.
"""
from __future__ import annotations

import codecs
import re
from email.header import Header, decode_header

_WIDER = {
    "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030",
    "x-euc-cn": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030", "hz-gb-2312": "hz",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs", "big5-hkscs": "big5hkscs",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "shift_jis": "cp932", "windows-31j": "cp932",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
}
# Labels a client writes by default when it did not know better: a non-ASCII body under them is probably mislabelled.
_DEFAULT_LABELS = {"", "us-ascii", "ascii", "cp1252", "windows-1252", "unknown-8bit", "x-unknown", "8bit"}
_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def normalize_charset(label: str | None) -> str:
    """The codec to use for a declared label: widened to its superset, '' when unknown to Python."""
    name = (label or "").strip().strip('"\'').lower()
    name = _WIDER.get(name, name)
    if not name:
        return ""
    try:
        return codecs.lookup(name).name if name not in {"gb18030", "big5hkscs", "hz"} else name
    except LookupError:
        return ""


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data`, trusting the declared charset only when it decodes strictly and is not a default label."""
    codec = normalize_charset(declared)
    if data.isascii():
        return data.decode("ascii")
    if codec and codec not in _DEFAULT_LABELS:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    for candidate in _FALLBACKS:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate == "utf-8" or _mostly_cjk(text):
            return text
    return data.decode(codec or "gb18030", errors="replace")


def _mostly_cjk(text: str) -> bool:
    """A legacy multibyte decode of Latin-1 bytes succeeds now and then; real Chinese text is mostly CJK."""
    wide = [c for c in text if ord(c) > 0x7F]
    return bool(wide) and sum(1 for c in wide if _CJK.match(c)) >= 0.8 * len(wide)


def decode_header_value(value: object) -> str:
    """An RFC 2047 header (or raw 8-bit bytes smuggled in as surrogates) as one clean line of text."""
    if value is None:
        return ""
    if isinstance(value, Header):  # compat32 hands raw 8-bit headers over as unknown-8bit Header objects
        return _oneline("".join(decode_bytes(c, cs) if isinstance(c, bytes) else c for c, cs in decode_header(value)))
    text = str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):
        return _oneline(decode_bytes(text.encode("ascii", "surrogateescape")))
    try:
        chunks = decode_header(text)
    except Exception:  # noqa: BLE001 - a malformed encoded-word is shown as written rather than lost
        return _oneline(text)
    parts = []
    for chunk, charset in chunks:
        parts.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return _oneline("".join(parts))


def _oneline(text: str) -> str:
    return " ".join(text.split())
