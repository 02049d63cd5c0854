"""``critique(doc_id)``: a grounded review of one paper.

The statistics auditor's findings (deterministic: recomputed p-values,
GRIM/GRIMMER, paper-level flags; a model never redoes the arithmetic), the
paper's design and sample size from its own text, and a methods critique by the
model over the paper's own passages (design, confounds, controls, sample size,
multiple comparisons, over-claiming), every point carrying a checked citation.
(``weigh(claim)`` lives in :mod:`ideapump.agent.weigh`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ideapump.agent.grounding import (
    AgentOptions,
    Evidence,
    generate_grounded,
    persona,
    retrieve,
)
from ideapump.agent.papers import paper_profile
from ideapump.errors import InputError, NotFoundError
from ideapump.prompts import render_prompt
from ideapump.results import (
    Critique,
    CritiqueDraft,
    MethodsPoint,
    StatsFinding,
)

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel
    from ideapump.models import Passage
    from ideapump.stats import StatsReport

METHOD_QUERIES = (
    "participants sample size recruitment design procedure",
    "statistical analysis correction for multiple comparisons",
    "control condition confound randomization blinding",
    "limitations and conclusions: we show that",
)


def stats_findings(report: StatsReport) -> list[StatsFinding]:
    """The auditor's grouped problems and its flags, as findings (no model involved).

    A result printed on several pages is one finding with all its pages, and
    inconsistencies that share a probable cause are one finding that says it.
    """
    from ideapump.stats.models import CHECK_FLAG_CODES

    out = [
        StatsFinding(
            kind="mean" if p.kind == "mean" else "result",
            severity="problem",
            page=p.page,
            pages=p.pages,
            quote=p.quote,
            message=p.message,
        )
        for p in report.grouped_problems()
    ]
    out += [
        StatsFinding(
            kind="flag", severity="flag", quote="; ".join(f.evidence[:3]), message=f.message
        )
        for f in report.flags
        if f.code not in CHECK_FLAG_CODES  # their checks are findings above
    ]
    return out


def _stats_text(
    findings: list[StatsFinding], counts: dict[str, int], distinct: dict[str, int] | None = None
) -> str:
    if not counts:
        return "(no statistics audited for this document)"
    grouped = ""
    if distinct and counts.get("inconsistent", 0) + counts.get("decision_error", 0):
        problems = distinct.get("inconsistent", 0) + distinct.get("decision_error", 0)
        grouped = f" ({problems} distinct, under {distinct.get('causes', 0)} probable cause(s))"
    lines = [
        f"{counts.get('total', 0)} reported tests: {counts.get('consistent', 0)} consistent, "
        f"{counts.get('inconsistent', 0)} inconsistent, {counts.get('decision_error', 0)} "
        f"decision errors{grouped}."
    ]
    lines += [f"- p. {f.page or '?'}: {f.quote} ({f.message})" for f in findings[:6]]
    return "\n".join(lines)


def paper_passages(library: Library, doc_id: str, limit: int) -> list[Passage]:
    seen: dict[str, Passage] = {}
    per_query = max(2, limit // len(METHOD_QUERIES) + 1)
    for query in METHOD_QUERIES:
        for p in retrieve(library, query, per_query, doc_ids=[doc_id]):
            seen.setdefault(p.chunk_id, p)
    return sorted(seen.values(), key=lambda p: p.score, reverse=True)[:limit]


def critique(
    library: Library, llm: ChatModel, doc_id: str, *, options: AgentOptions | None = None
) -> Critique:
    """Statistics audit plus a cited methods critique of one ingested document."""
    from ideapump.stats import check_document

    options = options or AgentOptions()
    row = library.get(doc_id)
    findings: list[StatsFinding] = []
    counts: dict[str, int] = {}
    distinct: dict[str, int] = {}
    try:
        report = check_document(library, row.doc_id)
        findings, counts = stats_findings(report), report.counts
        distinct = report.distinct_counts
    except NotFoundError:
        pass  # a data table: nothing to audit
    passages = paper_passages(library, row.doc_id, options.passages)
    if not passages:
        raise InputError(f"document {row.doc_id} has no stored passages to critique")
    evidence = Evidence(passages, library)
    profile = paper_profile(library, row.doc_id, evidence)
    user = render_prompt(
        "critique_methods",
        title=row.title,
        stats=_stats_text(findings, counts, distinct),
        documents=evidence.block(),
    )
    got = generate_grounded(
        llm,
        [("system", persona()), ("user", user)],
        CritiqueDraft,
        evidence,
        citation_retries=options.citation_retries,
        accept=lambda d: bool(d.points),
    )
    points = []
    for p in got.draft.points:
        citation = evidence.resolve(p.n, p.quote)
        if citation is not None:
            points.append(
                MethodsPoint(
                    aspect=p.aspect, issue=p.issue, suggestion=p.suggestion, citation=citation
                )
            )
    return Critique(
        doc_id=row.doc_id,
        title=row.title,
        profile=profile,
        stats_findings=findings,
        stats_counts=counts,
        summary=got.draft.summary,
        methods=points,
        removed_citations=got.removed,
    )
