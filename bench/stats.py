"""Benchmark the statistics auditor on a corpus of PDFs.

    .venv/bin/python -m bench.stats [CORPUS_DIR] [--repeat N]

Text extraction (ingest loaders, pypdf) is timed separately from the audit,
because the audit is what runs on every check of an ingested paper: the target
is the whole 12-paper corpus in under 2 s after extraction.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from ideapump.config import get_settings
from ideapump.stats import check_pages, read_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="/work/shared/corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="audit passes; the best is reported")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    settings = get_settings()
    files = sorted(args.corpus.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {args.corpus}")

    t0 = time.perf_counter()
    docs = [(f, read_pages(f, settings)[0]) for f in files]
    extraction = time.perf_counter() - t0

    best = float("inf")
    reports = []
    for _ in range(max(args.repeat, 1)):
        t1 = time.perf_counter()
        reports = [check_pages(pages, alpha=settings.stats.alpha) for _, pages in docs]
        best = min(best, time.perf_counter() - t1)

    n_pages = sum(len(pages) for _, pages in docs)
    n_results = sum(len(r.results) for r in reports)
    print(
        f"{'paper':55s} {'pages':>5s} {'tests':>5s} {'cons':>5s} {'incons':>6s} {'dec.err':>7s} {'n/c':>4s}"
    )
    for (f, pages), report in zip(docs, reports, strict=True):
        c = report.counts
        print(
            f"{f.stem[:55]:55s} {len(pages):5d} {c['total']:5d} {c['consistent']:5d} "
            f"{c['inconsistent']:6d} {c['decision_error']:7d} {c['not_checkable']:4d}"
        )
    print(f"\n{len(files)} papers, {n_pages} pages, {n_results} results")
    print(f"text extraction: {extraction:.2f} s ({n_pages / extraction:.1f} pages/s)")
    print(
        f"audit (best of {args.repeat}): {best:.3f} s -> {n_results / best:.0f} results/s, "
        f"{n_pages / best:.0f} pages/s  [target < 2 s: {'met' if best < 2 else 'MISSED'}]"
    )


if __name__ == "__main__":
    main()
