"""``ideapump check-stats``: audit the statistics of a file or an ingested document.

JSON (``--json``) is ``StatsReport.to_json()``::

    {"document": {"doc_id", "title", "source", "pages"},
     "alpha": 0.05,
     "results": [{test_type, df1, df2, statistic, reported_comparator,
                  reported_p, computed_p, verdict, page, quote}, ...],
     "explanations": ["one sentence per result, same order", ...],
     "means": [GRIM/GRIMMER checks], "flags": [{code, message, evidence}],
     "counts": {"total", "decision_error", "inconsistent", "not_checkable",
                "consistent", "means_checked", "impossible_means"}}
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ideapump.cli.common import JsonOption, LibraryOption, console, load_settings, print_json
from ideapump.stats.models import StatsReport, StatsResult

_STYLE = {
    "decision_error": "bold red",
    "inconsistent": "yellow",
    "not_checkable": "dim",
    "consistent": "green",
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if value >= 0.0001 else f"{value:.1e}"


def _row(table: Table, r: StatsResult) -> None:
    style = _STYLE[r.verdict]
    table.add_row(
        str(r.page or "-"),
        f"[{style}]{r.verdict.replace('_', ' ')}[/]",
        escape(r.quote),
        _fmt(r.computed_p),
        escape(r.explanation),
    )


def render(report: StatsReport) -> None:
    """Problems first (decision errors, then inconsistencies), then the rest, flags, counts."""
    name = report.title or report.source or report.doc_id or "text"
    console.print(f"[bold]{escape(name)}[/]  (α = {report.alpha:g}, {report.pages} page(s))")
    problems = report.problems()
    others = [r for r in report.results if not r.is_problem]
    others.sort(key=lambda r: (r.verdict != "not_checkable", r.page or 0, r.offset))
    if report.results:
        table = Table(show_lines=False, expand=True)
        table.add_column("page", justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        table.add_column("as printed", ratio=2)
        table.add_column("p (recomputed)", justify="right", no_wrap=True)
        table.add_column("why", ratio=3)
        for r in problems + others:
            _row(table, r)
        console.print(table)
    else:
        console.print("No reported test statistics (t, F, r, χ2, z, Q with a p-value) found.")
    impossible = [m for m in report.means if "inconsistent" in (m.grim, m.grimmer)]
    for m in impossible:
        console.print(
            f"[yellow]mean check[/] p. {m.page}: {escape(m.quote)} — {escape(m.explanation)}"
        )
    for flag in report.flags:
        console.print(f"[bold magenta]flag[/] {flag.code}: {escape(flag.message)}")
        for line in flag.evidence:
            console.print(f"    {line}", highlight=False)
    counts = report.counts
    console.print(
        f"{counts['total']} result(s): {counts['decision_error']} decision error(s), "
        f"{counts['inconsistent']} inconsistent, {counts['not_checkable']} not checkable, "
        f"{counts['consistent']} consistent; {counts['means_checked']} mean(s) GRIM-checked."
    )


def register(app: typer.Typer) -> None:
    @app.command("check-stats")
    def check_stats(
        target: str = typer.Argument(
            ..., metavar="PATH_OR_DOC_ID", help="A PDF, Markdown or text file, or a document id."
        ),
        json_out: bool = JsonOption,
        library: str | None = LibraryOption,
        alpha: float | None = typer.Option(
            None, "--alpha", help="Significance level for decision errors (default: settings, .05)."
        ),
    ) -> None:
        """Recompute every reported test statistic and flag what does not add up."""
        from ideapump.stats import check_document, check_path

        settings = load_settings(library=library)
        path = Path(target)
        if path.exists():
            report = check_path(path, settings, alpha=alpha)
        else:
            from ideapump.runtime import Runtime

            report = check_document(Runtime(settings).library(), target, alpha=alpha)
        if json_out:
            print_json(report.to_json())
        else:
            render(report)
