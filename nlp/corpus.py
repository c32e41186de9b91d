"""Labelled `{"text","type"}` JSON lines: the shipped data in `nlp/data/` and a company's own history.

Reading validates every row and names the file and line of the first bad one, so `aftersales nlp train/eval` can
answer bad input with exit code 2 and a message that says where.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .normalize import normalize
from .understanding import TICKET_TYPES

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_TRAIN = DATA_DIR / "types.train.jsonl"
SHIPPED_HELDOUT = DATA_DIR / "types.heldout.jsonl"


def public_datasets() -> Path | None:
    """The shared public corpora (`$AFTERSALES_DATASETS`, else the nearest `shared/datasets` above the checkout),
    read at training, test and benchmark time only, never copied into the repository; None when absent."""
    if configured := os.environ.get("AFTERSALES_DATASETS"):
        return Path(configured) if Path(configured).is_dir() else None
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "datasets").is_dir():
            return parent / "shared" / "datasets"
    return None


class DataError(ValueError):
    """A labelled file that cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    type: str


def json_lines(lines: Iterable[str], source: str, *, keys: tuple[str, ...] = ("text",)
               ) -> Iterator[tuple[int, dict[str, Any], str]]:
    """`(line number, row, text)` for each non-blank JSON line, the text being the first of `keys` the row has;
    `DataError` naming `source` and the line for one that is not such an object."""
    wanted = " or ".join(f'"{k}"' for k in keys)
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{source}:{lineno}: not valid JSON ({exc.msg})") from None
        text = next((row[k] for k in keys if k in row), None) if isinstance(row, dict) else None
        if not isinstance(text, str):
            raise DataError(f"{source}:{lineno}: expected an object with a string {wanted}")
        yield lineno, row, text


def read_examples(path: Path) -> list[Example]:
    """Parse and validate one JSON-lines file; texts come back normalized, blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    examples: list[Example] = []
    for lineno, row, text in json_lines(lines, str(path)):
        kind = row.get("type")
        if kind not in TICKET_TYPES:
            raise DataError(f'{path}:{lineno}: "type" must be one of {", ".join(TICKET_TYPES)}, got {kind!r}')
        examples.append(Example(normalize(text), kind))
    if not examples:
        raise DataError(f"{path}: no labelled rows")
    return examples


def fingerprint(paths: list[Path]) -> str:
    """Hash of the raw bytes of the training files: the data half of a model's version."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
