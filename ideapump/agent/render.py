"""Plain-text renderings of the pipelines' results, citations as ``[title, p. N]``.

The CLI prints them and the chat stream sends them as its text; both show only
checked citations, since the models hold no others.
"""

from __future__ import annotations

from collections.abc import Iterable

from ideapump.agent.render_weigh import render_evidence
from ideapump.results import (
    Citation,
    Critique,
    ExperimentProposal,
    PaperProfile,
    Proposals,
    StatsFinding,
)
from ideapump.stats import StatsReport

__all__ = [
    "render_critique",
    "render_evidence",
    "render_finding",
    "render_profile",
    "render_proposal",
    "render_proposals",
    "render_stats",
]


def cite(c: Citation) -> str:
    return f'{c.label()} "{c.quote}"'


def _bullets(items: Iterable[str], indent: str = "  ") -> list[str]:
    return [f"{indent}- {i}" for i in items]


def render_proposal(rank: int, p: ExperimentProposal) -> str:
    s = p.sample_size
    lines = [
        f"{rank}. {p.title}   (Elo {p.score:g}; won {p.wins} of {p.comparisons} comparisons)",
        f"  Hypothesis: {p.hypothesis}",
        f"  Rationale: {p.rationale}",
        f"  Design: {p.design}",
        "  Conditions:",
        *_bullets(p.conditions, "    "),
        "  Controls:",
        *_bullets(p.controls, "    "),
        f"  Primary measure: {p.primary_measure}",
        f"  Sample size: {s.size} ({s.test}, {s.effect_size_metric} = {s.effect_size:g}, alpha = {s.alpha:g}, "
        f"power = {s.power:g})",
        f"    effect size from: {s.effect_source}",
        f"    formula: {s.formula}",
    ]
    if s.source:
        lines.append(f"    source: {cite(s.source)}")
    if s.note:
        lines.append(f"    note: {s.note}")
    lines += [
        f"  If the hypothesis holds: {p.expected_if_true}",
        f"  If it fails: {p.expected_if_false}",
        "  Risks:",
        *_bullets(p.risks, "    "),
    ]
    if p.reflection:
        r = p.reflection
        lines.append(
            f"  Review: feasibility {r.feasibility_score}/5, novelty {r.novelty_score}/5. "
            f"{r.feasibility}"
        )
        lines += _bullets((f"confound: {c}" for c in r.confounds), "    ")
        lines += _bullets((f"add control: {c}" for c in r.missing_controls), "    ")
    n = p.novelty
    if n.closest:
        done = " (the library may already contain this experiment)" if n.already_done else ""
        lines.append(f"  Novelty: closest existing passage {cite(n.closest)}{done}")
        if n.how_it_differs:
            lines.append(f"    how this differs: {n.how_it_differs}")
    lines.append("  Citations:")
    lines += _bullets((cite(c) for c in p.citations), "    ")
    return "\n".join(lines)


def _duplicates(n: int) -> str:
    return f"; {n} candidate(s) dropped as the same experiment as another" if n else ""


def render_proposals(result: Proposals) -> str:
    if result.abstained:
        return result.message
    head = (
        f"Question: {result.question}\n"
        f"{len(result.proposals)} of {result.candidates} candidate(s), ranked by pairwise "
        f"comparison; {result.removed_citations} unverifiable citation(s) removed"
        f"{_unsupported(result.unsupported_removed)}"
        f"{_duplicates(result.duplicates_dropped)}.\n"
    )
    return head + "\n\n".join(render_proposal(i, p) for i, p in enumerate(result.proposals, 1))


def render_profile(p: PaperProfile) -> str:
    n = f"N = {p.sample_size}" if p.sample_size else "sample size not stated"
    where = f" {cite(p.sample_citation)}" if p.sample_citation else ""
    return f"{p.title}: {', '.join(p.design) or 'design not stated'}; {n}{where}"


def render_finding(f: StatsFinding) -> str:
    page = f"p. {f.page}: " if f.page else ""
    if len(f.pages) > 1:
        page = f"pp. {', '.join(map(str, f.pages))}: "
    quote = f"{f.quote} - " if f.quote else ""
    return f"[{f.kind}] {page}{quote}{f.message}"


def render_critique(c: Critique) -> str:
    lines = [f"Critique of {c.title} ({c.doc_id})"]
    if c.profile:
        lines.append(f"Design and sample: {render_profile(c.profile)}")
    counts = c.stats_counts
    if counts:
        lines.append(
            f"Statistics audit (deterministic): {counts.get('total', 0)} tests, "
            f"{counts.get('decision_error', 0)} decision error(s), "
            f"{counts.get('inconsistent', 0)} inconsistent, {counts.get('consistent', 0)} "
            "consistent."
        )
    lines += _bullets(render_finding(f) for f in c.stats_findings)
    if c.summary:
        lines.append(f"Summary: {c.summary}")
    lines.append("Methods:")
    for p in c.methods:
        lines.append(f"  - ({p.aspect}) {p.issue} {cite(p.citation)}")
        if p.suggestion:
            lines.append(f"      suggestion: {p.suggestion}")
    if not c.methods:
        lines.append("  (no methods point survived the citation check)")
    if c.removed_citations:
        lines.append(f"{c.removed_citations} unverifiable citation(s) removed.")
    if c.unsupported_removed:
        lines.append(
            f"{c.unsupported_removed} sentence(s) or point(s) removed: not supported by the "
            "passages, or contradicting the paper's design or its statistics audit."
        )
    return "\n".join(lines)


def _unsupported(n: int) -> str:
    return f"; {n} unsupported sentence(s) removed" if n else ""


def render_stats(report: StatsReport) -> str:
    c = report.counts
    lines = [
        f"I found {c['total']} reported test(s): {c['decision_error']} decision error(s), "
        f"{c['inconsistent']} inconsistent, {c['consistent']} consistent, "
        f"{c['not_checkable']} not checkable (alpha = {report.alpha:g})."
    ]
    lines += _bullets(f"{r.quote}: {r.explanation}" for r in report.results)
    lines += _bullets(f"flag: {f.message}" for f in report.flags)
    return "\n".join(lines)
