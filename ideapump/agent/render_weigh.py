"""Renderings of an :class:`EvidenceReport`: plain text (CLI, chat), Markdown and HTML.

Markdown and HTML carry the forest plot as inline SVG (no external file), the
table of every paper considered, each judged passage with its checked stance,
and the rules that set the verdict.
"""

from __future__ import annotations

from html import escape

from ideapump.evidence.models import Effect, Pooled
from ideapump.results import EvidenceReport, PaperRow, PassageStance


def _stance(ps: PassageStance) -> tuple[str, str]:
    """How a passage's stance is shown, and why where it is not simply the model's: a
    veto, or a finding that also states no effect ("supports in part")."""
    if ps.partly:
        return f"{ps.stance} in part", ps.reason
    if ps.model_stance is None:
        return ps.stance, ps.reason  # decided without a model call: say why
    if ps.model_stance != ps.stance:
        return ps.stance, f"model said {ps.model_stance}: {ps.reason}"
    return ps.stance, ""


def _passage_html(ps: PassageStance) -> str:
    label, why = _stance(ps)
    return (
        f"<li>[{ps.paper}] <b>{escape(label)}</b>"
        + (f" <i>({escape(why)})</i>" if why else "")
        + f" {escape(ps.citation.label())}: &ldquo;{escape(ps.citation.quote)}&rdquo;"
        + "".join(f"<br><small>effect: {escape(_effect(e))}</small>" for e in ps.effects)
        + "</li>"
    )


def _pooled_lines(p: Pooled) -> list[str]:
    f, a = p.dl, p.alternative
    lines = [
        f"Pooled {p.label} over {p.k} papers (signed toward the claim): "
        f"{f.estimate:.2f} [95% CI {f.ci_low:.2f}, {f.ci_high:.2f}] "
        f"(DerSimonian-Laird; tau2 = {f.tau2:.3f}, I2 = {f.i2:.0%}, Q = {f.q:.2f}); "
        f"Paule-Mandel {a.estimate:.2f} [{a.ci_low:.2f}, {a.ci_high:.2f}]."
    ]
    if p.family in ("ratio", "correlation"):
        what = "ratio" if p.family == "ratio" else "r"
        lines.append(
            f"  As a {what}: {p.display(f.estimate):.2f} "
            f"[{p.display(f.ci_low):.2f}, {p.display(f.ci_high):.2f}]."
        )
    if p.without_flagged is not None:
        w = p.without_flagged
        lines.append(
            f"  Without the {p.flagged} effect(s) the audit flagged: {w.estimate:.2f} "
            f"[{w.ci_low:.2f}, {w.ci_high:.2f}] (k = {w.k})."
        )
    elif p.flagged:
        lines.append(f"  {p.flagged} pooled effect(s) are flagged by the audit.")
    if p.leave_one_out:
        lo = min(x.estimate for x in p.leave_one_out)
        hi = max(x.estimate for x in p.leave_one_out)
        lines.append(f"  Leave-one-out estimates range {lo:.2f} to {hi:.2f}.")
    return lines


def _effect(e: Effect) -> str:
    ci = f" [{e.ci_low:g}, {e.ci_high:g}]" if e.ci_low is not None else ""
    flag = f" AUDIT {e.audit.upper()}: {e.audit_note}" if e.flagged else ""
    who = " (model-proposed, checked)" if e.source == "model" else ""
    arms = f", {e.comparison}" if e.comparison else ""
    return f'{e.measure} {e.value:.3g}{ci} from "{e.reported}" ({e.derivation}{arms}){who}{flag}'


def _row(r: PaperRow) -> str:
    n = f"N={r.sample_size}" if r.sample_size else "N?"
    design = ", ".join(r.design) or "design not stated"
    if not r.used:
        return f"  [{r.n}] (not used: {r.reason}) {r.title}"
    eff = f"; {r.effect}" if r.effect else ""
    return f"  [{r.n}] {r.stance:<11} rel {r.relevance:.2f}; {design}; {n}{eff} - {r.title}"


