"""``critique(doc_id)`` and ``weigh(claim)``: grounded reviews of one paper and of one claim.

critique: the statistics auditor's findings (deterministic: recomputed p-values,
GRIM/GRIMMER, paper-level flags; a model never redoes the arithmetic), the
paper's design and sample size from its own text, and a methods critique by the
model over the paper's own passages (design, confounds, controls, sample size,
multiple comparisons, over-claiming), every point carrying a checked citation.
The model's summary and points are claim-checked against the paper's passages
(:mod:`ideapump.grounding.claims`), and a point that denies a design fact or
misstates the audit (:func:`~ideapump.agent.coherence.contradicts_facts`) is
dropped; both are counted in ``unsupported_removed``.

weigh: passages across papers (per-paper cap), each paper's design and sample
size, the model's stance on each passage (supports / contradicts / neutral, each
cited), a verdict with confidence and the contradictions between papers. When
nothing relevant is retrieved the report abstains without calling the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ideapump.agent.coherence import contradicts_facts
from ideapump.agent.grounding import (
    AgentOptions,
    Evidence,
    generate_grounded,
    persona,
    relevance,
    retrieve,
)
from ideapump.agent.models import (
    Critique,
    CritiqueDraft,
    EvidenceReport,
    MethodsPoint,
    PaperProfile,
    StatsFinding,
    WeighDraft,
    WeighedPassage,
)
from ideapump.agent.papers import paper_profile
from ideapump.errors import InputError, NotFoundError
from ideapump.grounding.claims import check_text
from ideapump.prompts import render_prompt

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.models import Passage
    from ideapump.stats import StatsReport

METHOD_QUERIES = (
    "participants sample size recruitment design procedure",
    "statistical analysis correction for multiple comparisons",
    "control condition confound randomization blinding",
    "limitations and conclusions: we show that",
)


def stats_findings(report: StatsReport) -> list[StatsFinding]:
    """The auditor's problems, impossible means and flags, as findings (no model involved)."""
    out = [
        StatsFinding(
            kind="result", severity="problem", page=r.page, quote=r.quote, message=r.explanation
        )
        for r in report.problems()
    ]
    out += [
        StatsFinding(
            kind="mean", severity="problem", page=m.page, quote=m.quote, message=m.explanation
        )
        for m in report.means
        if "inconsistent" in (m.grim, m.grimmer)
    ]
    out += [
        StatsFinding(
            kind="flag", severity="flag", quote="; ".join(f.evidence[:3]), message=f.message
        )
        for f in report.flags
    ]
    return out


def _stats_text(findings: list[StatsFinding], counts: dict[str, int]) -> str:
    if not counts:
        return "(no statistics audited for this document)"
    lines = [
        f"{counts.get('total', 0)} reported tests: {counts.get('consistent', 0)} consistent, "
        f"{counts.get('inconsistent', 0)} inconsistent, {counts.get('decision_error', 0)} "
        "decision errors."
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
    library: Library, llm: Any, doc_id: str, *, options: AgentOptions | None = None
) -> Critique:
    """Statistics audit plus a cited methods critique of one ingested document."""
    from ideapump.stats import check_document

    options = options or AgentOptions()
    row = library.get(doc_id)
    findings: list[StatsFinding] = []
    counts: dict[str, int] = {}
    try:
        report = check_document(row.doc_id, library.settings, library=library.name)
        findings, counts = stats_findings(report), report.counts
    except NotFoundError:
        pass  # a data table: nothing to audit
    passages = paper_passages(library, row.doc_id, options.passages)
    if not passages:
        raise InputError(f"document {row.doc_id} has no stored passages to critique")
    evidence = Evidence(passages, library)
    profile = paper_profile(library, row.doc_id, evidence)
    stats = _stats_text(findings, counts)
    user = render_prompt(
        "critique_methods",
        title=row.title,
        facts=f"Design and sample: {_papers_text([profile])[2:]}\nStatistics audit: {stats}",
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


def _papers_text(profiles: list[PaperProfile]) -> str:
    lines = []
    for p in profiles:
        n = f"N = {p.sample_size}" if p.sample_size else "sample size not stated"
        lines.append(f"- {p.title}: {', '.join(p.design) or 'design not stated'}; {n}")
    return "\n".join(lines) or "(none)"


def weigh(
    library: Library, llm: Any, claim: str, *, options: AgentOptions | None = None
) -> EvidenceReport:
    """Supporting, contradicting and neutral passages across papers, with a verdict."""
    options = options or AgentOptions()
    claim = claim.strip()
    if not claim:
        raise InputError("the claim is empty")
    passages = retrieve(library, claim, options.passages + 2, per_paper_cap=options.per_paper_cap)
    scores = relevance(library, claim, passages)
    passages = [p for p, s in zip(passages, scores, strict=True) if s >= options.min_relevance]
    if not passages:
        return EvidenceReport(
            claim=claim,
            abstained=True,
            summary="The library has nothing relevant to this claim; I cannot weigh it.",
        )
    evidence = Evidence(passages, library)
    profiles = [paper_profile(library, d, evidence) for d in evidence.doc_ids()]
    user = render_prompt(
        "weigh_claim", claim=claim, papers=_papers_text(profiles), documents=evidence.block()
    )
    got = generate_grounded(
        llm,
        [("system", persona()), ("user", user)],
        WeighDraft,
        evidence,
        citation_retries=options.citation_retries,
        accept=lambda d: bool(d.items),
    )
    report = EvidenceReport(
        claim=claim,
        papers=profiles,
        verdict=got.draft.verdict if got.draft.items else "insufficient",
        confidence=got.draft.confidence if got.draft.items else "low",
        summary=got.draft.summary,
        contradictions=got.draft.contradictions,
        removed_citations=got.removed,
    )
    buckets = {
        "supports": report.supporting,
        "contradicts": report.contradicting,
        "neutral": report.neutral,
    }
    for item in got.draft.items:
        citation = evidence.resolve(item.n, item.quote)
        if citation is not None:
            buckets[item.stance].append(
                WeighedPassage(stance=item.stance, note=item.note, citation=citation)
            )
    return report
