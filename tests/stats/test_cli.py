"""The real `ideapump check-stats` command, run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ideapump.stats.models import CONTRACT_KEYS, EXTRA_KEYS

DATA = Path(__file__).parent.parent / "data"
CASES = """Results
First, t(28) = 2.20, p = .036. Second, t(28) = 2.20, p = .03.
Third, t(28) = 2.20, p = .06. Fourth, t(28) = 2.2, p = .04.
Fifth, Z = -2.42, p = 0.016. Sixth, F(1, 76) = 23.95, p < .001.
Seventh, r = .23, P = .002.
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from ideapump.cli import main; main()", "check-stats", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_contract_on_a_text_file(tmp_path: Path) -> None:
    paper = tmp_path / "paper.txt"
    paper.write_text(CASES, encoding="utf-8")
    proc = run(str(paper), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"document", "alpha", "results", "explanations", "means", "flags", "counts"}
    # The ten contract keys, then finding_id and, where they apply, pages and cause.
    for r in data["results"]:
        assert list(r)[:11] == [*CONTRACT_KEYS, "finding_id"]
        assert [k for k in EXTRA_KEYS if k in r] == list(r)[10:]
    assert [r["finding_id"] for r in data["results"]] == [f"R{i}" for i in range(1, 8)]
    # p = .0362 printed as .03: truncated, not rounded.
    assert [r.get("cause") for r in data["results"]][:3] == [None, "p_rounded_down", None]
    assert [r["verdict"] for r in data["results"]] == [
        "consistent",
        "inconsistent",
        "decision_error",
        "consistent",
        "consistent",
        "consistent",
        "not_checkable",
    ]
    assert [r["test_type"] for r in data["results"]] == ["t"] * 4 + ["z", "F", "r"]
    sixth = data["results"][5]
    assert (sixth["df1"], sixth["df2"], sixth["statistic"]) == (1, 76, 23.95)
    assert (sixth["reported_comparator"], sixth["reported_p"]) == ("<", 0.001)
    assert sixth["page"] == 1 and sixth["quote"] == "F(1, 76) = 23.95, p < .001"
    assert data["results"][6]["df1"] is None and data["results"][6]["computed_p"] is None
    assert len(data["explanations"]) == len(data["results"])
    assert data["counts"]["total"] == 7 and data["counts"]["decision_error"] == 1
    assert data["alpha"] == 0.05


def test_alpha_option_changes_decisions(tmp_path: Path) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text("We found *t*(28) = 2.20, *p* = .01.", encoding="utf-8")
    loose = json.loads(run(str(paper), "--json").stdout)
    strict = json.loads(run(str(paper), "--json", "--alpha", "0.01").stdout)
    assert loose["results"][0]["verdict"] == "inconsistent"
    assert strict["results"][0]["verdict"] == "decision_error"
    assert strict["alpha"] == 0.01


def test_table_output_puts_problems_first(tmp_path: Path) -> None:
    paper = tmp_path / "paper.txt"
    paper.write_text(CASES, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", "from ideapump.cli import main; main()", "check-stats", str(paper)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "COLUMNS": "200",
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            # a checkout run with PYTHONPATH (not installed) must find itself
            **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
        },
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.index("decision error") < out.index("inconsistent") < out.index("not checkable")
    assert out.index("not checkable") < out.index("│ consistent")
    assert "7 result(s): 1 decision error(s), 1 inconsistent" in out
    assert "7 distinct result(s); 2 distinct problem(s)" in out


def test_pdf_through_the_cli() -> None:
    proc = run(str(DATA / "thompson2015_trials_smoker_recruitment.pdf"), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["counts"]["consistent"] == 5
    assert {r["test_type"] for r in data["results"]} == {"chi2"}


def test_errors_are_one_line_not_tracebacks(tmp_path: Path) -> None:
    unknown = run("deadbeefcafe")
    assert unknown.returncode != 0
    assert "error:" in unknown.stderr and "Traceback" not in unknown.stderr
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    unsupported = run(str(csv))
    assert unsupported.returncode != 0 and "Traceback" not in unsupported.stderr
    bad_alpha = run(str(csv), "--alpha", "1.5")
    assert bad_alpha.returncode != 0 and "Traceback" not in bad_alpha.stderr
