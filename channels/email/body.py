"""What the person actually wrote: HTML flattened to text, quoted history and signatures cut off.

Ticket text must be the new content only, or every reply would repeat the whole thread to the classifier and to
staff. Mail clients mark history differently: `>` quoting and "On … wrote:" (handled by email-reply-parser), and the
Outlook / Foxmail / QQ Mail header block ("-----Original Message-----", "发件人: … 发送时间: …") that quotes nothing
with `>` and is what most Chinese business mail looks like.
"""
from __future__ import annotations

import html
import re

import nh3
from email_reply_parser import EmailReplyParser

_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/tr|/ul|/ol|/h[1-6]|/blockquote|/table)\b[^>]*>")
_LIST_ITEM = re.compile(r"(?i)<\s*li\b[^>]*>")
_QUOTE_BLOCKS = re.compile(
    r"(?is)<blockquote\b[^>]*type=[\"']?cite.*|<div\b[^>]*(gmail_quote|divRplyFwdMsg|OLK_SRC_BODY_SECTION"
    r"|yahoo_quoted|mail-quote|qmQuote)[^>]*>.*")

_HISTORY_START = [re.compile(p, re.IGNORECASE) for p in (
    r"^\s*-{2,}\s*(original message|forwarded message|原始邮件|原邮件|转发邮件|回复的原邮件)\s*-{2,}\s*$",
    r"^\s*_{10,}\s*$",
    r"^\s*(on|在)\s.+(wrote|写道)\s*[:：]?\s*$",
    r"^\s*\d{4}[-/年].+(写道|wrote)\s*[:：]?\s*$",
)]
_QUOTE_HEADER_FROM = re.compile(r"^\s*\*?(from|发件人|寄件者)\s*\*?\s*[:：]", re.IGNORECASE)
_QUOTE_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|subject|发送时间|日期|时间|收件人|主题|寄件日期|收件者|主旨)\s*\*?\s*[:：]", re.IGNORECASE)
_SIGNATURE_START = [re.compile(p, re.IGNORECASE) for p in (
    r"^-- ?$",
    r"^\s*(sent from my|发自我的|从我的|来自我的).{0,40}$",
)]


def html_to_text(markup: str) -> str:
    """HTML-only mail as plain text: tags and scripts removed by nh3, block ends kept as line breaks."""
    marked = _LIST_ITEM.sub("\n- ", _BLOCK_END.sub("\n", markup))
    cleaned = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    text = html.unescape(cleaned).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def drop_quoted_html(markup: str) -> str:
    """Cut the quoted-history container the big webmail clients wrap replies in, before flattening."""
    return _QUOTE_BLOCKS.sub("", markup)


def new_content(text: str) -> str:
    """The reply above the quoted history and signature; the whole text when nothing would remain."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = _history_index(lines)
    kept = "\n".join(lines[:cut])
    reply = EmailReplyParser.parse_reply(kept).strip() if kept.strip() else ""
    return reply or kept.strip() or text.strip()


def _history_index(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if any(p.match(line) for p in _HISTORY_START) or any(p.match(line) for p in _SIGNATURE_START):
            return i
        if _QUOTE_HEADER_FROM.match(line) and any(_QUOTE_HEADER_NEXT.match(n) for n in lines[i + 1:i + 4]):
            return i
    return len(lines)
