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


def read_examples(path: Path) -> list[Example]:
    """Parse and validate one JSON-lines file; texts come back normalized, blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    examples: list[Example] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise DataError(f'{path}:{lineno}: expected an object with a string "text"')
        kind = row.get("type")
        if kind not in TICKET_TYPES:
            raise DataError(f'{path}:{lineno}: "type" must be one of {", ".join(TICKET_TYPES)}, got {kind!r}')
        examples.append(Example(normalize(row["text"]), kind))
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
