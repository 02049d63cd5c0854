"""Search latency: over the real corpus, and over 100,000 synthetic chunks.

    .venv/bin/python -m bench.search [--corpus-home DIR] [--synthetic N] [--queries Q]

The corpus part needs a home where the corpus is already ingested (run
bench/ingest.py with --home first); without it, only the synthetic part runs.
The synthetic library holds N random unit vectors with texts of 180 words drawn
from the corpus papers (so BM25 sees a realistic vocabulary), a title and a
section, registered as complete documents of 500 chunks, so a query pays for the
real path of ``Library.search``: query embedding, HNSW search in Chroma, BM25,
loading the candidates, score mixing and the registry lookup. Queries are the
bench's researcher questions, each asked once per mode (the query-vector cache
never answers), in every mode.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ideapump.config import Settings
from ideapump.library import Library
from ideapump.runtime import Runtime
from ideapump.store.registry import DocumentRow
from ingest.chunking import Chunk
from ingest.loaders import load_document

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus"
MODES = ("hybrid", "dense", "lexical")


def questions() -> list[str]:
    """Distinct researcher questions (both bench files), so no query vector is cached."""
    found: list[str] = []
    for name in ("retrieval_pages.json", "retrieval_questions.json"):
        found += [it["question"] for it in json.loads((HERE / name).read_text(encoding="utf-8"))]
    return list(dict.fromkeys(found))


def timed(lib: Library, queries: list[str], mode: str = "hybrid") -> list[float]:
    cache = getattr(lib.store.embeddings, "_queries", None)
    if cache is not None:
        cache._vectors.clear()  # every mode pays for its query embeddings
    out = []
    for q in queries:
        t = time.perf_counter()
        lib.search(q, k=5, mode=mode)  # type: ignore[arg-type]
        out.append((time.perf_counter() - t) * 1000)
    return out


def corpus_words(corpus: Path) -> list[str]:
    words: list[str] = []
    for pdf in sorted(corpus.glob("*.pdf")):
        words += " ".join(p.text for p in load_document(pdf).pages).split()
    return words


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{name}: {len(ms)} queries, p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms")


def synthetic(n: int, queries: list[str], corpus: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="ideapump-bench-search-"))
    lib = Runtime(Settings(home=home)).library("synthetic")
    rng = np.random.default_rng(0)
    words = corpus_words(corpus)
    per_doc = 500
    t0 = time.perf_counter()
    for d in range(0, n, per_doc):
        doc_id = f"{d // per_doc:016x}"
        count = min(per_doc, n - d)
        vecs = rng.standard_normal((count, 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        starts = rng.integers(0, len(words) - 200, count)
        chunks = [
            Chunk(doc_id, i, " ".join(words[a : a + 180]), "Results", 1 + i // 5, 1 + i // 5, 0, 1)
            for i, a in enumerate(starts)
        ]
        lib.registry.begin(
            DocumentRow(
                library=lib.name,
                doc_id=doc_id,
                title=f"Synthetic {doc_id}",
                kind="text",
                source="-",
                sha256=doc_id,
                pages=1,
                chunks=count,
                ingested_at=datetime.now(UTC),
            )
        )
        title = " ".join(words[int(rng.integers(0, len(words) - 20)) :][:12])
        lib.store.add(chunks, vecs.tolist(), {"kind": "text", "title": title, "ctx": 1})
        lib.registry.commit(lib.name, doc_id)
    print(f"synthetic: stored {n} chunks in {time.perf_counter() - t0:.0f} s")
    t1 = time.perf_counter()
    lib.search("warm-up: model load and the BM25 index", k=5)
    print(f"first search (model load + BM25 cold build): {time.perf_counter() - t1:.1f} s")
    for mode in MODES:
        report(f"synthetic {n:,} chunks, {mode}", timed(lib, queries, mode))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus-home", type=Path, default=None)
    ap.add_argument("--synthetic", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=150, help="distinct questions per mode")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="papers the texts come from")
    ap.add_argument("--library", default=None, help="library in --corpus-home")
    args = ap.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    asked = questions()[: args.queries]
    if args.corpus_home:
        lib = Runtime(Settings(home=args.corpus_home)).library(args.library)
        print(f"corpus: {len(lib.papers())} documents, {lib.store.count()} chunks")
        lib.search("warm-up", k=5)
        for mode in MODES:
            report(f"corpus, {mode}", timed(lib, asked, mode))
    if args.synthetic:
        synthetic(args.synthetic, asked, args.corpus)


if __name__ == "__main__":
    main()
