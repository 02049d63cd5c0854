"""``critique(doc_id)``: a grounded review of one paper.

The statistics auditor's findings (deterministic: recomputed p-values,
GRIM/GRIMMER, paper-level flags; a model never redoes the arithmetic), the
paper's design and sample size from its own text, and a methods critique by the
model over the paper's own passages (design, confounds, controls, sample size,
multiple comparisons, over-claiming), every point carrying a checked citation.
The model's summary and points are claim-checked against the paper's passages
(:mod:`ideapump.grounding.claims`), and a point that denies a design fact or
misstates the audit (:func:`~ideapump.agent.denials.contradicts_facts`) is
dropped; both are counted in ``unsupported_removed``.

(``weigh(claim)`` lives in :mod:`ideapump.agent.weigh`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ideapump.agent.denials import contradicts_facts
from ideapump.agent.grounding import (
    AgentOptions,
    Evidence,
    generate_grounded,
    persona,
    retrieve,
)
from ideapump.agent.papers import paper_profile
from ideapump.errors import InputError, NotFoundError
from ideapump.grounding.claims import check_text
from ideapump.prompts import render_prompt
from ideapump.results import (
    Critique,
    CritiqueDraft,
    MethodsPoint,
    PaperProfile,
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


def _design_text(p: PaperProfile) -> str:
    n = f"N = {p.sample_size}" if p.sample_size else "sample size not stated"
    return f"{p.title}: {', '.join(p.design) or 'design not stated'}; {n}"


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
    stats = _stats_text(findings, counts, distinct)
    user = render_prompt(
        "critique_methods",
        title=row.title,
        facts=f"Design and sample: {_design_text(profile)}\nStatistics audit: {stats}",
        documents=evidence.block(),
    )
    got = generate_grounded(
        llm,
        [("system", persona()), ("user", user)],
        CritiqueDraft,
        evidence,
        citation_retries=options.citation_retries,
        accept=lambda d: bool(d.points),
        requote=True,
    )
    # What the model's sentences may rest on: the paper's passages and the audit it was shown.
    sources = [p.quote for p in evidence.passages] + [stats]
    # A work named must be this paper (its year) or one its passages name.
    years = [row.year] if row.year else []
    summary = check_text(got.draft.summary, sources, years=years)
    kept = [s for s in summary.kept if contradicts_facts(s, profile, counts) is None]
    unsupported = len(summary.removed) + len(summary.kept) - len(kept)
    points = []
    for p in got.draft.points:
        citation = evidence.resolve(p.n, p.quote, p.issue)
        if citation is None:
            continue
        issue = check_text(p.issue, sources, years=years)
        suggestion = check_text(p.suggestion, sources, direction=False)
        if issue.removed or not issue.text or contradicts_facts(p.issue, profile, counts):
            unsupported += 1  # a point is its issue: a part of it unsupported drops it whole
            continue
        unsupported += len(suggestion.removed)
        points.append(
            MethodsPoint(
                aspect=p.aspect, issue=issue.text, suggestion=suggestion.text, citation=citation
            )
        )
    return Critique(
        doc_id=row.doc_id,
        title=row.title,
        profile=profile,
        stats_findings=findings,
        stats_counts=counts,
        summary=" ".join(kept),
        methods=points,
        removed_citations=got.removed,
        unsupported_removed=unsupported,
    )
