"""Callback XML is parsed with defusedxml first, so DTDs, entity expansion ("billion laughs") and external entities are
refused before wechatpy's own parser (xmltodict) ever sees the bytes."""
from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class UnsafeXml(ValueError):
    """The body is not well-formed, single-rooted, entity-free XML."""


def parse_flat(body: bytes | str) -> dict[str, str]:
    """The `<xml>` root's direct children as `{tag: text}`; raises `UnsafeXml` for anything else."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise UnsafeXml(str(exc) or type(exc).__name__) from exc
    if root.tag != "xml":
        raise UnsafeXml(f"unexpected root element <{root.tag}>")
    return {child.tag: (child.text or "").strip() for child in root}
