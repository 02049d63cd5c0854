"""Ingest throughput on a folder of papers (default: the 12-paper workspace corpus).

    .venv/bin/python -m bench.ingest [CORPUS_DIR] [--home DIR]

Prints pages/s, chunks/s, where the main process spent the run (waiting for
the worker that extracts, chunks and audits the next file; embedding; storing),
the worker's own seconds, peak memory, and the cost of a re-run over the
unchanged folder (which should be a few percent of the first run).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from ideapump.config import Settings
from ideapump.runtime import Runtime

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--home", type=Path, default=None, help="data dir (default: a fresh temp dir)")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus folder at {args.corpus}")
    home = args.home or Path(tempfile.mkdtemp(prefix="ideapump-bench-"))
    lib = Runtime(Settings(home=home)).library()

    t0 = time.perf_counter()
    report = lib.ingest([args.corpus])
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    rerun = lib.ingest([args.corpus])
    second = time.perf_counter() - t0

    done = [o for o in report.outcomes if o.status in ("ingested", "replaced")]
    pages = sum(o.pages for o in done)
    chunks = sum(o.chunks for o in done)
    t = report.timings
    outside = first - t.embed_s
    print(f"corpus: {args.corpus}  home: {home}")
    print(
        f"files: {len(done)} ingested, {report.count('failed')} failed, {report.count('skipped')} skipped"
    )
    print(f"pages: {pages}   chunks: {chunks}")
    print(
        f"first run: {first:.1f} s  -> {pages / first:.2f} pages/s, {chunks / first:.2f} chunks/s overall"
    )
    print(f"embedding: {t.embed_s:.1f} s -> {chunks / max(t.embed_s, 1e-9):.2f} chunks/s")
    print("  main process:")
    for name, secs in (
        ("waiting for the worker", t.wait_s),
        ("embedding", t.embed_s),
        ("store", t.store_s),
        ("planning (hash, registry)", t.other_s),
    ):
        print(f"    {name:<26} {secs:7.2f} s  {100 * secs / first:5.1f}%")
    print("  worker, overlapped with embedding:")
    for name, secs in (
        ("extraction", t.extract_s),
        ("chunking", t.chunk_s),
        ("statistics audit", t.audit_s),
    ):
        print(f"    {name:<26} {secs:7.2f} s")
    print(f"outside embedding: {outside:.1f} s = {100 * outside / first:.1f}% of the run")
    print(
        f"re-run (unchanged): {second:.2f} s = {100 * second / first:.2f}% of the first run "
        f"({rerun.count('unchanged')} unchanged)"
    )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    # This machine's speed drifts by a third between minutes (shared host), so
    # the model's own ceiling is measured here, right after the run, on its chunks.
    texts = [p.quote for o in done if o.doc_id for p in lib.chunks(o.doc_id)]
    sample = texts[:: max(1, len(texts) // 240)]
    t0 = time.perf_counter()
    lib.store.embeddings.embed_documents(sample)
    alone = len(sample) / (time.perf_counter() - t0)
    print(
        f"model alone, just after, on {len(sample)} of these chunks: {alone:.2f} chunks/s "
        f"(the run's embedding reached {100 * chunks / max(t.embed_s, 1e-9) / alone:.0f}% of it)"
    )


if __name__ == "__main__":
    main()
