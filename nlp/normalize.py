"""Make customer text comparable: one width, simplified script, no emoji/control noise, bounded length.

Everything downstream (commands, the type model, entities) sees the same normalized string, so a full-width
"ＳＲ－２０２６…" or a traditional-script message from Hong Kong or Taiwan behaves like its plain form.
"""
from __future__ import annotations

import operator
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Long e-mails and pasted logs carry their meaning in the first few thousand characters; bounding the length keeps
# every later step linear and cheap even for a 100 KB message.
MAX_CHARS = 2000

_NOISE = re.compile(
    "["
    "\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"  # control characters
    "\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff"  # zero-width and direction marks
    "\ufe00-\ufe0f"  # variation selectors
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\U000e0000-\U000e007f"  # emoji, symbols, tags
    "\ue000-\uf8ff"  # private use: the type model's placeholders (nlp.placeholders) are never typed in
    "\ufffd"
    "]+"
)
# WeChat renders its stickers as "[捂脸]"/"/:086"-style codes inside the text.
STICKERS = re.compile(r"\[[\u4e00-\u9fff]{1,4}\]|/:[0-9a-z^_*<>@!?$&()-]{1,6}", re.IGNORECASE)
_REPEATED_PUNCT = re.compile(r"([!?.,~。，！？、…~-])\1+")
_ONCE = operator.methodcaller("group", 1)
"""The repeated mark, once. A callable rather than a group-reference template: `sub` hands a template to Python code
in the `re` module on every call, repeated marks or not, and calls a callable only for a match."""
_SPACES = re.compile(r"\s+")
_SPOKEN_NUMBER = re.compile(r"[零〇一二三四五六七八九幺]{3,}[0-9零〇一二三四五六七八九幺]*")
_SPOKEN_DIGITS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
SPOKEN_LENGTH = 7
"""A number read out digit by digit ("一三九一二三四五六七八", as voice input writes a phone): seven digits or more in a
row are no words, so they are written in figures for the phone and order patterns."""


def _figures(match: re.Match[str]) -> str:
    number = match.group(0)
    return number.translate(_SPOKEN_DIGITS) if len(number) >= SPOKEN_LENGTH else number


@lru_cache(maxsize=1)
def _traditional() -> tuple[frozenset[str], object]:
    """Traditional-only characters and the converter, loaded once; most messages never need converting."""
    import opencc

    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars: set[str] = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) == 1 and values.split(" ")[0] != key:
            chars.add(key)
    return frozenset(chars), opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    chars, converter = _traditional()
    if chars.isdisjoint(text):
        return text
    return converter.convert(text)  # type: ignore[attr-defined]


def normalize(text: str) -> str:
    """Return the canonical form of `text`; never raises on any `str` (binary garbage included)."""
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)
    text = STICKERS.sub(" ", text)
    text = _NOISE.sub(" ", text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = to_simplified(text)
    text = _REPEATED_PUNCT.sub(_ONCE, text)
    text = _SPOKEN_NUMBER.sub(_figures, text)
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_CHARS]


_HAN = "\u4e00-\u9fff"
_NARROWED = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_NARROW_BESIDE_HAN = re.compile(f"(?<=[{_HAN}])[,:;!?()]|[,:;!?()](?=[{_HAN}])")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_SPACE_BESIDE_WIDE = re.compile(r" (?=[，：；！？（）。、])|(?<=[，：；！？（）。、]) ")
HAN = re.compile(f"[{_HAN}]")
"""One Chinese character."""


def widened(text: str) -> str:
    """Normalized Chinese text as a person reads it again: the punctuation NFKC narrowed ("，" → ",") is full-width
    again beside Chinese characters, a pair of parentheses with either one beside them ("（显示E4）"); "KFR-35GW",
    "E4:" or "alert(1)" between Latin letters and digits stay as they are. A space beside full-width punctuation (where
    normalizing removed an emoji: "不脱水了😭，") goes."""
    text = _PARENTHESES.sub(_widened_pair, text)
    return _SPACE_BESIDE_WIDE.sub("", _NARROW_BESIDE_HAN.sub(lambda m: _NARROWED[m.group(0)], text))


def _widened_pair(pair: re.Match[str]) -> str:
    text, start, end = pair.string, pair.start(), pair.end()
    beside = text[start - 1:start] + pair.group(1)[:1] + pair.group(1)[-1:] + text[end:end + 1]
    return f"（{pair.group(1)}）" if HAN.search(beside) else pair.group(0)
