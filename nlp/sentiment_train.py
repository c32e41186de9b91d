"""Train the shipped sentiment weights: `python -m nlp.sentiment_train [--datasets DIR] [--out PATH]`.

Negative and positive come from the public review corpora in `DIR/sentiment` (online_shopping_10_cats.csv,
waimai_10k.csv; label 1 positive, 0 negative); neutral comes from the project's own service messages
(`types.train.jsonl`: bookings, questions, invoices, order changes and fault reports, which state facts, not
feelings). Every tenth review (index ≡ 5 mod 10) is held out for `bench/bench_nlp.py` and never trained on; the
next tenth (≡ 6) and the project's held-out split calibrate the neutral band. Only weights are written.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from .corpus import SHIPPED_HELDOUT, SHIPPED_TRAIN, public_datasets, read_examples
from .normalize import normalize
from .sentiment import CLASSES, WEIGHTS, SentimentModel, hashed_features

BUCKETS = 1 << 17
NEUTRAL_TYPES = ("repair", "installation", "maintenance", "invoice", "order_change", "inquiry")
HELD_OUT, CALIBRATION = 5, 6
_LABELS = {"0": "negative", "1": "positive"}


def read_reviews(datasets: Path) -> dict[str, list[tuple[str, str]]]:
    """(text, label) per split ("train", "calibration", "test") from both review corpora."""
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "calibration": [], "test": []}
    for name in ("online_shopping_10_cats.csv", "waimai_10k.csv"):
        with open(datasets / "sentiment" / name, encoding="utf-8-sig", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if not row.get("review") or row.get("label") not in _LABELS:
                    continue
                split = "test" if i % 10 == HELD_OUT else "calibration" if i % 10 == CALIBRATION else "train"
                splits[split].append((normalize(row["review"]), _LABELS[row["label"]]))
    return splits


def neutral(path: Path) -> list[tuple[str, str]]:
    return [(e.text, "neutral") for e in read_examples(path) if e.type in NEUTRAL_TYPES]


def matrix(texts: list[str]):
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    for r, text in enumerate(texts):
        counts = hashed_features(text, BUCKETS)
        tf = np.array([1.0 + np.log(c) for c in counts.values()])
        tf /= np.sqrt(tf @ tf)
        rows += [r] * len(counts)
        cols += list(counts)
        values += tf.tolist()
    return csr_matrix((values, (rows, cols)), shape=(len(texts), BUCKETS), dtype=np.float32)


def accuracy(model: SentimentModel, rows: list[tuple[str, str]]) -> float:
    return sum(model.mood(text).label == label for text, label in rows) / len(rows)


def calibrate(model: SentimentModel, reviews: list[tuple[str, str]], calm: list[tuple[str, str]]
              ) -> dict[str, float]:
    """The thresholds that best serve both: polar reviews called polar, service messages left neutral."""
    probabilities = [(model.probabilities(t), label) for t, label in reviews + calm]
    n_reviews = len(reviews)
    best, chosen = -1.0, {"negative": 0.5, "positive": 0.5}
    for t_neg in np.arange(0.35, 0.91, 0.05):
        for t_pos in np.arange(0.35, 0.91, 0.05):
            right = [0, 0]
            for i, (p, label) in enumerate(probabilities):
                said = ("negative" if p[0] >= t_neg and p[0] > p[2] else
                        "positive" if p[2] >= t_pos and p[2] > p[0] else "neutral")
                right[i >= n_reviews] += said == label
            score = min(right[0] / n_reviews, right[1] / len(calm))
            if score > best:
                best, chosen = score, {"negative": round(float(t_neg), 2), "positive": round(float(t_pos), 2)}
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.sentiment_train", description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=public_datasets(), type=Path,
                        help="folder holding sentiment/online_shopping_10_cats.csv and sentiment/waimai_10k.csv "
                             "(default: $AFTERSALES_DATASETS or the nearest shared/datasets)")
    parser.add_argument("--out", default=str(WEIGHTS), help="where to write the weights")
    args = parser.parse_args(argv)
    if args.datasets is None:
        parser.error("no datasets folder found; pass --datasets")
    from sklearn.linear_model import LogisticRegression

    reviews = read_reviews(args.datasets)
    calm_train, calm_check = neutral(SHIPPED_TRAIN), neutral(SHIPPED_HELDOUT)
    rows = reviews["train"] + calm_train
    weights = {label: len(rows) / (len(CLASSES) * sum(1 for _, y in rows if y == label)) for label in CLASSES}
    fitted = LogisticRegression(C=8.0, max_iter=300, class_weight=weights)
    fitted.fit(matrix([t for t, _ in rows]), [y for _, y in rows])
    order = [list(fitted.classes_).index(c) for c in CLASSES]
    model = SentimentModel(coef=fitted.coef_[order].astype(np.float16).astype(np.float64),
                           intercept=fitted.intercept_[order], thresholds={"negative": 0.5, "positive": 0.5})
    model.thresholds.update(calibrate(model, reviews["calibration"], calm_check))
    model.save(Path(args.out), {"buckets": BUCKETS, "reviews": len(reviews["train"]), "neutral": len(calm_train)})
    print(f"wrote {args.out}: thresholds {model.thresholds}, held-out reviews accuracy "
          f"{accuracy(model, reviews['test']):.3f}, held-out service messages neutral {accuracy(model, calm_check):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
