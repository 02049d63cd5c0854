"""``ideapump propose | critique | weigh``: the agent pipelines on the command line.

Readable output cites as ``[title, p. N] "quote"``; ``--json`` prints the
pydantic result (``Proposals``, ``Critique``, ``EvidenceReport``) for scripts.
Errors are one line (the shared CLI handler).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from ideapump.cli.common import (
    JsonOption,
    LibraryOption,
    console,
    err_console,
    open_runtime,
    print_json,
)
from ideapump.errors import InputError

PassagesOption = typer.Option(
    6, "--passages", help="Passages retrieved for the model (fewer: faster on a CPU)."
)

if TYPE_CHECKING:
    from ideapump.facade import IdeaPump


def _pump(library: str | None, passages: int) -> IdeaPump:
    from ideapump.agent import AgentOptions
    from ideapump.facade import IdeaPump

    if not 1 <= passages <= 20:
        raise InputError("--passages must be between 1 and 20")
    options = AgentOptions(passages=passages)
    return IdeaPump(open_runtime(library=library), options=options)


def _show(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("propose")
    def propose_cmd(
        question: str = typer.Argument(..., help="The research question."),
        n: int = typer.Option(3, "-n", "--candidates", help="Candidates to generate (1-10)."),
        k: int = typer.Option(2, "-k", "--top", help="Proposals to return (at most n)."),
        json_out: bool = JsonOption,
        library: str | None = LibraryOption,
        passages: int = PassagesOption,
    ) -> None:
        """Propose ranked, cited, power-analysed experiments for QUESTION."""
        from ideapump.agent.render import render_proposals

        result = _pump(library, passages).propose(question, n=n, k=min(k, n))
        if json_out:
            print_json(result)
        else:
            _show(render_proposals(result))

    @app.command("critique")
    def critique_cmd(
        doc_id: str = typer.Argument(..., help="A document id (or unique prefix)."),
        json_out: bool = JsonOption,
        library: str | None = LibraryOption,
        passages: int = PassagesOption,
    ) -> None:
        """Statistics audit plus a cited methods critique of one ingested paper."""
        from ideapump.agent.render import render_critique

        result = _pump(library, passages).critique(doc_id)
        if json_out:
            print_json(result)
        else:
            _show(render_critique(result))

    @app.command("weigh")
    def weigh_cmd(
        claim: str = typer.Argument(..., help="The claim to weigh against the library."),
        json_out: bool = JsonOption,
        library: str | None = LibraryOption,
        passages: int = PassagesOption,
        max_papers: int = typer.Option(40, "--max-papers", help="Papers read at most (1-100)."),
        passages_per_paper: int = typer.Option(
            2, "--passages-per-paper", help="Each paper's own best passages judged (1-10)."
        ),
        fmt: str = typer.Option(
            "text", "--format", help="text, md (Markdown, forest plot as inline SVG) or html."
        ),
        out: Path | None = typer.Option(None, "--out", help="Write the report to this file."),
    ) -> None:
        """Weigh CLAIM paper by paper: stances, effects, pooled estimate, verdict by rules."""
        from ideapump.agent import WeighOptions, weigh
        from ideapump.agent.render_weigh import evidence_html, evidence_markdown, render_evidence

        if fmt not in ("text", "md", "html"):
            raise InputError("--format must be text, md or html")
        pump = _pump(library, passages)
        wo = WeighOptions(max_papers=max_papers, passages_per_paper=passages_per_paper)

        def show_progress(event: Any) -> None:
            err_console.print(
                f"[dim]{event.stage} {event.done}/{event.total} {escape(event.message)}[/]",
                highlight=False,
                markup=True,
            )

        result = weigh(
            pump.library,
            pump.llm,
            claim,
            options=pump.options,
            weigh_options=wo,
            progress=show_progress,
        )
        if json_out:
            print_json(result)
            return
        render = {"text": render_evidence, "md": evidence_markdown, "html": evidence_html}[fmt]
        text = render(result)
        if out is not None:
            out.write_text(text, encoding="utf-8")
            err_console.print(f"wrote {out}")
        else:
            _show(text)