def render_evidence(r: EvidenceReport) -> str:
    """The report as plain text (CLI and chat)."""
    if r.abstained:
        return f"Claim: {r.claim}\n{r.summary}"
    used = [p for p in r.papers_considered if p.used]
    lines = [
        f"Claim: {r.claim}",
        f"Verdict: {r.verdict} (confidence: {r.confidence}), by these rules:",
        *(f"  - {rule}" for rule in r.rules),
    ]
    if r.summary:
        lines.append(f"Summary: {r.summary}")
    if r.pooled is not None:
        lines += _pooled_lines(r.pooled)
    elif r.pooling_note:
        lines.append(r.pooling_note)
    lines.append(f"Papers considered: {len(r.papers_considered)} found, {len(used)} used.")
    lines += [_row(p) for p in r.papers_considered]
    lines.append("Passages (stance by one narrow model call each, cross-checked):")
    for ps in r.passages:
        c = ps.citation
        label, why = _stance(ps)
        veto = f" ({why})" if why else ""
        lines.append(f'  [{ps.paper}] {label}{veto} {c.label()} "{c.quote}"')
        lines += [f"      effect: {_effect(e)}" for e in ps.effects]
    if r.contradictions:
        lines += ["Contradictions:", *(f"  - {c}" for c in r.contradictions)]
    if r.unsupported_removed:
        lines.append(
            f"{r.unsupported_removed} summary sentence(s) removed: a number, a stance or a "
            "lack that the evidence and the table do not bear out."
        )
    if r.removed_citations:
        lines.append(f"{r.removed_citations} unverifiable citation(s) removed.")
    lines.append(f"({r.model_calls} model call(s), {r.seconds:.1f} s)")
    return "\n".join(lines)


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def evidence_markdown(r: EvidenceReport) -> str:
    """The report as Markdown, the forest plot inline as SVG."""
    if r.abstained:
        return f"## Claim: {r.claim}\n\n{r.summary}\n"
    out = [
        f"## Claim: {r.claim}",
        "",
        f"**Verdict: {r.verdict}** (confidence: {r.confidence}), by these rules:",
        "",
        *(f"- {rule}" for rule in r.rules),
        "",
    ]
    if r.summary:
        out += [r.summary, ""]
    if r.pooled is not None:
        out += [*_pooled_lines(r.pooled), "", r.forest_svg() or "", ""]
    elif r.pooling_note:
        out += [r.pooling_note, ""]
    out += [
        "| # | used | stance | relevance | design | N | effect | paper |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in r.papers_considered:
        out.append("| " + " | ".join(_md_cell(x) for x in _paper_cells(p)) + " |")
    out += ["", "### Passages", ""]
    for ps in r.passages:
        c = ps.citation
        label, why = _stance(ps)
        veto = f" ({why})" if why else ""
        out.append(f'- [{ps.paper}] **{label}**{veto} {c.label()}: "{c.quote}"')
        out += [f"  - effect: {_effect(e)}" for e in ps.effects]
    return "\n".join(out) + "\n"


def _paper_cells(p: PaperRow) -> tuple[object, ...]:
    """One row of the papers table, the same in Markdown and HTML."""
    return (
        p.n,
        "yes" if p.used else f"no: {p.reason}",
        p.stance if p.used else "",
        f"{p.relevance:.2f}",
        ", ".join(p.design),
        p.sample_size or "",
        p.effect,
        p.title,
    )


def evidence_html(r: EvidenceReport) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG)."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in _paper_cells(p)) + "</tr>"
        for p in r.papers_considered
    )
    passages = "".join(_passage_html(ps) for ps in r.passages)
    pooled = (
        "<p>"
        + "<br>".join(escape(x) for x in _pooled_lines(r.pooled))
        + "</p>"
        + (r.forest_svg() or "")
        if r.pooled is not None
        else f"<p>{escape(r.pooling_note)}</p>"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>IdeaPump: weigh</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "font-size:90%}</style></head><body>"
        f"<h2>Claim: {escape(r.claim)}</h2>"
        f"<p><b>Verdict: {escape(r.verdict)}</b> (confidence: {escape(r.confidence)})</p>"
        "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in r.rules) + "</ul>"
        f"<p>{escape(r.summary)}</p>{pooled}"
        "<table><tr><th>#</th><th>used</th><th>stance</th><th>relevance</th><th>design</th>"
        f"<th>N</th><th>effect</th><th>paper</th></tr>{rows}</table>"
        f"<h3>Passages</h3><ul>{passages}</ul></body></html>"
    )
