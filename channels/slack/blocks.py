"""`Rendered` → Block Kit: mrkdwn sections (Slack caps a section at 3000 characters) and one actions block with a
button per action. `text` stays the plain fallback that notifications and screen readers use."""
from __future__ import annotations

from typing import Any

from templates.render import Action, Rendered
from channels.slack.text import escape, quote, to_mrkdwn

SECTION_LIMIT = 3000
BUTTONS_PER_BLOCK = 25
LABEL_LIMIT = 75
STYLES = frozenset({"primary", "danger"})


def message_body(rendered: Rendered, *, with_actions: bool = True) -> dict[str, Any]:
    """`text` + `blocks` for `chat.postMessage` / `chat.update` (the latter without buttons: the job is taken).
    Each `action_id` is ``as_{action id}_{n}``, unique within the message as Slack requires."""
    mrkdwn = rendered.markup(to_mrkdwn, quote=quote) if rendered.markdown else to_mrkdwn(rendered.text)
    blocks = [_section(part) for part in _split(mrkdwn)]
    actions = rendered.actions if with_actions else ()
    for start in range(0, len(actions), BUTTONS_PER_BLOCK):
        chunk = actions[start:start + BUTTONS_PER_BLOCK]
        blocks.append({"type": "actions", "block_id": f"as_actions_{start}",
                       "elements": [_button(a, f"as_{a.id}_{start + n}") for n, a in enumerate(chunk)]})
    return {"text": escape(rendered.text), "blocks": blocks}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(action: Action, action_id: str) -> dict[str, Any]:
    label = action.label if len(action.label) <= LABEL_LIMIT else action.label[:LABEL_LIMIT - 1] + "…"
    button: dict[str, Any] = {"type": "button", "action_id": action_id, "value": action.command,
                              "text": {"type": "plain_text", "text": label, "emoji": True}}
    if action.style in STYLES:
        button["style"] = action.style
    return button


def _split(text: str) -> list[str]:
    """Cut at paragraph or line breaks so no section exceeds Slack's limit."""
    parts: list[str] = []
    while len(text) > SECTION_LIMIT:
        cut = max(text.rfind("\n\n", 0, SECTION_LIMIT), text.rfind("\n", 0, SECTION_LIMIT))
        cut = cut if cut > 0 else SECTION_LIMIT
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return parts + [text] if text.strip() else parts or [" "]
