"""Train the shipped word vectors: `python -m nlp.meaning_train [--datasets DIR] [--out PATH]`.

Text, read without any label: CIC `train.json` sentences (buyer messages to online shops; never `dev.json`, whose
messages `bench/bench_kb.py` asks as queries), the SophonPlus review corpora and both questions of each ATEC pair.
Words are cut as the knowledge base's word view cuts them (nlp.retrieval), then each word counts its neighbours
within `WINDOW` words, nearer ones more, the buyer messages `CIC_WEIGHT` times. The positive PMI of those counts
(context frequencies smoothed by 0.75) is reduced by a truncated SVD to `DIMENSIONS`; rows are scaled by smooth
inverse frequency `SIF / (SIF + p(word))` and the first principal direction of the sentences' sums is removed,
so nlp.meaning only sums and normalizes. Only the `VOCABULARY` most frequent words ship, with their rows.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

from .corpus import public_datasets
from .meaning import VECTORS, WordVectors
from .retrieval import index_words

WINDOW = 5
CIC_WEIGHT = 3.0
DIMENSIONS = 100
VOCABULARY = 16_000
MIN_COUNT = 3
SIF = 1e-3
SMOOTHING = 0.75
COMMON_SAMPLE = 20_000


def read_texts(datasets: Path) -> tuple[list[str], list[str]]:
    """(buyer messages, other texts): CIC train sentences; reviews and ATEC questions."""
    with open(datasets / "cic" / "train.json", encoding="utf-8") as fh:
        buyers = [json.loads(line)["sentence"] for line in fh if line.strip()]
    others: list[str] = []
    for name in ("online_shopping_10_cats.csv", "waimai_10k.csv"):
        with open(datasets / "sentiment" / name, encoding="utf-8-sig", newline="") as fh:
            others += [row["review"] for row in csv.DictReader(fh) if row.get("review")]
    with open(datasets / "atec" / "atec_nlp_sim_train.tsv", encoding="utf-8-sig") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 4:
                others += fields[1:3]
    return buyers, others


def cooccurrences(sentences: list[list[int]], weights: np.ndarray, size: int) -> sparse.csr_matrix:
    """Word × word counts of neighbours within `WINDOW`, each pair weighted by its sentence's weight / distance."""
    flat = np.fromiter((w for s in sentences for w in s), dtype=np.int64)
    owner = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    rows, cols, values = [], [], []
    for distance in range(1, WINDOW + 1):
        same = owner[distance:] == owner[:-distance]
        left, right = flat[:-distance][same], flat[distance:][same]
        value = weights[owner[distance:][same]] / distance
        rows += [left, right]
        cols += [right, left]
        values += [value, value]
    return sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(size, size))


def train(buyers: list[str], others: list[str]) -> WordVectors:
    cut = [index_words(text) for text in buyers + others]
    counts = Counter(w for words in cut for w in words)
    vocabulary = [w for w, n in counts.most_common(VOCABULARY) if n >= MIN_COUNT]
    index = {w: i for i, w in enumerate(vocabulary)}
    sentences = [[index[w] for w in words if w in index] for words in cut]
    weights = np.where(np.arange(len(cut)) < len(buyers), CIC_WEIGHT, 1.0)
    counted = cooccurrences(sentences, weights, len(vocabulary)).tocoo()
    total = counted.data.sum()
    word_p = np.asarray(counted.sum(axis=1)).ravel() / total
    context_p = np.asarray(counted.sum(axis=0)).ravel() ** SMOOTHING
    context_p /= context_p.sum()
    pmi = np.log(counted.data / total / word_p[counted.row] / context_p[counted.col])
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (counted.row[keep], counted.col[keep])), shape=counted.shape)
    vectors = svds(ppmi.astype(np.float32), k=DIMENSIONS, random_state=0)[0]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    frequency = np.array([counts[w] for w in vocabulary], dtype=np.float64)
    vectors *= (SIF / (SIF + frequency / frequency.sum()))[:, None]
    sample = np.random.default_rng(0).choice(len(sentences), min(COMMON_SAMPLE, len(sentences)), replace=False)
    sums = np.vstack([vectors[sentences[i]].sum(axis=0) for i in sample if sentences[i]])
    common = np.linalg.svd(sums, full_matrices=False)[2][0]
    return WordVectors(vocabulary, vectors - np.outer(vectors @ common, common))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=public_datasets())
    parser.add_argument("--out", type=Path, default=VECTORS)
    args = parser.parse_args(argv)
    if args.datasets is None:
        sys.exit("no public datasets: pass --datasets DIR or set AFTERSALES_DATASETS")
    vectors = train(*read_texts(args.datasets))
    vectors.save(args.out)
    print(f"{args.out}: {vectors.dimensions} dimensions, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
