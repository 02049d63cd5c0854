"""Hostile files fail alone, with a reason, within the extraction worker's budget."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ideapump.config import Settings
from ideapump.errors import DocumentError
from ideapump.runtime import Runtime
from ingest.extractor import Budget, Extractor
from ingest.prepare import PrepPlan
from tests.hostile import expanding_pdf, many_pages_pdf, nested_pdf, not_a_pdf

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


def _address_space_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmSize")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_pdf_over_the_memory_limit_fails_alone(tmp_path: Path) -> None:
    """A few kB that inflate to 80 MB of text, against a limit 48 MB above the worker's
    start-up size: that file fails with the setting to raise; an ordinary PDF passes
    under the same limit, before and after it."""
    ok = tmp_path / "ok.pdf"
    ok.write_bytes(many_pages_pdf(20))
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(expanding_pdf(pages=4, mb=20))
    assert bomb.stat().st_size < 100_000
    with Extractor(budget=Budget(seconds=120, memory_mb=0)) as ex:
        assert len(ex.submit(ok, PLAN, b"").result().doc.pages) == 20
        assert ex._proc is not None
        started_mb = _address_space_mb(ex._proc.pid)  # imports, tokenizer, SciPy
    with Extractor(budget=Budget(seconds=120, memory_mb=started_mb + 48)) as ex:
        assert len(ex.submit(ok, PLAN, b"").result().doc.pages) == 20
        error = ex.submit(bomb, PLAN, b"").exception()
        assert isinstance(error, DocumentError), error  # never a crash of the caller
        assert "IDEAPUMP_INGEST__FILE_MEMORY_MB" in str(error) and "corrupt" not in str(error)
        assert len(ex.submit(ok, PLAN, b"").result().doc.pages) == 20  # the worker goes on


def test_hostile_pdfs_in_a_batch_each_get_a_reason(tmp_path: Path, embeddings: Any) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_nested.pdf").write_bytes(nested_pdf(100_000))
    (folder / "b_word.pdf").write_bytes(not_a_pdf())
    (folder / "c_huge.pdf").write_bytes(many_pages_pdf(30_000))
    (folder / "d_note.md").write_text(NOTE)
    settings = Settings(home=tmp_path / "home", ingest={"file_time_budget_s": 2})
    lib = Runtime(settings, embeddings=embeddings).library()
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
    lib = Runtime(settings, embeddings=embeddings).library()
    started = time.monotonic()
    report = lib.ingest([huge])
    assert report.outcomes[0].status == "failed" and "longer than 2 s" in (
        report.outcomes[0].reason or ""
    )
    assert time.monotonic() - started < 30
