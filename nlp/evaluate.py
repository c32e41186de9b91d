"""Per-type precision/recall/F1, macro-F1 and the confusion matrix, as `aftersales nlp eval` prints them.

Macro-F1 averages over the types present in the gold labels: a company's history without installation tickets
should not be scored on installation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .understanding import TICKET_TYPES


@dataclass(frozen=True, slots=True)
class Report:
    labels: tuple[str, ...]
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    macro_f1: float
    accuracy: float
    confusion: dict[str, dict[str, int]]  # gold → predicted → count


def evaluate(gold: Sequence[str], predicted: Sequence[str]) -> Report:
    labels = tuple(t for t in TICKET_TYPES if t in set(gold) | set(predicted))
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    precision, recall, f1, support = {}, {}, {}, {}
    for label in labels:
        tp = confusion[label][label]
        predicted_n = sum(confusion[g][label] for g in labels)
        support[label] = sum(confusion[label].values())
        precision[label] = tp / predicted_n if predicted_n else 0.0
        recall[label] = tp / support[label] if support[label] else 0.0
        total = precision[label] + recall[label]
        f1[label] = 2 * precision[label] * recall[label] / total if total else 0.0
    scored = [label for label in labels if support[label]]
    correct = sum(confusion[label][label] for label in labels)
    return Report(labels=labels, precision=precision, recall=recall, f1=f1, support=support,
                  macro_f1=sum(f1[label] for label in scored) / len(scored) if scored else 0.0,
                  accuracy=correct / len(gold) if gold else 0.0, confusion=confusion)


def format_report(report: Report) -> str:
    width = max(len(label) for label in report.labels) if report.labels else 5
    lines = [f"{'type':<{width}}  precision  recall     f1  support"]
    for label in report.labels:
        lines.append(f"{label:<{width}}  {report.precision[label]:9.3f}  {report.recall[label]:6.3f}  "
                     f"{report.f1[label]:5.3f}  {report.support[label]:7d}")
    lines += ["", f"macro-F1  {report.macro_f1:.4f}", f"accuracy  {report.accuracy:.4f}", "",
              "confusion (rows = gold, columns = predicted)"]
    short = [label[:6] for label in report.labels]
    lines.append(" " * width + "  " + " ".join(f"{s:>6}" for s in short))
    for label in report.labels:
        lines.append(f"{label:<{width}}  " + " ".join(f"{report.confusion[label][p]:6d}" for p in report.labels))
    return "\n".join(lines)
