"""The library commands as a user runs them: real subprocesses, real files."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ideapump.config import get_settings
from ideapump.runtime import Runtime
from tests.conftest import DATA, PAPERS

# The pdf under a name that sorts first, so the kill lands after it is stored.
KILL_FILES = ["a_mendt.pdf", "b_lhakhang.pdf", "c_mathot.pdf"]


def run(*args: str, home: Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IDEAPUMP_HOME": str(home), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "ideapump", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_ingest_papers_search_remove_json(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = run("ingest", str(PAPERS["mendt"]), str(DATA / "lab"), home=home, check=True)
    assert "3 ingested" in proc.stdout

    papers = json.loads(run("papers", "--json", home=home, check=True).stdout)
    assert {"doc_id", "title", "source", "pages", "chunks"} <= set(papers[0])
    mendt = next(p for p in papers if p["title"].startswith("Regular exercise"))
    assert mendt["pages"] == 6 and mendt["chunks"] > 10

    hits = json.loads(
        run(
            "search", "core body temperature bed rest", "-k", "3", "--json", home=home, check=True
        ).stdout
    )
    assert len(hits) == 3
    keys = {"doc_id", "title", "source", "page", "score", "quote", "section"}
    assert keys | {"dense_score", "lexical_score"} <= set(hits[0])
    assert hits[0]["doc_id"] == mendt["doc_id"]
    assert hits[0]["dense_score"] is not None and hits[0]["lexical_score"] is not None
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

    text = run("search", "core body temperature bed rest", "-k", "1", home=home, check=True).stdout
    assert "Regular exercise" in text and "p. " in text

    lexical = json.loads(
        run("search", "cosinor", "--mode", "lexical", "--json", home=home, check=True).stdout
    )
    assert lexical and all(h["dense_score"] is None for h in lexical)
    assert "cosinor" in lexical[0]["quote"].lower()

    run("remove", mendt["doc_id"], home=home, check=True)
    left = json.loads(run("papers", "--json", home=home, check=True).stdout)
    assert mendt["doc_id"] not in {p["doc_id"] for p in left}


def test_rerun_reports_unchanged_and_failures_set_exit_code(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\ngarbage")
    proc = run("ingest", str(DATA / "lab"), str(bad), home=home)
    assert proc.returncode == 1
    assert "failed" in proc.stdout and "truncated PDF" in proc.stdout
    assert "Traceback" not in proc.stderr
    again = run("ingest", str(DATA / "lab"), home=home, check=True)
    assert "2 unchanged" in again.stdout


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = run("remove", "ffff0000", home=home)
    assert proc.returncode == 2
    assert "no document 'ffff0000'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("papers", "--library", "Not Valid", home=home)
    assert proc.returncode == 2 and "not valid" in proc.stderr
    proc = run("search", "   ", home=home)
    assert proc.returncode == 2 and "empty" in proc.stderr


def test_help_teaches() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ideapump", "ingest", "--help"], capture_output=True, text=True
    )
    assert "Example: ideapump ingest" in proc.stdout
    assert "--library" in proc.stdout


def _complete_rows(db: Path) -> list[tuple[str, int]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute(
                "select doc_id, chunks from documents where status='complete'"
            ).fetchall()
    except sqlite3.OperationalError:
        return []


def _check_consistent(home: Path) -> list[str]:
    """Every visible document has exactly its chunks; nothing else is visible."""
    lib = Runtime(get_settings(home=home)).library()
    docs = lib.papers()
    for d in docs:
        assert lib.store.count(d.doc_id) == d.chunks, d.title
    visible = {h.doc_id for h in lib.search("participants", k=50)}
    assert visible <= {d.doc_id for d in docs}
    return [d.doc_id for d in docs]


def _ctrl_c_as_in_a_terminal() -> None:
    # A job a shell starts in the background (nohup ... &, as CI may be) inherits
    # SIGINT ignored, and Python keeps it ignored: the ingest would run to its end.
    # The user this test plays pressed Ctrl-C in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_ingest_loses_nothing_and_rerun_finishes(
    tmp_path: Path, sig: signal.Signals
) -> None:
    home = tmp_path / "home"
    src = tmp_path / "papers"
    src.mkdir()
    for name, key in zip(KILL_FILES, ("mendt", "lhakhang", "mathot"), strict=True):
        (src / name).write_bytes(PAPERS[key].read_bytes())
    env = {**os.environ, "IDEAPUMP_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ideapump", "ingest", str(src)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    deadline = time.monotonic() + 300
    while len(_complete_rows(home / "ideapump.db")) < 1 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(1.0)  # now inside the second file
    assert proc.poll() is None, ("finished before the signal", proc.communicate())
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    if sig == signal.SIGINT:
        assert proc.returncode == 130, (out, err)
        assert "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL

    survivors = _check_consistent(home)
    assert 1 <= len(survivors) < 3

    rerun = run("ingest", str(src), home=home)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{len(survivors)} unchanged" in rerun.stdout
    final = _check_consistent(home)
    assert len(final) == 3
    lib = Runtime(get_settings(home=home)).library()
    assert lib.store.count() == sum(d.chunks for d in lib.papers())
    assert lib.registry.unfinished(lib.name) == []


def test_error_messages_keep_square_brackets(tmp_path: Path) -> None:
    # Install hints read 'pip install "ideapump[local-llm]"': rich must not eat the brackets.
    proc = run("remove", "[local-llm]abcd", home=tmp_path)
    assert proc.returncode != 0
    assert "'[local-llm]abcd'" in proc.stderr
    assert "Traceback" not in proc.stderr
