"""A disk that fills up during ingest: one reason per file, nothing half-stored, a rerun finishes.

Two real boundaries: the registry's SQLite refuses to grow (``PRAGMA max_page_count``
gives the very error a full disk gives, "database or disk is full"), and the Chroma
collection's write fails with ENOSPC. bench/faults.py does the same on a real
filesystem that fills up.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from ideapump.config import Settings
from ideapump.errors import StorageFullError
from ideapump.library import Library
from ideapump.runtime import Runtime
from tests.conftest import DATA


def notes(folder: Path, n: int = 5) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        text = f"# Pilot {i}\n\n" + " ".join(
            f"Session {i}.{j}: pupil size rose by {j + i} percent after atomoxetine."
            for j in range(150)
        )
        path = folder / f"{i}_pilot.md"
        path.write_text(text)
        paths.append(path)
    return paths


def consistent(lib: Library) -> tuple[int, int, list[str]]:
    """Chunks the registry's complete documents claim, chunks Chroma holds, unfinished rows."""
    claimed = sum(r.chunks for r in lib.registry.complete(lib.name))
    return claimed, lib.store.count(), [r.doc_id for r in lib.registry.unfinished(lib.name)]


def test_the_registry_disk_fills_up(tmp_path: Path, embeddings: Any) -> None:
    lib = Runtime(Settings(home=tmp_path / "home"), embeddings=embeddings).library()
    files = notes(tmp_path / "notes")
    assert not lib.ingest(files[:2]).failed

    engine = lib.registry.engine

    def cap(conn: Any, _record: Any) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages + 2}")  # a few pages left, as on a full disk

    event.listen(engine, "connect", cap)
    engine.dispose()  # new connections get the cap
    report = lib.ingest(files)
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert [by_name[f.name].status for f in files[:2]] == ["unchanged", "unchanged"]
    third = by_name[files[2].name]
    assert third.status == "failed" and "no space left" in (third.reason or "")
    assert "the disk is full" in (third.reason or "") and "\n" not in (third.reason or "")
    for f in files[3:]:
        assert by_name[f.name].status == "failed"
        assert f"the disk filled up while storing {files[2].name}" in (by_name[f.name].reason or "")
    claimed, stored, unfinished = consistent(lib)
    assert claimed == stored and unfinished == []

    event.remove(engine, "connect", cap)
    engine.dispose()
    rerun = lib.ingest(files)
    assert not rerun.failed and sum(o.status == "ingested" for o in rerun.outcomes) == 3
    claimed, stored, unfinished = consistent(lib)
    assert claimed == stored and unfinished == [] and len(lib.papers()) == 5


def test_the_vector_store_disk_fills_up(
    tmp_path: Path, embeddings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Runtime(Settings(home=tmp_path / "home"), embeddings=embeddings).library()
    files = notes(tmp_path / "notes", 4)
    raw = lib.store.collection._collection  # the Chroma collection under the guard
    real_upsert = raw.upsert
    calls = {"n": 0}

    def upsert(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(raw, "upsert", upsert)
    # On a really full disk the undo's own writes need room too (SQLite and Chroma log a
    # delete first): here the registry finds room only once the ingest frees its reserve.
    reserves = tmp_path / "home" / "run"
    real_delete = lib.registry.delete

    def delete(library: str, doc_id: str) -> None:
        if any(reserves.glob("ingest-*.reserve")):
            raise StorageFullError("the registry database: no space left on device")
        real_delete(library, doc_id)

    monkeypatch.setattr(lib.registry, "delete", delete)
    report = lib.ingest(files)
    assert [o.status for o in report.outcomes] == ["ingested", "failed", "failed", "failed"]
    assert "No space left on device" in (report.outcomes[1].reason or "")
    claimed, stored, unfinished = consistent(lib)
    assert claimed == stored and unfinished == []  # the failed file's row was undone
    assert not any(reserves.glob("*.reserve"))  # and the reserve does not outlive the run
    assert [p.title for p in lib.papers()] == ["Pilot 0"]

    monkeypatch.setattr(raw, "upsert", real_upsert)
    assert not lib.ingest(files).failed
    claimed, stored, unfinished = consistent(lib)
    assert claimed == stored and len(lib.papers()) == 4


def test_the_cli_says_why_per_file_and_exits_1(tmp_path: Path) -> None:
    """A file that cannot be stored fails the run: exit code 1, one line per file."""
    home = tmp_path / "home"
    env = {**os.environ, "IDEAPUMP_HOME": str(home), "COLUMNS": "200"}
    bad = tmp_path / "fake.pdf"
    bad.write_bytes(b"PK\x03\x04 a zip archive named .pdf")
    proc = subprocess.run(
        [sys.executable, "-m", "ideapump", "ingest", str(DATA / "lab"), str(bad), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    outcomes = {Path(o["path"]).name: o for o in json.loads(proc.stdout)["outcomes"]}
    assert outcomes["fake.pdf"]["status"] == "failed"
    assert "ZIP" in outcomes["fake.pdf"]["reason"]
