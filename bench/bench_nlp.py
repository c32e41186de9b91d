"""Figures for the nlp package: held-out and CIC macro-F1, type-classification throughput, entity P/R.

Run `.venv/bin/python bench/bench_nlp.py`. CIC lives in ../shared/datasets/cic (never in this repository); the CIC
part is skipped when it is absent. Throughput is measured on one core, one message per call, as the hub calls it.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AFTERSALES_MODEL_DIR", tempfile.mkdtemp(prefix="aftersales-models-"))

from nlp.corpus import SHIPPED_HELDOUT, Example, read_examples  # noqa: E402
from nlp.entity_eval import score_file  # noqa: E402
from nlp.evaluate import evaluate  # noqa: E402
from nlp.model import TypeModel  # noqa: E402
from nlp.normalize import normalize  # noqa: E402
from nlp.store import model_dir, shipped_key, shipped_model, train  # noqa: E402
from nlp.understander import Understander  # noqa: E402

CIC = ROOT.parent / "shared" / "datasets" / "cic"
GOLD = ROOT / "tests" / "nlp" / "data" / "entities_gold.jsonl"
REVIEWS = ROOT.parent / "shared" / "datasets" / "sentiment" / "online_shopping_10_cats.csv"


def _cic(name: str, mapping: dict[str, str]) -> list[Example]:
    with open(CIC / name, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [Example(normalize(r["sentence"]), mapping[r["label_des"]]) for r in rows]


def _rate(fn, items: list[str], rounds: int = 3) -> float:
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = max(best, len(items) / (time.perf_counter() - start))
    return best


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    start = time.perf_counter()
    model = shipped_model()
    print(f"shipped model built/loaded in {time.perf_counter() - start:.2f}s ({len(model.classes)} types)")
    start = time.perf_counter()
    model = TypeModel.load(model_dir() / f"types-{shipped_key()}.npz")
    print(f"shipped model loaded from cache in {time.perf_counter() - start:.3f}s")

    heldout = read_examples(SHIPPED_HELDOUT)
    own = evaluate([e.type for e in heldout], model.predict_many(e.text for e in heldout))
    print(f"shipped held-out split macro-F1:                 {own.macro_f1:.4f}  ({len(heldout)} messages)")

    texts: list[str]
    if (CIC / "dev.json").exists():
        mapping = json.loads((CIC / "label_to_type.json").read_text(encoding="utf-8"))
        dev, cic_train = _cic("dev.json", mapping), _cic("train.json", mapping)
        gold = [e.type for e in dev]
        shipped = evaluate(gold, model.predict_many(e.text for e in dev))
        print(f"CIC dev macro-F1 (a) shipped model only:        {shipped.macro_f1:.4f}  (accuracy {shipped.accuracy:.4f})")
        print("    per-type F1: " + "  ".join(f"{t} {shipped.f1[t]:.2f}" for t in shipped.labels if shipped.support[t]))
        trained_model = train(cic_train)
        trained = evaluate(gold, trained_model.predict_many(e.text for e in dev))
        print(f"CIC dev macro-F1 (b) after training on CIC train: {trained.macro_f1:.4f}  (accuracy {trained.accuracy:.4f})")
        texts = [e.text for e in dev] * 5
    else:
        print("CIC dataset not found; skipping macro-F1")
        texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()] * 20

    understander = Understander(model=model)
    now = datetime.now(timezone.utc)
    print(f"type classification: {_rate(model.predict, texts):,.0f} msg/s (one core, {len(texts)} messages)")
    print(f"full understanding:  {_rate(lambda t: understander.understand(t, now=now), texts):,.0f} msg/s")

    scores = score_file(GOLD)
    for kind, score in scores.items():
        print(f"entities {kind:<15} P {score.precision:.3f}  R {score.recall:.3f}  (gold {score.gold})")
    _sentiment()


def _sentiment() -> None:
    """Sentiment against labelled shopping reviews (1 positive, 0 negative): every tenth review, read here only.

    A neutral answer counts as wrong, so accuracy = coverage x accuracy on the reviews given a polarity.
    """
    if not REVIEWS.exists():
        print("sentiment reviews not found; skipping sentiment accuracy")
        return
    from nlp.assess import sentiment

    with open(REVIEWS, encoding="utf-8-sig", newline="") as fh:
        rows = [r for i, r in enumerate(csv.DictReader(fh)) if i % 10 == 5 and r["review"]]
    wanted = {"1": "positive", "0": "negative"}
    said = [sentiment(normalize(r["review"])) for r in rows]
    right = sum(s == wanted[r["label"]] for s, r in zip(said, rows))
    polar = sum(s != "neutral" for s in said)
    print(f"sentiment on {len(rows)} shopping reviews: accuracy {right / len(rows):.3f}  "
          f"(polarity given for {polar / len(rows):.3f}, right on those {right / max(polar, 1):.3f})")


if __name__ == "__main__":
    main()
