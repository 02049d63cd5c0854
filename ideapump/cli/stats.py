"""``ideapump check-stats``: audit the statistics of a file or an ingested document.

JSON (``--json``) is ``StatsReport.to_json()``::

    {"document": {"doc_id", "title", "source", "pages"},
     "alpha": 0.05,
     "results": [{test_type, df1, df2, statistic, reported_comparator,
                  reported_p, computed_p, verdict, page, quote,
                  finding_id,            # always: repeats of one result share it
                  pages?,                # only when the result is printed more than once
                  cause?}, ...],         # only when a probable cause is inferred
     "explanations": ["one sentence per result, same order", ...],
     "means": [GRIM/GRIMMER checks], "flags": [{code, message, evidence}],
     "counts": {"total", "decision_error", "inconsistent", "not_checkable",
                "consistent", "means_checked", "impossible_means"}}

The table shows one row per distinct result (its pages together), each
probable cause once, then the cross-checks (df vs N, CI vs p, effect sizes,
percentages), impossible means and flags.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ideapump.cli.common import JsonOption, LibraryOption, console, load_settings, print_json
from ideapump.stats.models import CHECK_FLAG_CODES, Finding, StatsReport, StatsResult

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


def _row(table: Table, f: Finding, first: StatsResult) -> None:
    style = _STYLE[f.verdict]
    pages = ", ".join(map(str, f.pages)) if f.pages else str(f.page or "-")
    why = f.explanation + (f" [cause: {f.cause.replace('_', ' ')}]" if f.cause else "")
    table.add_row(
        pages,
        f"[{style}]{f.verdict.replace('_', ' ')}[/]",
        escape(f.quote) + (f" (×{f.occurrences})" if f.occurrences > 1 else ""),
        _fmt(first.computed_p),
        escape(why),
    )


def render(report: StatsReport) -> None:
    """Problems first (decision errors, then inconsistencies), then the rest, causes, checks."""
    name = report.title or report.source or report.doc_id or "text"
    console.print(f"[bold]{escape(name)}[/]  (α = {report.alpha:g}, {report.pages} page(s))")
    first: dict[str | None, StatsResult] = {}
    for r in report.results:
        first.setdefault(r.finding_id, r)
    order = {"decision_error": 0, "inconsistent": 1, "not_checkable": 2, "consistent": 3}
    findings = sorted(report.findings, key=lambda f: (order[f.verdict], f.page or 0))
    if findings:
        table = Table(show_lines=False, expand=True)
        table.add_column("page(s)", justify="right")
        table.add_column("verdict", no_wrap=True)
        table.add_column("as printed", ratio=2)
        table.add_column("p (recomputed)", justify="right", no_wrap=True)
        table.add_column("why", ratio=3)
        for f in findings:
            _row(table, f, first[f.finding_id])
        console.print(table)
    else:
        console.print("No reported test statistics (t, F, r, χ2, z, Q with a p-value) found.")
    for g in report.causes:
        console.print(f"[bold yellow]cause[/] {g.cause.replace('_', ' ')}: {escape(g.message)}")
    for c in report.checks:
        pages = ", ".join(map(str, c.pages)) if c.pages else str(c.page or "-")
        console.print(
            f"[yellow]{c.kind.replace('_', ' ')}[/] p. {pages}: {escape(c.quote)} — "
            f"{escape(c.message)}"
        )
    impossible = [m for m in report.means if "inconsistent" in (m.grim, m.grimmer)]
    for m in impossible:
        console.print(
            f"[yellow]mean check[/] p. {m.page}: {escape(m.quote)} — {escape(m.explanation)}"
        )
    for flag in report.flags:
        if flag.code in CHECK_FLAG_CODES and report.checks:
            continue  # a summary of the cross-checks printed in full above
        console.print(f"[bold magenta]flag[/] {flag.code}: {escape(flag.message)}")
        for line in flag.evidence:
            console.print(f"    {line}", highlight=False)
    counts, distinct = report.counts, report.distinct_counts
    console.print(
        f"{counts['total']} result(s): {counts['decision_error']} decision error(s), "
        f"{counts['inconsistent']} inconsistent, {counts['not_checkable']} not checkable, "
        f"{counts['consistent']} consistent; {counts['means_checked']} mean(s) GRIM-checked."
    )
    problems = distinct["decision_error"] + distinct["inconsistent"]
    console.print(
        f"{distinct['findings']} distinct result(s); {problems} distinct problem(s) under "
        f"{distinct['causes']} probable cause(s); {distinct['checks']} cross-check problem(s)."
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
