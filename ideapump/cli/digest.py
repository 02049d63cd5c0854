"""``ideapump digest`` (the nightly literature digest) and ``ideapump feeds`` (saved topics).

``ideapump digest --json`` prints::

    {"library", "date", "files": [paths], "new": int, "ingested": int,
     "entries": [{"doc_id", "title", "findings", "sparks", "problems", "error"}],
     "failed": [{"doc_id", "title", "error"}], "notes": [str], "delivered": [str]}

The exit code is 0 whenever a digest was written, even one that notes failures
(they are in the digest and retried on the next run); 1 or 2 when no digest could
be written at all.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ideapump.cli.common import JsonOption, LibraryOption, console, open_runtime, print_json
from ideapump.errors import InputError


class Format(StrEnum):
    md = "md"
    html = "html"
    both = "both"


class Source(StrEnum):
    arxiv = "arxiv"
    pubmed = "pubmed"
    biorxiv = "biorxiv"


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--since wants a date like 2025-01-31, not {value!r}") from None


def digest_command(
    library: str | None = LibraryOption,
    since: str | None = typer.Option(
        None,
        "--since",
        help="Also digest documents ingested on or after this date (YYYY-MM-DD) that earlier "
        "digests did not cover, including those present before the first digest.",
    ),
    watch: list[Path] = typer.Option(
        [], "--watch", help="Folder to ingest new or changed files from (repeatable)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Output folder. Default: $IDEAPUMP_HOME/digests/<library>."
    ),
    fmt: Format | None = typer.Option(
        None, "--format", help="md, html or both (default: IDEAPUMP_DIGEST__FORMAT, both)."
    ),
    deliver: bool = typer.Option(
        True, "--deliver/--no-deliver", help="Send to the configured webhook / e-mail."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Ingest what arrived, digest every new document, write the digest named by date."""
    from ideapump.digest import run_digest

    result = run_digest(
        open_runtime(library=library),
        since=_parse_date(since),
        watch=watch,
        out_dir=out,
        fmt=fmt.value if fmt else None,
        deliver=deliver,
    )
    d = result.digest
    if as_json:
        print_json(
            {
                "library": d.library,
                "date": d.date,
                "files": [str(p) for p in result.files],
                "new": d.new_this_run,
                "ingested": result.ingested,
                "entries": [
                    {
                        "doc_id": e.doc_id,
                        "title": e.title,
                        "findings": len(e.findings),
                        "sparks": len(e.sparks),
                        "problems": len(e.stats.problems) if e.stats else 0,
                        "error": e.error,
                    }
                    for e in d.entries
                ],
                "failed": [
                    {"doc_id": e.doc_id, "title": e.title, "error": e.error} for e in d.failed
                ],
                "notes": d.notes,
                "delivered": result.delivered,
            }
        )
        return
    if d.new_this_run:
        console.print(f"[bold]{d.new_this_run}[/] new document(s) digested.")
    else:
        console.print("Nothing new since the last digest.")
    for note in d.notes:
        console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    for e in d.failed:
        console.print(
            f"[yellow]failed:[/] {escape(e.title)}: {escape(e.error or '')}", highlight=False
        )
    for line in result.delivered:
        console.print(f"delivery {line}", highlight=False)
    for path in result.files:
        console.print(f"wrote {path}", highlight=False)


feeds_app = typer.Typer(help="Saved literature feeds the digest queries (arXiv, PubMed, bioRxiv).")


def _state(library: str | None) -> Any:
    from ideapump.config import check_library_name
    from ideapump.digest.state import DigestState

    runtime = open_runtime(library=library)
    return DigestState(runtime.registry, check_library_name(runtime.settings.library))


@feeds_app.command("add")
def feeds_add(
    topic: str = typer.Argument(..., help='Search terms, e.g. "sleep spindles memory".'),
    source: Source = typer.Option(..., "--source", "-s", help="arxiv, pubmed or biorxiv."),
    library: str | None = LibraryOption,
    as_json: bool = JsonOption,
) -> None:
    """Save a topic; every digest then asks the source for new items on it."""
    row = _state(library).add_feed(topic, source.value)
    if as_json:
        print_json({"id": row.id, "topic": row.topic, "source": row.source})
    else:
        console.print(f"feed {row.id}: {row.source} '{row.topic}'", highlight=False)


@feeds_app.command("list")
def feeds_list(library: str | None = LibraryOption, as_json: bool = JsonOption) -> None:
    """The saved feeds, with when each last ran and how it went."""
    from ideapump.digest.feeds import fetched_on

    rows = _state(library).feeds()
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "topic": r.topic,
                    "source": r.source,
                    "items": r.items,
                    "last_run_at": r.last_run_at.isoformat() if r.last_run_at else None,
                    "last_error": r.last_error,
                }
                for r in rows
            ]
        )
        return
    if not rows:
        console.print('No saved feeds. Add one: ideapump feeds add "topic" --source arxiv')
    for r in rows:
        status = f"[red]{r.last_error}[/]" if r.last_error else f"{r.items} item(s)"
        console.print(
            f"{r.id}  {r.source:<8} {r.topic}  (last run {fetched_on(r.last_run_at)}; {status})",
            highlight=False,
        )


@feeds_app.command("remove")
def feeds_remove(
    topic: str = typer.Argument(..., help="The topic as saved, or the feed's number."),
    source: Source | None = typer.Option(None, "--source", "-s", help="Only this source."),
    library: str | None = LibraryOption,
) -> None:
    """Forget a saved feed (documents it brought in stay in the library)."""
    rows = _state(library).remove_feed(topic, source.value if source else None)
    for r in rows:
        console.print(f"removed feed {r.id}: {r.source} '{r.topic}'", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("digest")(digest_command)
    app.add_typer(feeds_app, name="feeds")
