"""A ticket's summary is one line of at most SUMMARY_LENGTH characters, cut where a reader expects."""
from __future__ import annotations

import pytest

from core.services.tickets import SUMMARY_LENGTH, summarize


def test_short_text_is_kept_on_one_line() -> None:
    assert summarize("洗衣机不脱水了\n一直响") == "洗衣机不脱水了 一直响"


def test_chinese_is_cut_at_the_length() -> None:
    line = summarize("冰箱不制冷" * 20)
    assert len(line) == SUMMARY_LENGTH and line.endswith("…")


@pytest.mark.parametrize("text", [
    "My dishwasher is leaking water all over the kitchen floor since this morning",
    "The dishwasher in our apartment is leaking water all over the kitchen flooring again",
    "Our fridge stopped cooling yesterday and the freezer compartment is defrosting",
])
def test_english_is_cut_between_words(text: str) -> None:
    line = summarize(text)
    kept = line.removesuffix("…")
    assert line.endswith("…") and len(line) <= SUMMARY_LENGTH and text.startswith(kept)
    assert text[len(kept)] in " ,.", line
