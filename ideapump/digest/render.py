"""A digest as Markdown and as one self-contained HTML file (inline CSS, inline SVG chart).

Files are named by date and library: ``<out>/<date>-<library>.md`` and ``.html``.
The HTML loads nothing from anywhere (no scripts, fonts or images), so it can be
mailed, attached or opened offline.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ideapump.digest.models import Digest, DocDigest, StatsSummary
from ideapump.results import Citation

BAR_KINDS = (
    ("decision_error", "decision error", "#c0392b"),
    ("inconsistent", "inconsistent", "#e67e22"),
    ("not_checkable", "not checkable", "#95a5a6"),
    ("consistent", "consistent", "#27ae60"),
)


def file_stem(digest: Digest) -> str:
    return f"{digest.date}-{digest.library}"


def _cite_md(c: Citation) -> str:
    return f'[{c.title}, p. {c.page}] "{_one_line(c.quote)}"'


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _stats_headline(s: StatsSummary) -> str:
    if s.note:
        return f"no audit: {s.note}"
    c = s.counts
    if not c.get("total"):
        return "no reported test statistics found"
    return (
        f"{c['total']} reported test(s): {c.get('decision_error', 0)} decision error(s), "
        f"{c.get('inconsistent', 0)} inconsistent, {c.get('not_checkable', 0)} not checkable, "
        f"{c.get('consistent', 0)} consistent"
    )


# -- Markdown ---------------------------------------------------------------------------


def to_markdown(d: Digest) -> str:
    out = [f"# IdeaPump digest: {d.library}, {d.date}", ""]
    if not d.entries and not d.failed:
        out += ["Nothing new since the last digest: no new documents arrived.", ""]
    else:
        out += [f"{len(d.entries)} new document(s) digested.", ""]
    problems = d.notes + [f"{e.title}: {e.error}" for e in d.failed]
    if problems:
        out += ["## What failed", ""]
        out += [f"- {_one_line(p)}" for p in problems]
        out += ["", "Failed documents are retried on the next run.", ""]
    if d.entries or d.failed:
        out += ["## New documents", ""]
    for i, e in enumerate([*d.entries, *d.failed], start=1):
        out += _entry_md(i, e)
    relations = d.relations
    if relations:
        out += ["## Across the library", ""]
        for kind, label in (("contradicts", "Contradictions"), ("agrees", "Agreements")):
            rows = [(e, r) for e, r in relations if r.kind == kind]
            if rows:
                out += [f"### {label}", ""]
                for _e, r in rows:
                    out.append(
                        f"- {_one_line(r.claim)}  \n  new: {_cite_md(r.new)}  \n"
                        f"  library: {_cite_md(r.old)}"
                    )
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def _entry_md(i: int, e: DocDigest) -> list[str]:
    year = f" ({e.year})" if e.year else ""
    out = [f"### {i}. {e.title}{year}", "", f"*{e.source}* · {e.origin} · {e.pages} page(s)", ""]
    if e.error:
        out += [f"> Not complete: {_one_line(e.error)}", ""]
    if e.summary:
        out += [f"**Summary.** {_one_line(e.summary)}", ""]
    if e.findings:
        out += ["**Key findings**", ""]
        out += [f"- {_one_line(f.text)} {_cite_md(f.citation)}" for f in e.findings]
        out.append("")
    if e.stats is not None:
        out += [f"**Statistics audit**: {_stats_headline(e.stats)}.", ""]
        for p in e.stats.problems:
            where = f"p. {p.page}" if p.page else "page unknown"
            out.append(
                f"- **{p.kind.replace('_', ' ')}**, {where}: `{_one_line(p.text)}`: "
                f"{_one_line(p.explanation)}"
            )
        for f in e.stats.flags:
            out.append(f"- flag: {_one_line(f.text)}")
        out.append("")
    if e.sparks:
        out += ["**Idea sparks**", ""]
        for n, s in enumerate(e.sparks, start=1):
            out.append(f"{n}. **{_one_line(s.title)}**: {_one_line(s.idea)}")
            out += [f"   - new: {_cite_md(c)}" for c in s.new_side]
            out += [f"   - lab: {_cite_md(c)}" for c in s.lab_side]
        out.append("")
    if e.unsupported_removed:
        out += [f"*{_unsupported(e)}*", ""]
    return out


def _unsupported(e: DocDigest) -> str:
    return (
        f"{e.unsupported_removed} sentence(s) the model wrote were left out: the passages "
        "they cite do not support them."
    )


# -- HTML -------------------------------------------------------------------------------

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2733;
max-width:860px;margin:2em auto;padding:0 1em;background:#fbfbfa}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #d9dee4;padding-bottom:.2em;
margin-top:1.8em}h3{margin-bottom:.2em}.meta{color:#5b6672;font-size:.9em}
.card{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:.8em 1.2em;margin:1em 0}
.fail{border-left:4px solid #c0392b;background:#fdf3f2;padding:.5em 1em;border-radius:4px}
.cite{color:#2c5d8f;font-size:.9em}.quote{font-style:italic;color:#44505c}
.problem{color:#a8321f}.flag{color:#7d3c98}code{background:#f1f3f5;padding:0 .25em;
border-radius:3px;font-size:.9em}.spark{border-left:3px solid #2c7be5;padding-left:.8em;
margin:.6em 0}.agrees{border-left:3px solid #27ae60;padding-left:.8em;margin:.6em 0}
.contradicts{border-left:3px solid #c0392b;padding-left:.8em;margin:.6em 0}
"""


def _cite_html(c: Citation) -> str:
    return (
        f'<span class="cite">[{escape(c.title)}, p.&nbsp;{c.page}]</span> '
        f'<span class="quote">“{escape(_one_line(c.quote))}”</span>'
    )


