"""Search latency: over the real corpus, and over 100,000 synthetic chunks.

    .venv/bin/python -m bench.search [--corpus-home DIR] [--synthetic N] [--queries Q]

The corpus part needs a home where the corpus is already ingested (run
bench/ingest.py with --home first); without it, only the synthetic part runs.
The synthetic library holds N random unit vectors with short texts, registered
as complete documents, so a query pays for the real path: query embedding,
HNSW search in Chroma and the registry lookup.
"""

from __future__ import annotations

import argparse
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

QUERIES = [
    "noradrenaline and random exploration",
    "hand hygiene intervention effect on behaviour",
    "circadian rhythm of core body temperature in bed rest",
    "pupil size before an eye movement",
    "recruiting disadvantaged smokers into a trial",
    "implementation intentions and healthy eating in adolescents",
    "oxidative stress in rats and memory",
    "horse facial expressions during anticipation",
    "nonsignificant results and false negatives in psychology",
    "dog human cooperation evolution",
]


def timed(lib: Library, n: int) -> list[float]:
    out = []
    for i in range(n):
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        lib.search(q, k=5)
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{name}: {len(ms)} queries, p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms")


def synthetic(n: int, queries: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="ideapump-bench-search-"))
    lib = Runtime(Settings(home=home)).library("synthetic")
    rng = np.random.default_rng(0)
    per_doc = 500
    t0 = time.perf_counter()
    for d in range(0, n, per_doc):
        doc_id = f"{d // per_doc:016x}"
        count = min(per_doc, n - d)
        vecs = rng.standard_normal((count, 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        chunks = [
            Chunk(doc_id, i, f"synthetic passage {d + i} about topic {i % 97}", "", 1, 1, 0, 10)
            for i in range(count)
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
        lib.store.add(chunks, vecs.tolist(), {"kind": "text", "title": "synthetic"})
        lib.registry.commit(lib.name, doc_id)
    print(f"synthetic: stored {n} chunks in {time.perf_counter() - t0:.0f} s")
    timed(lib, 3)  # warm the index and the ONNX session
    report(f"synthetic {n:,} chunks", timed(lib, queries))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus-home", type=Path, default=None)
    ap.add_argument("--synthetic", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=100)
    args = ap.parse_args()
    if args.corpus_home:
        lib = Runtime(Settings(home=args.corpus_home)).library()
        print(f"corpus: {len(lib.papers())} documents, {lib.store.count()} chunks")
        timed(lib, 3)
        report("corpus", timed(lib, args.queries))
    if args.synthetic:
        synthetic(args.synthetic, args.queries)


if __name__ == "__main__":
    main()
