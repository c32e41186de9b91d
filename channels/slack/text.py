"""Slack's markup in both directions: incoming message text to plain text the NLP can read (phone numbers and mail
addresses arrive wrapped as ``<tel:…|…>`` / ``<mailto:…|…>``), our light Markdown to Slack `mrkdwn`, and customer
text quoted so that Slack shows it as typed."""
from __future__ import annotations

import re

_BOT_MENTION = "<@{user}>"
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<([^<>|@#!][^<>|]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^<>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^<>]*)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)


def to_plain(text: str, *, bot_user_id: str | None) -> str:
    """What the person typed: our bot's mention removed, links and channel names shown by label, entities decoded."""
    if bot_user_id:
        text = text.replace(_BOT_MENTION.format(user=bot_user_id), " ")
    text = _SPECIAL.sub(r"@\1", text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _LINK.sub(r"\2", text)
    text = _BARE.sub(lambda m: m.group(1).removeprefix("mailto:").removeprefix("tel:"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def escape(text: str) -> str:
    """The three characters Slack requires escaped in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_FORMATTING = str.maketrans({"*": "∗", "_": "＿", "~": "～", "`": "ˋ"})
"""mrkdwn has no escape for its formatting characters, so customer text shows look-alikes instead."""


def quote(text: str) -> str:
    """Customer text as mrkdwn that is only text: `<…>` (links, `<!channel>`, `<@U…>`) and `&` escaped, formatting
    characters replaced by look-alikes."""
    return escape(text).translate(_FORMATTING)


def to_mrkdwn(markdown: str) -> str:
    """`**bold**` → `*bold*`, `# heading` → bold line, `[label](url)` → `<url|label>`; everything else escaped."""
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        links.append(f"<{match.group(2)}|{escape(match.group(1))}>")
        return f"\x00{len(links) - 1}\x00"

    text = escape(_MD_LINK.sub(keep_link, markdown))
    text = _HEADING.sub(r"**\1**", text)
    text = _BOLD.sub(r"*\1*", text)
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], text)
