"""Benchmark retrieval at the page level: does the answer's page come back?

    .venv/bin/python -m bench.retrieval [--corpus DIR] [--home DIR [--library NAME]]
        [--questions FILE] [--k 10] [--scale N]

Each item of ``bench/retrieval_pages.json`` (100 questions over the 12 corpus papers,
written as a researcher would ask them) names the paper, the page(s) where the answer
stands and a verbatim quote of the answer. Before anything is timed, every quote is
checked against the stored page text (pypdf text as ingest extracts and cleans it):
a question whose quote is not on one of its pages stops the bench. A retrieved passage
answers a question when it comes from that paper and its page span covers one of the
answer pages; recall@n is the share of questions answered in the top n, MRR is over
the top ``--k``. ``--questions bench/retrieval_questions.json`` runs the older set
(53 questions, another author's, with ``snippet`` for ``quote``) the same way.

The peer every figure is compared with is computed here, in the same run: BM25 over
whole pages (each page of each paper one document, the library's own tokenizer),
the "few lines" a user could write instead of IdeaPump. Figures are printed per kind
of question (paraphrase, number, method, lookalike: a topic two corpus papers share)
and as ratios to that peer.

The corpus is ingested into a temporary home, or into ``--home`` (re-runs skip
unchanged files). ``--scale N`` also times the BM25 index over N synthetic chunks
(re-sampled corpus chunks): the cold build, writing and loading the index file, and
queries.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ideapump.config import get_settings
from ideapump.library import Library
from ideapump.models import Passage
from ideapump.retrieval import LexicalIndex, Retriever, index_file
from ideapump.runtime import Runtime

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "retrieval_pages.json"

#: (label, retrieve() keyword arguments)
CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("dense", {"mode": "dense"}),
    ("lexical", {"mode": "lexical"}),
    ("hybrid", {"mode": "hybrid"}),
    ("hybrid+cap2", {"mode": "hybrid", "per_paper_cap": 2}),
]
PEER = "bm25-pages"

#: (paper file name, page number)
PageKey = tuple[str, int]


def norm(text: str) -> str:
    return " ".join(text.split())


def answer_pages(item: dict[str, Any]) -> set[PageKey]:
    return {(item["paper"], int(p)) for p in item["pages"]}


def check_quotes(library: Library, items: list[dict[str, Any]]) -> dict[PageKey, str]:
    """Every page text by (paper, page); exits when a quote is not on its pages."""
    pages: dict[PageKey, str] = {}
    for info in library.papers():
        row = library.get(info.doc_id)
        for number, text in enumerate(row.page_texts or [], start=1):
            pages[(Path(row.source).name, number)] = text
    bad = []
    for item in items:
        quote = norm(item.get("quote") or item["snippet"])
        if not any(quote in norm(pages.get(key, "")) for key in answer_pages(item)):
            bad.append(f"  {item['paper']} p. {item['pages']}: {quote!r}")
    if bad:
        raise SystemExit("quotes not found on their pages:\n" + "\n".join(bad))
    return pages


def passage_rank(passages: Sequence[Passage], item: dict[str, Any]) -> int | None:
    """1-based rank of the first passage from the right paper whose pages cover an answer page."""
    wanted = answer_pages(item)
    for rank, p in enumerate(passages, start=1):
        name = Path(p.source).name
        if any((name, n) in wanted for n in range(p.page, p.page_end + 1)):
            return rank
    return None


class PageBM25:
    """The peer: textbook Okapi BM25 (k1 = 1.2, b = 0.75) with each whole page as one
    document (the library's own tokenizer; the retriever's k1 is tuned, the peer's not)."""

    def __init__(self, pages: dict[PageKey, str]) -> None:
        self.keys = sorted(pages)
        self.index = LexicalIndex(k1=1.2, b=0.75)
        ids = [f"{i:06d}" for i in range(len(self.keys))]
        self.index.add_document("pages", list(zip(ids, (pages[k] for k in self.keys), strict=True)))
        self.index.rebuild()

    def rank(self, query: str, item: dict[str, Any], k: int) -> int | None:
        wanted = answer_pages(item)
        found = self.index.search(query, k)
        for rank, cid in enumerate(found, start=1):
            if self.keys[int(cid)] in wanted:
                return rank
        return None


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def run_config(
    search: Callable[[str], int | None], items: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    ranks: list[int | None] = []
    times: list[float] = []
    for item in items:
        t0 = time.perf_counter()
        ranks.append(search(item["question"]))
        times.append(time.perf_counter() - t0)
    return {"ranks": ranks, "times": times}


def evaluate(
    retriever: Retriever, peer: PageBM25, items: list[dict[str, Any]], k: int
) -> dict[str, dict[str, list[Any]]]:
    by_question = {it["question"]: it for it in items}

    def passages(kwargs: dict[str, Any]) -> Callable[[str], int | None]:
        return lambda q: passage_rank(retriever.retrieve(q, k, **kwargs), by_question[q])

    results = {PEER: run_config(lambda q: peer.rank(q, by_question[q], k), items)}
    for label, kwargs in CONFIGS:
        results[label] = run_config(passages(kwargs), items)
    return results


def scores(ranks: Sequence[int | None]) -> tuple[float, float, float, float]:
    n = len(ranks) or 1

    def recall(at: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= at) / n

    return recall(1), recall(5), recall(10), sum(1.0 / r for r in ranks if r) / n


def report(results: dict[str, dict[str, list[Any]]], items: list[dict[str, Any]], k: int) -> None:
    kinds = sorted({it.get("kind", "other") for it in items})
    groups = [("all", list(range(len(items))))] + [
        (kind, [i for i, it in enumerate(items) if it.get("kind", "other") == kind])
        for kind in kinds
    ]
    peer = results[PEER]["ranks"]
    for group, idx in groups:
        print(f"\n[{group}] {len(idx)} questions: page recall@1/5/10, MRR@{k}; x = ratio to {PEER}")
        _, p5, _, pm = scores([peer[i] for i in idx])
        for label, res in results.items():
            r1, r5, r10, mrr = scores([res["ranks"][i] for i in idx])
            line = f"  {label:14s} {r1:6.3f} {r5:6.3f} {r10:6.3f} {mrr:6.3f}"
            if label != PEER:
                line += f"   x{r5 / p5 if p5 else float('nan'):.2f} r@5  x{mrr / pm if pm else float('nan'):.2f} MRR"
            print(line)
    print("\nlatency per query (ms; the peer has no embedding):")
    for label, res in results.items():
        ms = [t * 1000 for t in res["times"]]
        print(f"  {label:14s} p50 {percentile(ms, 50):6.1f}  p95 {percentile(ms, 95):6.1f}")
    hybrid = results["hybrid"]["ranks"]
    missed = [i for i, r in enumerate(hybrid) if r is None or r > 5]
    if missed:
        print("\nnot in hybrid's top 5 (rank in dense / lexical / hybrid / peer):")
        for i in missed:
            ranks = [results[m]["ranks"][i] for m in ("dense", "lexical", "hybrid", PEER)]
            shown = " / ".join("-" if r is None else str(r) for r in ranks)
            print(f"  {shown:>16s}  [{items[i].get('kind', '')}] {items[i]['question'][:90]}")


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
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="question file")
    parser.add_argument("--k", type=int, default=10, help="passages retrieved per question")
    parser.add_argument("--scale", type=int, default=0, help="also time BM25 at N chunks")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    items = json.loads(args.questions.read_text(encoding="utf-8"))
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
            f"(ingest {time.perf_counter() - t0:.1f} s); {len(items)} questions "
            f"from {args.questions.name}, quotes checked on their pages"
        )
        peer = PageBM25(check_quotes(library, items))
        retriever = Retriever(library)
        t1 = time.perf_counter()
        retriever.retrieve("warm-up query", 5)  # loads the ONNX model and BM25
        how = "loaded from its file" if retriever.index.loads else "built"
        print(f"first hybrid query (model load + BM25 {how}): {time.perf_counter() - t1:.2f} s")
        results = evaluate(retriever, peer, items, args.k)
        report(results, items, args.k)
        if args.scale:
            scale_test(library, args.scale)


if __name__ == "__main__":
    main()
