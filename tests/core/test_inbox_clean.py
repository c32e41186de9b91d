"""Cleaning at intake: what no database can store is replaced or dropped, the original kept for audit, and a clean
message left exactly as it was."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

from core.envelopes import Attachment, Inbound
from core.inbox.clean import UNCLEAN, clean_inbound, clean_text

AT = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _inbound(**fields: object) -> Inbound:
    values = {"channel": "webchat", "account": "", "external_id": "m1", "sender": "s1", "conversation": "s1",
              "text": "洗衣机坏了", "sent_at": AT, **fields}
    return Inbound(**values)  # type: ignore[arg-type]


def test_lone_surrogates_become_replacement_characters_and_nul_goes() -> None:
    assert clean_text("a\ud800b\x00c\udfff") == "a\ufffdbc\ufffd"
    assert clean_text("好😀") == "好😀"


def test_every_string_is_cleaned_and_each_changed_field_kept_as_its_bytes() -> None:
    dirty = _inbound(text="坏了\ud83d\x00", display_name="张\x00三", raw={"note": "x\x00", "keep": (1, 2)},
                     attachments=(Attachment(kind="file", name="a\ud800.txt"),))
    clean = clean_inbound(dirty)
    assert (clean.text, clean.display_name, clean.attachments[0].name) == ("坏了\ufffd", "张三", "a\ufffd.txt")
    assert clean.raw["note"] == "x" and clean.raw["keep"] == (1, 2)
    originals = clean.raw[UNCLEAN]
    assert set(originals) == {"text", "display_name", "attachments", "raw"}
    assert base64.b64decode(originals["text"]).decode("utf-8", "surrogatepass") == "坏了\ud83d\x00"
    assert Inbound.from_dict(clean.to_dict()) == clean


def test_a_clean_message_is_left_alone() -> None:
    inbound = _inbound(raw={"keep": (1, 2), "list": ["a"]})
    assert clean_inbound(inbound) is inbound
