"""Reports made at ingest time and read back by document id."""

import json
import os
import subprocess
import sys

from ideapump.library import Library
from ideapump.stats import check_document


def _mendt(lib: Library) -> str:
    return next(d.doc_id for d in lib.papers() if d.title.startswith("Regular exercise"))


def test_ingest_stores_the_audit_and_check_document_reads_it(corpus_library: Library) -> None:
    doc_id = _mendt(corpus_library)
    assert corpus_library.get(doc_id).stats is not None
    report = check_document(corpus_library, doc_id[:8])
    assert report.doc_id == doc_id
    quotes = [r.quote for r in report.results]
    assert any("t(13) = 2.04, p = 0.062" in " ".join(q.split()) for q in quotes)
    assert all(r.page is not None and r.page >= 1 for r in report.results)
    assert report.counts["decision_error"] == 0


def test_check_document_at_another_alpha_rejudges(corpus_library: Library) -> None:
    doc_id = _mendt(corpus_library)
    strict = check_document(corpus_library, doc_id, alpha=0.06)
    # p = .052 and .062 straddle .06: the recomputed and printed p fall on the
    # same side, so nothing becomes a decision error, but alpha is carried.
    assert strict.alpha == 0.06


def test_cli_check_stats_by_doc_id(corpus_library: Library) -> None:
    doc_id = _mendt(corpus_library)
    env = {**os.environ, "IDEAPUMP_HOME": str(corpus_library.settings.home)}
    proc = subprocess.run(
        [sys.executable, "-m", "ideapump", "check-stats", doc_id, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["document"]["doc_id"] == doc_id
    assert {r["test_type"] for r in data["results"]} >= {"t"}
