"""The README shows only what the hub says: its web-chat transcript is `docs/webchat-transcript.txt` verbatim, and
the customer's lines, sent to a hub with the demo data, still get those answers (ticket numbers aside, since they
carry the day). When this fails, the hub's words changed: run `.venv/bin/python docs/make_pictures.py`."""
from __future__ import annotations

import re
from pathlib import Path

from bot.demo import load_demo
from docs.make_pictures import CUSTOMER, HUB, README, format_transcript, parse_transcript

TRANSCRIPT = Path(__file__).resolve().parents[2] / "docs" / "webchat-transcript.txt"
TICKET_ID = re.compile(r"SR-\d{8}-\d{4}")


def test_readme_embeds_the_transcript_verbatim() -> None:
    block = f"<!-- webchat-transcript -->\n```text\n{TRANSCRIPT.read_text('utf-8')}```\n<!-- /webchat-transcript -->"
    assert block in README.read_text("utf-8")


async def test_the_hub_still_answers_the_transcript_as_written(hub_server, chat) -> None:
    hub, _ = hub_server
    await load_demo(hub.engine.url.render_as_string(hide_password=False), only_if_empty=True)
    expected = parse_transcript(TRANSCRIPT.read_text("utf-8"))
    customer = await chat()
    replayed: list[tuple[str, str]] = []
    for speaker, text in expected:
        if speaker == CUSTOMER:
            replayed.append((CUSTOMER, text))
            await customer.say(text)
        else:
            replayed.append((HUB, (await customer.next())["text"]))
    assert TICKET_ID.sub("SR-…", format_transcript(replayed)) == TICKET_ID.sub("SR-…", format_transcript(expected))
