"""Hostile files fail alone, with a reason, within the extraction worker's budget."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ideapump.config import Settings
from ideapump.library import Library
from ingest.extractor import Budget, Extractor
from ingest.prepare import PrepPlan
from tests.hostile import many_pages_pdf, nested_pdf, not_a_pdf

PLAN = PrepPlan(
    max_bytes=50_000_000, chunk_tokens=240, overlap=40, count_max_tokens=256, alpha=0.05
)
NOTE = "# Pilot\n\nAtomoxetine increased baseline pupil size in the pilot (n = 12)."


def test_a_pdf_over_the_time_budget_is_stopped(tmp_path: Path) -> None:
    big = tmp_path / "huge.pdf"
    big.write_bytes(many_pages_pdf(30_000))  # minutes of work for pypdf
    started = time.monotonic()
    with Extractor(budget=Budget(seconds=2)) as ex:
        error = ex.submit(big, PLAN, b"").exception()
        took = time.monotonic() - started
        assert error is not None and "took longer than 2 s" in str(error)
        assert "IDEAPUMP_INGEST__FILE_TIME_BUDGET_S" in str(error)
        assert took < 30  # the worker was killed, not waited for
        # the next file gets a fresh worker
        ok = tmp_path / "ok.pdf"
        ok.write_bytes(many_pages_pdf(20))
        assert len(ex.submit(ok, PLAN, b"").result().doc.pages) == 20


def test_a_pdf_over_the_memory_limit_fails_alone(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(many_pages_pdf(3000))
    with Extractor(budget=Budget(seconds=60, memory_mb=350)) as ex:
        error = ex.submit(big, PLAN, b"").exception()
    # a MemoryError in the worker, or the worker dying of it, or stuck until the budget
    assert error is not None
    assert any(s in str(error) for s in ("MEMORY_MB", "TIME_BUDGET_S")), (
        error
    )  # never a crash of the caller


def test_hostile_pdfs_in_a_batch_each_get_a_reason(tmp_path: Path, embeddings: Any) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_nested.pdf").write_bytes(nested_pdf(100_000))
    (folder / "b_word.pdf").write_bytes(not_a_pdf())
    (folder / "c_huge.pdf").write_bytes(many_pages_pdf(30_000))
    (folder / "d_note.md").write_text(NOTE)
    settings = Settings(home=tmp_path / "home", ingest={"file_time_budget_s": 2})
    lib = Library.open(settings=settings, embeddings=embeddings)
    report = lib.ingest([folder])
    reasons = {Path(o.path).name: (o.status, o.reason or "") for o in report.outcomes}
    assert (
        reasons["a_nested.pdf"][0] == "failed" and "nested too deeply" in reasons["a_nested.pdf"][1]
    )
    assert reasons["b_word.pdf"][0] == "failed" and "ZIP archive" in reasons["b_word.pdf"][1]
    assert reasons["c_huge.pdf"][0] == "failed" and "longer than 2 s" in reasons["c_huge.pdf"][1]
    assert reasons["d_note.md"][0] == "ingested"
    assert all("\n" not in r for _, r in reasons.values())


def test_a_single_pdf_is_read_in_the_worker_too(tmp_path: Path, embeddings: Any) -> None:
    """One file (no overlap worker) is still read under the budget, not in this process."""
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(many_pages_pdf(30_000))
    settings = Settings(home=tmp_path / "home", ingest={"file_time_budget_s": 2})
    lib = Library.open(settings=settings, embeddings=embeddings)
    started = time.monotonic()
    report = lib.ingest([huge])
    assert report.outcomes[0].status == "failed" and "longer than 2 s" in (
        report.outcomes[0].reason or ""
    )
    assert time.monotonic() - started < 30
