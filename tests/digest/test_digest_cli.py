"""``ideapump digest`` and ``ideapump feeds`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ideapump.cli import app

runner = CliRunner()


def test_feeds_add_list_remove() -> None:
    out = runner.invoke(
        app, ["feeds", "add", "sleep spindles memory", "--source", "arxiv", "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"id": 1, "topic": "sleep spindles memory", "source": "arxiv"}
    assert runner.invoke(app, ["feeds", "add", "sleep spindles", "-s", "pubmed"]).exit_code == 0
    assert runner.invoke(app, ["feeds", "add", "x", "--source", "scholar"]).exit_code != 0

    listed = json.loads(runner.invoke(app, ["feeds", "list", "--json"]).stdout)
    assert [(f["source"], f["topic"], f["last_run_at"]) for f in listed] == [
        ("arxiv", "sleep spindles memory", None),
        ("pubmed", "sleep spindles", None),
    ]
    other = json.loads(runner.invoke(app, ["feeds", "list", "-l", "otherlab", "--json"]).stdout)
    assert other == []

    removed = runner.invoke(app, ["feeds", "remove", "sleep spindles memory"])
    assert removed.exit_code == 0 and "removed feed 1: arxiv" in removed.stdout
    text = runner.invoke(app, ["feeds", "list"]).stdout
    assert "pubmed" in text and "arxiv" not in text and "last run never" in text


def test_digest_json_on_a_library_with_nothing_new(tmp_path: Path) -> None:
    out = runner.invoke(app, ["digest", "--json", "--out", str(tmp_path / "d"), "--format", "md"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["new"] == 0 and data["entries"] == [] and data["delivered"] == []
    assert len(data["files"]) == 1 and data["files"][0].endswith(f"-{data['library']}.md")
    assert "Nothing new" in Path(data["files"][0]).read_text(encoding="utf-8")
    again = runner.invoke(app, ["digest", "--out", str(tmp_path / "d"), "--format", "md"])
    assert "Nothing new since the last digest." in again.stdout and "wrote" in again.stdout


def test_bad_since_is_a_one_line_error(tmp_path: Path) -> None:
    env = {**os.environ, "IDEAPUMP_HOME": str(tmp_path / "h")}
    proc = subprocess.run(
        [sys.executable, "-m", "ideapump", "digest", "--since", "last tuesday"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "--since wants a date like 2025-01-31" in proc.stderr and "Traceback" not in proc.stderr
