"""Figures for knowledge-base retrieval: R@1 on questions no article lists, precision of `answered` at the
threshold, search latency over 10,000 articles, and `aftersales kb search --jsonl` wall and CPU time for 2,000
queries (CPU time too, since on a shared machine the wall time measures the neighbours as well).

Run `.venv/bin/python bench/bench_kb.py [--seeds 3] [--threshold T] [--only PART ...]` (`AFTERSALES_DATASETS` points
elsewhere than ../shared/datasets). Sets measured:
- CIC (../shared/datasets/cic, read here and never stored in the repository): one article per fine intent, titled
  with the intent's description, with 5 example questions drawn from train.json; the queries are all of dev.json.
  Labels in both files are deliberately noisy, so it is measured twice: examples drawn from every row, and examples
  drawn only from rows whose label a cross-validated classifier agrees with (what a curated knowledge base looks
  like); queries are always all of dev. Two baselines run on the same draws: the nearest single example question
  (char 1–2-gram TF-IDF) and char 1–2-gram TF-IDF over each article's title + questions.
- The starter knowledge base (bot/demo_kb) against hand-written questions in bench/data/kb_heldout.jsonl, a few of
  which no article answers, Chinese and English apart; then each Chinese question asked after one of a few reports
  (`REPORTS`), as the hub asks it while a ticket is open.
- ATEC question pairs (../shared/datasets/atec): each first question is an article, each second one a query; a
  same-meaning pair should find its own article, a different-meaning pair should not be answered.
CIC dev queries are split in two halves by a hash of their text: the settings of nlp/retrieval.py were chosen on
the first, and the engine's R@1 is printed for each half, the second never having been tuned on.
Precision of answered = answered and right / answered. The CIC open set drops every third intent from the knowledge
base, so those queries should go unanswered.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import summarize_ms  # noqa: E402
from bot.config import KbConfig  # noqa: E402
from core.domain.knowledge import Article, read_articles  # noqa: E402
from nlp.retrieval import KnowledgeBase, Match  # noqa: E402

DATASETS = Path(os.environ.get("AFTERSALES_DATASETS") or ROOT.parent / "shared" / "datasets")
CIC = DATASETS / "cic"
ATEC = DATASETS / "atec" / "atec_nlp_sim_train.tsv"
HELDOUT = ROOT / "bench" / "data" / "kb_heldout.jsonl"
STARTER = ROOT / "bot" / "demo_kb"
EXAMPLES = 5
HAN = re.compile(r"[\u3400-\u9fff]")
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)

REPORTS = ("热水器显示E4，不出热水了", "空调不制冷，外机不转", "洗衣机漏水了", "路由器连不上网", "我要退货，尺码不对")
"""Problems a customer reported before asking: the hub reads a question naming a fault code, which it cannot answer
alone, after the open ticket's report (`KnowledgeBase.search_after`); that must not make wrong answers of others."""

Query = tuple[str, "str | None"]
"""A question and the id of the article that answers it (None: no article should answer)."""


