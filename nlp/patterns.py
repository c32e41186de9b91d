"""Compile the patterns that run over every message so that a search skips where no match can start.

Python's `re` jumps to where a match can begin only when a pattern opens with a literal or a character set; one that
opens with a group of alternatives, with a word boundary, a lookbehind or (under IGNORECASE) a letter is tried in
full at every character of the text: a hundred place names at each position of each message. `quick` reads the
pattern's parse tree for the characters every match must start with and puts a one-character lookahead for them in
front, which rules out most positions with one set test. The matches, groups and group numbers stay the same: the
lookahead is only added when the parse tree proves that no match can start with another character (and is not
empty); anything this does not read (a local flag, a back reference, a negated set, "any character") leaves the
pattern as it is.
"""
from __future__ import annotations

import re
from re import _constants as sre  # the parse tree of `re`'s own parser: internal, so any surprise leaves a pattern be
from re import _parser

_ZERO_WIDTH = frozenset({sre.AT, sre.ASSERT_NOT})
_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})


class _Unbounded(Exception):
    """A match may start with any character, as far as this module can tell."""


def quick(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, behind a lookahead for the characters every match starts with when those are
    known: the same matches, without trying the whole pattern at positions none of them can start at."""
    pattern = re.compile(source, flags)
    try:
        starts, closed = _starts(_parser.parse(source, flags))
    except (_Unbounded, AttributeError, TypeError, ValueError):
        return pattern
    if not closed:
        return pattern
    try:
        return re.compile(f"(?=[{''.join(sorted(starts))}])(?:{source})", flags)
    except re.error:  # global flags written inside the pattern, "(?i)…", must stay in front
        return pattern


def _starts(items) -> tuple[set[str], bool]:
    """The character-class pieces a match of the sequence `items` can start with, and whether that is all of them
    (False: the sequence can match empty, so what follows it can start the match too)."""
    starts: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            return starts | {re.escape(chr(av))}, True
        if op is sre.IN:
            return starts | _members(av), True
        if op in _ZERO_WIDTH or op is sre.ASSERT and av[0] < 0:  # lookbehinds and boundaries consume nothing
            continue
        if op is sre.ASSERT:
            inner, closed = _starts(av[1])
        elif op is sre.SUBPATTERN:
            if av[1] or av[2]:  # a local flag (?i:…) changes what a character matches
                raise _Unbounded
            inner, closed = _starts(av[3])
        elif op is sre.ATOMIC_GROUP:
            inner, closed = _starts(av)
        elif op is sre.BRANCH:
            inner, closed = set(), True
            for alternative in av[1]:
                alternative_starts, alternative_closed = _starts(alternative)
                inner |= alternative_starts
                closed = closed and alternative_closed
        elif op in _REPEATS:
            inner, closed = _starts(av[2])
            closed = closed and av[0] > 0
        else:
            raise _Unbounded
        starts |= inner
        if closed:
            return starts, True
    return starts, False


def _members(members) -> set[str]:
    """Class pieces for the members of a parsed character set."""
    pieces = set()
    for op, av in members:
        if op is sre.LITERAL:
            pieces.add(re.escape(chr(av)))
        elif op is sre.RANGE:
            pieces.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        else:  # a negated set or a category (\d, \w): leave the pattern as it is
            raise _Unbounded
    return pieces
