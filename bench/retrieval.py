"""Benchmark retrieval: recall@5 and MRR of dense vs hybrid on hand-written questions.

    .venv/bin/python -m bench.retrieval [--corpus DIR] [--home DIR [--library NAME]] [--k 10] [--scale N]

Each item of ``bench/retrieval_questions.json`` is a question in a researcher's
words, the paper that answers it and a short verbatim snippet: a retrieved
passage is a hit when it comes from that paper and contains the snippet
(whitespace-normalized). The corpus is ingested into a temporary home, or into
``--home`` (re-runs skip unchanged files). MRR is over the top ``--k``.
``--scale N`` also times the BM25 index over N synthetic chunks (re-sampled
corpus chunks), the cost a large library pays: the cold build (tokenizing every
chunk, then assembling the matrix; what a process without an index file pays on
its first search), writing the index file, loading it (what a new process pays
instead) and queries.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ideapump.config import get_settings
from ideapump.library import Library
from ideapump.models import Passage
from ideapump.retrieval import LexicalIndex, Retriever, index_file
from ideapump.runtime import Runtime

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "retrieval_questions.json"

#: (label, retrieve() keyword arguments)
CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("dense", {"mode": "dense"}),
    ("hybrid", {"mode": "hybrid"}),
    ("hybrid+cap2", {"mode": "hybrid", "per_paper_cap": 2}),
    ("hybrid+mmr0.7", {"mode": "hybrid", "mmr_lambda": 0.7}),
]


def norm(text: str) -> str:
    return " ".join(text.split())


def first_hit(passages: list[Passage], item: dict[str, Any]) -> int | None:
    """1-based rank of the first passage from the right paper holding the snippet."""
    snippet = norm(item["snippet"])
    for rank, p in enumerate(passages, start=1):
        if Path(p.source).name == item["paper"] and snippet in norm(p.quote):
            return rank
    return None


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def evaluate(
    retriever: Retriever, items: list[dict[str, Any]], k: int
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for label, kwargs in CONFIGS:
        ranks: list[int | None] = []
        times: list[float] = []
        for item in items:
            t0 = time.perf_counter()
            passages = retriever.retrieve(item["question"], k, **kwargs)
            times.append(time.perf_counter() - t0)
            ranks.append(first_hit(passages, item))
        results[label] = {"ranks": ranks, "times": times}
    return results


def report(results: dict[str, dict[str, Any]], items: list[dict[str, Any]], k: int) -> None:
    exact = [i for i, it in enumerate(items) if it.get("kind") == "exact"]
    print(
        f"{'mode':15s} {'recall@1':>8s} {'recall@5':>8s} {f'MRR@{k}':>7s} "
        f"{'exact r@5':>9s} {'p50 ms':>7s} {'p95 ms':>7s}"
    )
    for label, res in results.items():
        ranks = res["ranks"]
        n = len(ranks)
        r1 = sum(1 for r in ranks if r is not None and r <= 1) / n
        r5 = sum(1 for r in ranks if r is not None and r <= 5) / n
        mrr = sum(1.0 / r for r in ranks if r is not None) / n
        ex5 = sum(1 for i in exact if ranks[i] is not None and ranks[i] <= 5)
        ms = [t * 1000 for t in res["times"]]
        print(
            f"{label:15s} {r1:8.3f} {r5:8.3f} {mrr:7.3f} {ex5:>5d}/{len(exact):<3d} "
            f"{percentile(ms, 50):7.1f} {percentile(ms, 95):7.1f}"
        )
    dense, hybrid = results["dense"]["ranks"], results["hybrid"]["ranks"]
    moved = [
        (items[i]["question"][:70], dense[i], hybrid[i])
        for i in range(len(items))
        if dense[i] != hybrid[i]
    ]
    if moved:
        print("\nrank changes, dense -> hybrid (None = not in top k):")
        for q, d, h in moved:
            print(f"  {d!s:>4s} -> {h!s:<4s} {q}")


def scale_test(library: Library, n_chunks: int, n_queries: int = 50) -> None:
    """Build a BM25 index over ``n_chunks`` synthetic chunks, persist it, load it; time each."""
    texts: list[str] = []
    for info in library.papers():
        texts.extend(p.quote for p in library.chunks(info.doc_id))
    rng = np.random.default_rng(0)
    words = " ".join(texts).split()
    index = LexicalIndex()
    signature = set()
    t0 = time.perf_counter()
    per_doc = 50
    for d in range(0, n_chunks, per_doc):
        chunks = []
        for c in range(min(per_doc, n_chunks - d)):
            start = int(rng.integers(0, len(words) - 200))
            chunks.append((f"doc{d}:{c:05d}", " ".join(words[start : start + 180])))
        index.add_document(f"doc{d:08d}", chunks)
        signature.add((f"doc{d:08d}", len(chunks), "2025-01-01T00:00:00"))
    tokenize_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    index.rebuild()
    rebuild_s = time.perf_counter() - t1
    index.signature = frozenset(signature)

    with tempfile.TemporaryDirectory(prefix="ideapump-bm25-") as tmp:
        path = Path(tmp) / "bm25" / "bench.npz"
        t2 = time.perf_counter()
        index_file.save(index, path)
        save_s = time.perf_counter() - t2
        size_mb = path.stat().st_size / 1e6
        loaded = LexicalIndex()
        t3 = time.perf_counter()
        if not index_file.restore(loaded, path):
            raise SystemExit(f"the index file {path} did not load")
        loaded.rebuild()
        load_s = time.perf_counter() - t3

    queries = [" ".join(rng.choice(words, 6)) for _ in range(n_queries)]
    times = []
    for q in queries:
        t4 = time.perf_counter()
        built = index.search(q, 40)
        times.append((time.perf_counter() - t4) * 1000)
        if loaded.search(q, 40) != built:
            raise SystemExit(f"the loaded index answers {q!r} differently")
    print(
        f"\nBM25 at {n_chunks:,} chunks ({len(loaded.vocab):,} terms):\n"
        f"  cold build            {tokenize_s + rebuild_s:7.2f} s  (tokenize+bag {tokenize_s:.2f} s "
        f"+ matrix {rebuild_s:.2f} s; first search without an index file)\n"
        f"  write index file      {save_s:7.2f} s  ({size_mb:.1f} MB; after a library change)\n"
        f"  load index file       {load_s:7.2f} s  (read + matrix; first search of a new process)\n"
        f"  query p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms; "
        f"loaded index gives the same scores on all {n_queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    parser.add_argument("--home", type=Path, help="IdeaPump home to ingest into / reuse")
    parser.add_argument("--library", default="bench", help="library name inside the home")
    parser.add_argument("--k", type=int, default=10, help="passages retrieved per question")
    parser.add_argument("--scale", type=int, default=0, help="also time BM25 at N chunks")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    items = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="ideapump-bench-") as tmp:
        home = args.home or Path(tmp)
        library = Runtime(get_settings(home=home)).library(args.library)
        t0 = time.perf_counter()
        ingest = library.ingest(sorted(args.corpus.glob("*.pdf")))
        if ingest.failed:
            raise SystemExit(f"ingest failed: {ingest.outcomes}")
        papers = library.papers()
        n_chunks = sum(p.chunks for p in papers)
        print(
            f"{len(papers)} papers, {n_chunks} chunks in {home} "
            f"(ingest {time.perf_counter() - t0:.1f} s); {len(items)} questions"
        )
        retriever = Retriever(library)
        t1 = time.perf_counter()
        retriever.retrieve("warm-up query", 5)  # loads the ONNX model and BM25
        how = "loaded from its file" if retriever.index.loads else "built"
        print(f"first hybrid query (model load + BM25 {how}): {time.perf_counter() - t1:.2f} s")
        builds = retriever.index.builds
        results = evaluate(retriever, items, args.k)
        print(
            f"BM25 rebuilds during the {len(items) * len(CONFIGS)} timed queries: "
            f"{retriever.index.builds - builds}\n"
        )
        report(results, items, args.k)
        if args.scale:
            scale_test(library, args.scale)


if __name__ == "__main__":
    main()