def _rows(name: str) -> list[dict[str, str]]:
    with open(CIC / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _consistent(rows: list[dict[str, str]]) -> list[bool]:
    """Whether each row's label agrees with a classifier that never saw the row (5-fold): the noise filter."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import cross_val_predict
    from sklearn.svm import LinearSVC

    features = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit_transform(
        [r["sentence"] for r in rows])
    labels = [r["label_des"] for r in rows]
    return [p == y for p, y in zip(cross_val_predict(LinearSVC(C=0.5), features, labels, cv=5), labels)]


def cic_set(train: list[dict[str, str]], dev: list[dict[str, str]], seed: int) -> tuple[list[Article], list[Query]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for row in train:
        by_intent[row["label_des"]].append(row["sentence"])
    rng = random.Random(seed)
    articles = []
    for number, intent in enumerate(sorted(by_intent)):
        questions = sorted(set(by_intent[intent]))
        rng.shuffle(questions)
        articles.append(Article(id=f"intent-{number}", title=intent, questions=tuple(questions[:EXAMPLES]), tags=(),
                                body=""))
    listed = {q for a in articles for q in a.questions}
    ids = {a.title: a.id for a in articles}
    return articles, [(r["sentence"], ids.get(r["label_des"])) for r in dev if r["sentence"] not in listed]


def tuning_half(query: str) -> bool:
    """Whether a CIC dev query is in the half that retrieval settings were chosen on."""
    return hashlib.md5(query.encode()).digest()[0] % 2 == 0


def recall_at_1(matches: Sequence[Match | None], queries: Sequence[Query]) -> float:
    scored = [(m, want) for m, (_, want) in zip(matches, queries) if want is not None]
    return sum(m is not None and m.article_id == want for m, want in scored) / len(scored)


def answered_figures(matches: Sequence[Match | None], queries: Sequence[Query], threshold: float) -> str:
    """Precision of answered, the share of answerable questions answered, and of the others answered (wrongly): at
    `threshold`, or pinned by a fault code and a product."""
    answered = [(m, want) for m, (_, want) in zip(matches, queries)
                if m is not None and (m.score >= threshold or m.pinned)]
    right = sum(m.article_id == want for m, want in answered)
    answerable = sum(want is not None for _, want in queries)
    others = len(queries) - answerable
    wrongly = sum(want is None for _, want in answered)
    precision = right / len(answered) if answered else float("nan")
    text = (f"precision {precision:.3f}  answered {sum(w is not None for _, w in answered) / answerable:.3f} of "
            f"answerable")
    return text + (f", {wrongly / others:.3f} of unanswerable" if others else "")


def baselines(articles: Sequence[Article], queries: Sequence[Query]) -> tuple[float, float]:
    """R@1 of the nearest single example question, and of char 1–2-gram TF-IDF over title + questions."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [q for q, _ in queries]
    wanted = [want for _, want in queries]
    ids = [a.id for a in articles]
    docs = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit(
        [" ".join((a.title, *a.questions)) for a in articles])
    together = (docs.transform(texts) @ docs.transform(
        [" ".join((a.title, *a.questions)) for a in articles]).T).toarray().argmax(axis=1)
    examples = [(a.id, q) for a in articles for q in a.questions]
    single = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit([q for _, q in examples])
    nearest = (single.transform(texts) @ single.transform([q for _, q in examples]).T).toarray().argmax(axis=1)
    return (float(np.mean([examples[i][0] == w for i, w in zip(nearest, wanted)])),
            float(np.mean([ids[i] == w for i, w in zip(together, wanted)])))


def bench_cic(seeds: int, threshold: float) -> None:
    if not CIC.exists():
        print("CIC: skipped (no ../shared/datasets/cic)")
        return
    train, dev = _rows("train.json"), _rows("dev.json")
    started = time.perf_counter()
    agree = _consistent(train)
    curated = [row for row, ok in zip(train, agree) if ok]
    print(f"CIC: {len(dev)} dev queries; {len(curated)} of {len(train)} train rows pass the noise filter "
          f"({time.perf_counter() - started:.0f} s)")
    for name, pool in (("examples from all rows", train), ("examples from consistent rows", curated)):
        figures: dict[str, list[float]] = defaultdict(list)
        open_matches: list[Match | None] = []
        open_queries: list[Query] = []
        for seed in range(seeds):
            articles, queries = cic_set(pool, dev, seed)
            nearest, together = baselines(articles, queries)
            figures["nearest example"].append(nearest)
            figures["title+questions char 1-2"].append(together)
            matches = KnowledgeBase(articles, threshold=threshold).search_many([q for q, _ in queries])
            figures["this engine"].append(recall_at_1(matches, queries))
            for half, label in ((True, "  tuning half"), (False, "  never tuned on")):
                rows = [row for row, (q, _) in enumerate(queries) if tuning_half(q) == half]
                figures[label].append(recall_at_1([matches[r] for r in rows], [queries[r] for r in rows]))
            kept = articles[seed % 3::3] + articles[(seed + 1) % 3::3]
            kept_ids = {a.id for a in kept}
            open_queries += [(q, want if want in kept_ids else None) for q, want in queries]
            open_matches += KnowledgeBase(kept, threshold=threshold).search_many([q for q, _ in queries])
        print(f"  {name} ({seeds} draws):")
        for method, values in figures.items():
            print(f"    R@1 {method:26s} {np.mean(values):.3f}  ({' '.join(f'{v:.3f}' for v in values)})")
        _threshold_table("    open set (1/3 of intents left out)", open_matches, open_queries, threshold)


def _threshold_table(title: str, matches: Sequence[Match | None], queries: Sequence[Query], chosen: float) -> None:
    print(title)
    for threshold in sorted({*THRESHOLDS, chosen}):
        mark = "  <- threshold" if threshold == chosen else ""
        print(f"      at {threshold:.2f}: {answered_figures(matches, queries, threshold)}{mark}")


def bench_starter(threshold: float) -> None:
    articles = read_articles(STARTER)
    listed = {q for a in articles for q in a.questions}
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert not listed & {r["query"] for r in rows}, "held-out questions must not be listed in any article"
    kb = KnowledgeBase(articles, threshold=threshold)
    for language, chinese in (("Chinese", True), ("English", False)):
        queries: list[Query] = [(r["query"], r["article"]) for r in rows if bool(HAN.search(r["query"])) == chinese]
        matches = kb.search_many([q for q, _ in queries])
        answerable = sum(w is not None for _, w in queries)
        print(f"starter KB ({len(articles)} articles), {language}: {answerable} held-out questions + "
              f"{len(queries) - answerable} that no article answers")
        print(f"  R@1 {recall_at_1(matches, queries):.3f}")
        _threshold_table("  answered:", matches, queries, threshold)
        if chinese:
            for report in REPORTS:
                after = [m if m is not None and m.sure else kb.search_after(q, report)
                         for m, (q, _) in zip(matches, queries)]
                print(f"  asked after \"{report}\": {answered_figures(after, queries, threshold)}")


def bench_atec(threshold: float, pairs: int = 1000) -> None:
    if not ATEC.exists():
        print("ATEC: skipped (no ../shared/datasets/atec)")
        return
    rows = [line.rstrip("\n").split("\t") for line in ATEC.read_text(encoding="utf-8-sig").splitlines()]
    rows = [r for r in rows if len(r) == 4]
    random.Random(0).shuffle(rows)
    same = [r for r in rows if r[3] == "1"][:pairs]
    different = [r for r in rows if r[3] == "0"][:pairs]
    articles = [Article(id=f"q{i}", title=r[1], questions=(), tags=(), body="") for i, r in enumerate(same + different)]
    queries: list[Query] = [(r[2], f"q{i}") for i, r in enumerate(same)]
    queries += [(r[2], None) for r in different]
    matches = KnowledgeBase(articles, threshold=threshold).search_many([q for q, _ in queries])
    print(f"ATEC: {len(articles)} one-question articles; {pairs} same-meaning and {pairs} different-meaning queries")
    print(f"  R@1 (same meaning) {recall_at_1(matches, queries):.3f}")
    _threshold_table("  answered:", matches, queries, threshold)


def synthetic_articles(count: int, sentences: Sequence[str], seed: int = 0) -> list[Article]:
    """Articles made of random real sentences: title, 5 questions and a body of 6 sentences each."""
    rng = random.Random(seed)
    return [Article(id=f"a{i}", title=rng.choice(sentences), questions=tuple(rng.sample(sentences, 5)), tags=(),
                    body="".join(rng.sample(sentences, 6))) for i in range(count)]


def _sentences() -> list[str]:
    if CIC.exists():
        return [r["sentence"] for r in _rows("train.json")]
    articles = read_articles(STARTER)
    return [q for a in articles for q in (a.title, *a.questions)] + [
        line for a in articles for line in a.body.splitlines() if line.strip()]


def bench_latency(count: int, queries: int) -> None:
    sentences = _sentences()
    articles = synthetic_articles(count, sentences)
    started = time.perf_counter()
    knowledge = KnowledgeBase(articles, threshold=0.5)
    built = time.perf_counter() - started
    asked = random.Random(1).choices(sentences, k=queries)
    timings, cpu = [], []
    for query in asked:
        started, started_cpu = time.perf_counter(), time.thread_time()
        knowledge.search(query)
        timings.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    print(f"latency over {count} articles (index built in {built:.1f} s), {queries} single searches: "
          f"{summarize_ms(timings)}; CPU time {summarize_ms(cpu)}")


def bench_cli(count: int, queries: int) -> None:
    """`aftersales kb search --kb DIR --jsonl` as a user runs it: start-up, reading DIR, indexing and answering."""
    sentences = _sentences()
    asked = random.Random(2).choices(sentences, k=queries)
    stdin = "".join(json.dumps({"query": q}, ensure_ascii=False) + "\n" for q in asked)
    with tempfile.TemporaryDirectory() as folder:
        for article in synthetic_articles(count, sentences):
            (Path(folder) / f"{article.id}.md").write_text(
                f"---\nid: {article.id}\ntitle: {json.dumps(article.title, ensure_ascii=False)}\nquestions: "
                f"{json.dumps(list(article.questions), ensure_ascii=False)}\n---\n{article.body}\n", encoding="utf-8")
        for name, kb in (("starter KB", STARTER), (f"{count} articles", Path(folder))):
            command = [str(ROOT / ".venv" / "bin" / "aftersales"), "kb", "search", "--kb", str(kb), "--jsonl"]
            started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=ROOT,
                                  env={**os.environ, "AFTERSALES_CONFIG": os.devnull}, check=True)
            elapsed, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            assert len(done.stdout.splitlines()) == queries
            print(f"kb search --jsonl, {queries} queries, {name}: {elapsed:.1f} s wall, {cpu:.1f} s CPU")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="CIC draws of example questions")
    parser.add_argument("--threshold", type=float, default=KbConfig().threshold,
                        help="the threshold to report (default: the [kb] threshold default)")
    parser.add_argument("--articles", type=int, default=10_000, help="synthetic knowledge-base size for latency")
    parser.add_argument("--only", choices=("starter", "cic", "atec", "latency", "cli"), action="append",
                        help="run only these parts (repeatable; default: all)")
    args = parser.parse_args(argv)
    steps: dict[str, Callable[[], None]] = {
        "starter": lambda: bench_starter(args.threshold), "cic": lambda: bench_cic(args.seeds, args.threshold),
        "atec": lambda: bench_atec(args.threshold), "latency": lambda: bench_latency(args.articles, 2000),
        "cli": lambda: bench_cli(args.articles, 2000)}
    for name in args.only or steps:
        steps[name]()


if __name__ == "__main__":
    main()
