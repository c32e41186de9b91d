"""Rendered messages → WeCom message bodies: markdown for plain notices (customer text escaped so it shows as
written), a button-interaction template card when there are actions (each button's `key` is the command it stands
for, echoed back in `template_card_event`; card fields are plain text)."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from templates.render import Rendered

TITLE_MAX = 26
SUBTITLE_MAX = 112
BUTTON_TEXT_MAX = 10
MAX_BUTTONS = 6
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TASK_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_@-]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#<>~])")
"""What opens markup in WeCom's Markdown (bold, links, code, headings, quotes, `<font>` tags, strike-through)."""


def markdown(rendered: Rendered) -> str:
    """The message as WeCom Markdown, customer text backslash-escaped."""
    return rendered.markup(quote=lambda text: _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def task_id(idempotency_key: str) -> str:
    """Card task ids allow only ``[A-Za-z0-9_-@]`` and 128 bytes and must be unique per app; the outbox idempotency
    key is unique, so a sanitised prefix plus its hash is too (and a retried send reuses the same id)."""
    digest = hashlib.sha1(idempotency_key.encode("utf-8")).hexdigest()[:12]
    return f"{_TASK_ID_UNSAFE.sub('_', idempotency_key)[:100]}-{digest}"


def button_card(rendered: Rendered, *, task: str) -> tuple[dict[str, Any], bool]:
    """The card, and whether the text had to be shortened to fit (then the caller sends it in full first)."""
    lines = [line for line in rendered.markup(lambda m: _BOLD.sub(r"\1", m)).splitlines() if line.strip()]
    title_source = rendered.subject or (lines.pop(0) if lines else "")
    body_source = "\n".join(lines)
    title, body = clip(title_source, TITLE_MAX), clip(body_source, SUBTITLE_MAX)
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": title},
        "task_id": task,
        "button_list": [{"text": clip(a.label, BUTTON_TEXT_MAX), "key": a.command}
                        for a in rendered.actions[:MAX_BUTTONS]],
    }
    if body:
        card["sub_title_text"] = body
    shortened = title != title_source or body != body_source or len(rendered.actions) > MAX_BUTTONS
    return card, shortened


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
