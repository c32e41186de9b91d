"""Greetings, thanks and emoji never open a ticket; an unhappy or angry emoji alone is met with an apology and the
offer of a person instead of a cheerful hello."""
from __future__ import annotations

import pytest

CUSTOMER = "web:smalltalk-customer"


@pytest.mark.parametrize(("text", "template", "upset"), [
    ("你好", "greeting", False),
    ("😡😡😡", "greeting", True),
    ("[流泪]", "greeting", True),
    ("👍", "thanks", None),
])
async def test_smalltalk_answers_the_mood_and_opens_nothing(desk, text: str, template: str,  # type: ignore[no-untyped-def]
                                                            upset: bool | None) -> None:
    [reply] = await desk.say("webchat", CUSTOMER, text)
    assert reply["template"] == template
    assert upset is None or reply["data"]["upset"] is upset
