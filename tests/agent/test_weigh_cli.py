"""``ideapump weigh``: progress on stderr, Markdown with the forest plot inline, --out."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ideapump.cli import app
from ideapump.errors import InputError
from tests.agent.fakes import BASE, FakeLLM


def test_weigh_cli_writes_markdown_with_an_inline_forest_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeLLM
) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    for i, (est, lo, hi) in enumerate([(1.8, 1.2, 2.7), (2.1, 1.3, 3.4)]):
        (papers / f"t{i}.md").write_text(
            f"# Trial {i} of drug X\n\nIn a randomized trial of N = 80 patients, drug X "
            f"increased recovery compared with placebo (OR {est}, 95% CI {lo}-{hi}).\n"
        )
    for key, value in {
        "IDEAPUMP_LLM__BASE_URL": BASE,
        "IDEAPUMP_LLM__API_KEY": "sk-test",
        "IDEAPUMP_LLM__MODEL": "test-model",
    }.items():
        monkeypatch.setenv(key, value)
    fake.on("StanceAnswer", lambda body, p: {"answer": "yes", "effect": None})
    fake.on(
        "SummaryDraft", lambda body, p: {"sentences": [{"text": "Both trials.", "papers": [1, 2]}]}
    )
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(papers)]).exit_code == 0
    out = tmp_path / "report.md"
    claim = "drug X increases recovery"
    result = runner.invoke(app, ["weigh", claim, "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    md = out.read_text()
    assert "**Verdict: supported**" in md and "<svg" in md and "Random effects (DL)" in md
    assert "stance 2/2" in result.output  # progress lines (stderr is mixed in by the runner)
    bad = runner.invoke(app, ["weigh", claim, "--format", "pdf"])
    assert isinstance(bad.exception, InputError) and "--format must be" in str(bad.exception)