def stats_chart_svg(entries: list[DocDigest], width: int = 760) -> str:
    """Horizontal stacked bars: verdict counts of the reported tests of each paper."""
    rows = [e for e in entries if e.stats is not None and not e.stats.note]
    if not rows:
        return ""
    label_w, bar_h, gap, top = 260, 18, 8, 30
    scale = max((e.stats.counts.get("total", 0) for e in rows if e.stats), default=0) or 1
    bar_w = width - label_w - 120  # room for the "N test(s), N flag(s)" note
    height = top + len(rows) * (bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        "<title>Statistics findings per paper</title>",
    ]
    x = label_w
    for _key, label, color in BAR_KINDS:
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="15">{label}</text>')
        x += 14 + 7 * len(label) + 16
    for i, e in enumerate(rows):
        assert e.stats is not None
        y = top + i * (bar_h + gap)
        name = e.title if len(e.title) <= 38 else e.title[:37] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{escape(name)}</text>'
        )
        x0 = float(label_w)
        for key, label, color in BAR_KINDS:
            n = e.stats.counts.get(key, 0)
            if not n:
                continue
            w = bar_w * n / scale
            parts.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}">'
                f"<title>{escape(e.title)}: {n} {label}</title></rect>"
            )
            x0 += w
        total = e.stats.counts.get("total", 0)
        flags = len(e.stats.flags)
        note = f"{total} test(s)" + (f", {flags} flag(s)" if flags else "")
        parts.append(f'<text x="{x0 + 6:.1f}" y="{y + 13}" fill="#5b6672">{note}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(d: Digest) -> str:
    title = f"IdeaPump digest: {d.library}, {d.date}"
    body = [f"<h1>{escape(title)}</h1>"]
    if not d.entries and not d.failed:
        body.append("<p>Nothing new since the last digest: no new documents arrived.</p>")
    else:
        body.append(f'<p class="meta">{len(d.entries)} new document(s) digested.</p>')
    problems = d.notes + [f"{e.title}: {e.error}" for e in d.failed]
    if problems:
        items = "".join(f"<li>{escape(_one_line(p))}</li>" for p in problems)
        body.append(
            f'<h2>What failed</h2><div class="fail"><ul>{items}</ul>'
            "<p>Failed documents are retried on the next run.</p></div>"
        )
    chart = stats_chart_svg([*d.entries, *d.failed])
    if chart:
        body.append(f"<h2>Statistics findings per paper</h2>{chart}")
    if d.entries or d.failed:
        body.append("<h2>New documents</h2>")
    body += [_entry_html(e) for e in [*d.entries, *d.failed]]
    if d.relations:
        body.append("<h2>Across the library</h2>")
        for kind, label in (("contradicts", "Contradictions"), ("agrees", "Agreements")):
            rows = [r for _, r in d.relations if r.kind == kind]
            if rows:
                body.append(f"<h3>{label}</h3>")
                body += [
                    f'<div class="{kind}"><p>{escape(r.claim)}</p><p>new: {_cite_html(r.new)}'
                    f"<br>library: {_cite_html(r.old)}</p></div>"
                    for r in rows
                ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _entry_html(e: DocDigest) -> str:
    year = f" ({e.year})" if e.year else ""
    h = [f'<div class="card"><h3>{escape(e.title)}{year}</h3>']
    h.append(f'<p class="meta">{escape(e.source)} · {escape(e.origin)} · {e.pages} page(s)</p>')
    if e.error:
        h.append(f'<p class="fail">Not complete: {escape(e.error)}</p>')
    if e.summary:
        h.append(f"<p><b>Summary.</b> {escape(e.summary)}</p>")
    if e.findings:
        items = "".join(f"<li>{escape(f.text)} {_cite_html(f.citation)}</li>" for f in e.findings)
        h.append(f"<p><b>Key findings</b></p><ul>{items}</ul>")
    if e.stats is not None:
        h.append(f"<p><b>Statistics audit</b>: {escape(_stats_headline(e.stats))}.</p>")
        lines = [
            f'<li class="problem"><b>{p.kind.replace("_", " ")}</b>, '
            f"{'p. ' + str(p.page) if p.page else 'page unknown'}: <code>{escape(p.text)}</code>"
            f" {escape(p.explanation)}</li>"
            for p in e.stats.problems
        ]
        lines += [f'<li class="flag">flag: {escape(f.text)}</li>' for f in e.stats.flags]
        if lines:
            h.append(f"<ul>{''.join(lines)}</ul>")
    if e.sparks:
        h.append("<p><b>Idea sparks</b></p>")
        for s in e.sparks:
            cites = "".join(f"<li>new: {_cite_html(c)}</li>" for c in s.new_side)
            cites += "".join(f"<li>lab: {_cite_html(c)}</li>" for c in s.lab_side)
            h.append(
                f'<div class="spark"><b>{escape(s.title)}</b>: {escape(s.idea)}'
                f"<ul>{cites}</ul></div>"
            )
    if e.unsupported_removed:
        h.append(f'<p class="meta">{escape(_unsupported(e))}</p>')
    h.append("</div>")
    return "".join(h)


def write_files(d: Digest, out_dir: Path, fmt: str) -> list[Path]:
    """Write the digest as Markdown and/or HTML; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, render in ((".md", to_markdown), (".html", to_html)):
        if fmt in (suffix[1:], "both"):
            path = out_dir / f"{file_stem(d)}{suffix}"
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(render(d), encoding="utf-8")
            tmp.replace(path)  # readers (the API, a mail client) never see half a file
            written.append(path)
    return written
