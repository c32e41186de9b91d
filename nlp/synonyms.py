"""Synonym groups of the domain dictionary (`nlp/data/synonyms.txt`): the words customers use for one thing.

Expansion appends each group's name after the text rather than replacing the variant, so the exact word still
matches exactly and only the shared name bridges "顺丰" and "快递". Both sides of a comparison are expanded the same way.
The file writes an English phrase with "_" between its words ("out_of_warranty"): a line's variants are split on
spaces, and English says in phrases what Chinese says in a word (过保).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

SYNONYMS = Path(__file__).parent / "data" / "synonyms.txt"
_LATIN = re.compile(r"[a-z]")


class Synonyms:
    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self._name: dict[str, str] = {}
        for group in groups:
            for variant in group[1:]:
                self._name.setdefault(variant, group[0])
        variants = sorted(self._name, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(_whole, variants))) if variants else None

    @classmethod
    def load(cls, path: Path = SYNONYMS) -> "Synonyms":
        """The groups of a file of one group a line, '#' starting a comment and '_' standing for a space."""
        lines = (line.partition("#")[0].split() for line in path.read_text(encoding="utf-8").splitlines())
        return cls([variant.replace("_", " ") for variant in line] for line in lines if len(line) > 1)

    def expand(self, text: str) -> str:
        """`text` followed by the group name of every variant found in it (lower-case input), once per mention."""
        if self._pattern is None:
            return text
        names = [self._name[found.group(0)] for found in self._pattern.finditer(text)]
        return f"{text} {' '.join(names)}" if names else text


def _whole(variant: str) -> str:
    """The pattern of a variant, whose English letters at either end must not run on into a longer word: "ok" is not
    in "book" or "broken", nor "ems" in "items". Chinese has no spaces, so a Chinese variant matches anywhere."""
    start = r"(?<![a-z])" if _LATIN.match(variant) else ""
    end = r"(?![a-z])" if _LATIN.match(variant[-1]) else ""
    return start + re.escape(variant) + end


@lru_cache(maxsize=1)
def domain_synonyms() -> Synonyms:
    return Synonyms.load()
