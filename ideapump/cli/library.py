"""Library commands: ingest, papers, remove, search."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ideapump.cli.common import (
    JsonOption,
    LibraryOption,
    console,
    err_console,
    open_library,
    print_json,
)
from ideapump.models import IngestOutcome, IngestReport
from ingest.pipeline import IngestProgress

STATUS_STYLE = {
    "ingested": "green",
    "replaced": "cyan",
    "unchanged": "dim",
    "skipped": "yellow",
    "failed": "bold red",
}


class RichIngestProgress(IngestProgress):
    """Three bars: files, pages read, chunks embedded (the slow part)."""

    def __init__(self, progress: Progress) -> None:
        self.p = progress
        self.files = progress.add_task("files", total=None)
        self.pages = progress.add_task("pages", total=None)
        self.chunks = progress.add_task("chunks embedded", total=0)
        self._pages_seen = 0
        self._chunks_planned = 0

    def discovered(self, total_files: int) -> None:
        self.p.update(self.files, total=total_files)

    def file_started(self, path: Path) -> None:
        self.p.update(self.files, description=f"files [dim]{path.name[:40]}[/]")

    def pages_loaded(self, n: int) -> None:
        self._pages_seen += n
        self.p.update(self.pages, completed=self._pages_seen, total=self._pages_seen)

    def chunks_planned(self, n: int) -> None:
        self._chunks_planned += n
        self.p.update(self.chunks, total=self._chunks_planned)

    def chunks_embedded(self, n: int) -> None:
        self.p.advance(self.chunks, n)

    def file_done(self, outcome: IngestOutcome) -> None:
        self.p.advance(self.files)


def _report_table(report: IngestReport) -> Table:
    table = Table(title=f"Ingest into library '{report.library}'", show_lines=False)
    table.add_column("status")
    table.add_column("file", overflow="fold")
    table.add_column("doc id", no_wrap=True, min_width=16)
    table.add_column("pages", justify="right")
    table.add_column("chunks", justify="right")
    table.add_column("reason", overflow="fold")
    order = {"failed": 0, "skipped": 1, "ingested": 2, "replaced": 3, "unchanged": 4}
    for o in sorted(report.outcomes, key=lambda o: order[o.status]):
        style = STATUS_STYLE[o.status]
        table.add_row(
            f"[{style}]{o.status}[/]",
            escape(Path(o.path).name),
            o.doc_id or "",
            str(o.pages or ""),
            str(o.chunks or ""),
            escape(o.reason or ""),
        )
    return table


def ingest(
    paths: list[Path] = typer.Argument(
        ..., help="PDF, Markdown, text, CSV/TSV files or folders (recursive)."
    ),
    library: str | None = LibraryOption,
    json_out: bool = JsonOption,
) -> None:
    """Ingest papers and data summaries: extract, chunk, embed and store them.

    Unchanged files are skipped instantly; a changed file replaces its old version.
    Exit code 1 if any file failed (each failure has a one-line reason).

    Example: ideapump ingest papers/ lab-notes/summary.md --library sleep-lab
    """
    lib = open_library(library)
    if json_out:
        report = lib.ingest(paths)
        print_json(report)
    else:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        ) as progress:
            report = lib.ingest(paths, RichIngestProgress(progress))
        console.print(_report_table(report))
        counts = ", ".join(
            f"{report.count(s)} {s}"
            for s in ("ingested", "replaced", "unchanged", "skipped", "failed")
            if report.count(s)
        )
        console.print(counts or "nothing to ingest")
    if report.failed:
        raise typer.Exit(1)


def papers(library: str | None = LibraryOption, json_out: bool = JsonOption) -> None:
    """List the documents in a library."""
    lib = open_library(library)
    docs = lib.papers()
    if json_out:
        print_json(docs)
        return
    if not docs:
        console.print(f"Library '{lib.name}' is empty. Add papers with: ideapump ingest PATH")
        return
    table = Table(title=f"Library '{lib.name}': {len(docs)} documents")
    table.add_column("doc id", no_wrap=True, min_width=16)
    for col in ("title", "year", "kind", "pages", "chunks", "source"):
        table.add_column(
            col, overflow="fold", justify="right" if col in ("pages", "chunks") else "left"
        )
    for d in docs:
        table.add_row(
            d.doc_id,
            escape(d.title),
            str(d.year or ""),
            d.kind,
            str(d.pages),
            str(d.chunks),
            escape(Path(d.source).name),
        )
    console.print(table)


def remove(
    doc_id: str = typer.Argument(
        ..., help="Document id (or a unique prefix of at least 4 characters)."
    ),
    library: str | None = LibraryOption,
) -> None:
    """Remove a document and all its chunks from a library."""
    lib = open_library(library)
    info = lib.remove(doc_id)
    console.print(f"removed {info.doc_id} ({escape(info.title)}, {info.chunks} chunks)")


class SearchMode(StrEnum):
    hybrid = "hybrid"
    dense = "dense"
    lexical = "lexical"


def search(
    query: str = typer.Argument(..., help="What to look for, in plain words."),
    k: int = typer.Option(5, "-k", "--top", min=1, max=200, help="Number of passages."),
    mode: SearchMode = typer.Option(
        SearchMode.hybrid,
        "--mode",
        help="hybrid: meaning and exact words fused (best); dense: meaning only; "
        "lexical: exact words only (BM25).",
    ),
    library: str | None = LibraryOption,
    json_out: bool = JsonOption,
) -> None:
    """Find the passages most relevant to a query, with title, page, section and quote."""
    lib = open_library(library)
    hits = lib.search(query, k, mode=mode.value)
    if json_out:
        print_json(hits)
        return
    if not hits:
        console.print(f"No passages: library '{lib.name}' is empty.")
        return
    for i, h in enumerate(hits, 1):
        pages = f"p. {h.page}" if h.page == h.page_end else f"pp. {h.page}-{h.page_end}"
        section = f"{escape(h.section)}, " if h.section else ""
        console.print(
            f"[bold]{i}. {escape(h.title)}[/] "
            f"[dim]({pages}, {section}score {h.score:.3f}, {h.doc_id})[/]"
        )
        quote = " ".join(h.quote.split())
        console.print(
            f"   “{escape(quote[:400])}{'…' if len(quote) > 400 else ''}”\n", highlight=False
        )


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(papers)
    app.command()(remove)
    app.command()(search)
