"""Benchmark the statistics auditor on a corpus of PDFs.

    .venv/bin/python -m bench.stats [CORPUS_DIR] [--repeat N]

Text extraction (ingest loaders, pypdf) is timed separately from the audit,
because the audit is what runs on every check of an ingested paper: the target
is the whole 12-paper corpus in under 2 s after extraction. The audit includes
everything a report holds: recomputed p-values, grouping of repeated results,
probable causes, and the cross-checks beyond statcheck (df vs N, CI vs p,
effect sizes, percentages); its parts are timed too.
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
        f"{'paper':40s} {'pages':>5s} {'tests':>5s} {'cons':>5s} {'incons':>6s} "
        f"{'dec.err':>7s} {'n/c':>4s} {'distinct':>8s} {'causes':>6s} {'checks':>6s}"
    )
    for (f, pages), report in zip(docs, reports, strict=True):
        c, d = report.counts, report.distinct_counts
        problems = d["inconsistent"] + d["decision_error"]
        print(
            f"{f.stem[:40]:40s} {len(pages):5d} {c['total']:5d} {c['consistent']:5d} "
            f"{c['inconsistent']:6d} {c['decision_error']:7d} {c['not_checkable']:4d} "
            f"{problems:8d} {d['causes']:6d} {d['checks']:6d}"
        )
    print(f"\n{len(files)} papers, {n_pages} pages, {n_results} results")
    print(f"text extraction: {extraction:.2f} s ({n_pages / extraction:.1f} pages/s)")
    print(
        f"audit with the new checks (best of {args.repeat}): {best:.3f} s -> "
        f"{n_results / best:.0f} results/s, {n_pages / best:.0f} pages/s  "
        f"[target < 2 s: {'met' if best < 2 else 'MISSED'}]"
    )
    parts = _parts(docs, settings.stats.alpha)
    print("  of which: " + ", ".join(f"{name} {secs:.3f} s" for name, secs in parts.items()))


def _parts(docs: list[tuple[Path, list[tuple[int, str]]]], alpha: float) -> dict[str, float]:
    """One more pass over the main parts of check_pages, each timed on its own."""
    from ideapump.stats.causes import assign_causes
    from ideapump.stats.crosscheck import ci_checks, df_vs_n, effect_size_checks
    from ideapump.stats.extract import extract, normalize
    from ideapump.stats.grim import check_percentages
    from ideapump.stats.grouping import group_results
    from ideapump.stats.recompute import check

    names = ("extract", "recompute p", "grouping + causes", "cross-checks")
    times = dict.fromkeys(names, 0.0)
    for _, pages in docs:
        t0 = time.perf_counter()
        texts = [(n, normalize(t)) for n, t in pages]
        raws = [extract(t, page=n, normalized=True) for n, t in texts]
        t1 = time.perf_counter()
        results = [check(r, alpha) for page_raws in raws for r in page_raws]
        t2 = time.perf_counter()
        grouped, findings = group_results(results)
        assign_causes(grouped, findings, alpha)
        t3 = time.perf_counter()
        for (n, text), page_raws in zip(texts, raws, strict=True):
            effect_size_checks(page_raws, text)
            ci_checks(text, n)
            check_percentages(text, page=n)
            for r in page_raws:
                df_vs_n(r, text, None)
        t4 = time.perf_counter()
        for name, secs in zip(names, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[name] += secs
    return times


if __name__ == "__main__":
    main()
