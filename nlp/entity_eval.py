"""Precision/recall of entity extraction against a labelled set (`tests/nlp/data/entities_gold.jsonl`).

Each gold row lists the values a reader would take from the message: phones (digits, landlines as 0AREA-NUMBER),
order/serial/ticket numbers, addresses as [province, city, district] and times as local ISO minutes. Matching is
exact per value, micro-averaged per kind and overall.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .entities import extract_entities
from .normalize import normalize
from .understanding import Entities

KINDS = ("phones", "order_numbers", "serial_numbers", "ticket_ids", "addresses", "times")


@dataclass(frozen=True, slots=True)
class Score:
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0


def _values(entities: Entities, kind: str) -> list[str]:
    if kind == "addresses":
        return [json.dumps([a.province, a.city, a.district], ensure_ascii=False) for a in entities.addresses]
    if kind == "times":
        return [t.start.strftime("%Y-%m-%dT%H:%M") for t in entities.times]
    return list(getattr(entities, kind))


def _gold_values(row: dict, kind: str) -> list[str]:
    if kind == "addresses":
        return [json.dumps(a, ensure_ascii=False) for a in row[kind]]
    return list(row[kind])


def score_file(path: Path) -> dict[str, Score]:
    """Per-kind scores plus "all" for every labelled row in `path`."""
    totals = {kind: [0, 0, 0] for kind in KINDS}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        entities = extract_entities(normalize(row["text"]), datetime.fromisoformat(row["now"]))
        for kind in KINDS:
            predicted, gold = Counter(_values(entities, kind)), Counter(_gold_values(row, kind))
            totals[kind][0] += sum((predicted & gold).values())
            totals[kind][1] += sum(predicted.values())
            totals[kind][2] += sum(gold.values())
    scores = {kind: Score(*counts) for kind, counts in totals.items()}
    scores["all"] = Score(*(sum(s) for s in zip(*totals.values())))
    return scores
