"""Text search in SQL without letting the searched text act as a pattern."""
from __future__ import annotations

ESCAPE = "\\"


def containing(text: str) -> str:
    """A LIKE pattern (with `escape=ESCAPE`) matching values that contain `text` as typed: `%` and `_` in it are
    literal."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"
