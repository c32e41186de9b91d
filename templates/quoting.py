"""Text a customer wrote, quoted to staff as inert text. Templates pass customer-supplied fields through the `inert`
filter, which marks them; each channel then writes the marked parts in its own markup as plain text (Markdown
escapes for WeCom, Slack's mrkdwn rules, HTML escapes for mail), so nothing a customer types becomes a link, a
mention, a script or formatting in a staff member's client. What every channel needs alike is done here once: web
addresses are defanged (``evil[.]com``, ``http[:]//``) so no client turns them into links, and ``@`` is written
``＠`` so no mention (``@all``) reaches anyone."""
from __future__ import annotations

import re
from typing import Any, Callable

START, END = "\x0e", "\x0f"
"""Around a quoted part in rendered Markdown (SO/SI: control characters nobody types; the filter drops them from
what it quotes, so a part can never close early)."""

_QUOTED = re.compile(f"{START}([^{START}{END}]*){END}")
_HELD = re.compile(f"{START}(\\d+){END}")
_ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b", re.IGNORECASE)


def inert(value: Any) -> str:
    """The Jinja filter: `value` marked as customer text, its addresses defanged and its mentions disarmed."""
    text = str(value).replace(START, "").replace(END, "")
    text = _ADDRESS.sub(lambda m: m.group(0).replace("://", "[:]//").replace(".", "[.]"), text)
    return START + text.replace("@", "＠") + END


def same(text: str) -> str:
    return text


def convert(marked: str, markup: Callable[[str], str] = same, *, quote: Callable[[str], str] = same) -> str:
    """`marked` in a channel's markup: the template's own text through `markup`, each quoted part through `quote`
    only (so markup never reads customer text, and `quote` sees each part whole)."""
    parts: list[str] = []

    def hold(match: re.Match[str]) -> str:
        parts.append(quote(match.group(1)))
        return f"{START}{len(parts) - 1}{END}"

    return _HELD.sub(lambda m: parts[int(m.group(1))], markup(_QUOTED.sub(hold, marked)))
