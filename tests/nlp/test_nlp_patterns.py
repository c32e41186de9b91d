"""`nlp.patterns.quick`: a lookahead in front of a pattern only where it cannot change a match."""
from __future__ import annotations

import re

import pytest

from nlp.patterns import quick

TEXTS = ["", "a", "空调漏水了，插座冒烟", "AC broken, the vacuum works", "北京市朝阳区建国路88号 北京路",
         "明天下午3点以后家里有人", "SN: GH2024A0012345 13912345678", "xAbCx abc ABC", "北京北京北京"]


def _matches(pattern: re.Pattern[str]) -> list[list[tuple[tuple[int, int], tuple[str | None, ...]]]]:
    return [[(m.span(), m.groups()) for m in pattern.finditer(text)] for text in TEXTS]


@pytest.mark.parametrize(("source", "flags"), [
    (r"漏水|插座|冒烟", 0),
    (r"(?P<a>北京|上海)(?P<b>市)?", 0),
    (r"\b(?:ac|vacuum)s?\b", re.IGNORECASE),
    (r"abc", re.IGNORECASE),
    (r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9])", 0),
    (r"(?=北京)(?!北京路)", 0),
    (r"(?:明天|后天)?(?:下午|上午)?(?:[0-9]{1,2}|[一二三])点\s*", 0),
    (r"(?:S/?N|序列号)\s*[:：]?\s*([A-Za-z0-9]+)", re.IGNORECASE),
    (r"(?:我的)?(?:地址|住址)+", 0),
])
def test_guarded_patterns_find_the_same_matches(source: str, flags: int) -> None:
    guarded = quick(source, flags)
    assert guarded.pattern.startswith("(?=[")
    assert _matches(guarded) == _matches(re.compile(source, flags))
    assert guarded.groupindex == re.compile(source, flags).groupindex


@pytest.mark.parametrize(("source", "flags"), [
    (r"a*", 0),  # matches empty everywhere
    (r"(?:北京)?", 0),
    (r".x", 0),  # any character
    (r"[^a]b", 0),
    (r"\db", 0),  # categories are left alone
    (r"(?i:a)b", 0),  # a local flag changes what the first character matches
    (r"(?i)ab", 0),  # global flags written in the pattern must stay in front
    (r"\s*(?:明天|后天)", 0),
])
def test_patterns_it_cannot_bound_are_left_as_written(source: str, flags: int) -> None:
    assert quick(source, flags).pattern == source


def test_a_case_insensitive_guard_matches_every_case() -> None:
    assert [m.group(0) for m in quick(r"ac|tv", re.IGNORECASE).finditer("AC, Tv and ac")] == ["AC", "Tv", "ac"]


def test_special_characters_are_escaped_in_the_guard() -> None:
    assert quick(r"\]|\-|\^|\\|[a-c]").findall("x]-^\\b") == ["]", "-", "^", "\\", "b"]
