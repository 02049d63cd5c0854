"""One new document's digest entry: summary, statistics audit, idea sparks, agreements.

Per document, in order (so a failure part-way keeps what came before):

1. the statistics audit, from the report stored at ingest (deterministic, no model):
   decision errors, inconsistencies and impossible means first, then paper flags;
2. a summary with 1-4 key findings, each cited to a passage of the document;
3. up to ``max_sparks`` idea sparks linking it to the lab's other documents, each
   with at least one checked citation on each side;
4. agreements and contradictions with what the library already held.

Citations go through :mod:`ideapump.agent.grounding` (the agent pipelines'
checker): the model names a passage number and a quote; a citation whose quote
cannot be matched to that chunk (verbatim, a long enough verbatim run, or the
passage's title) is dropped, and an item left without the citations it needs
is dropped with it. A citation always shows words that are in the chunk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ideapump.agent.grounding import Evidence, generate_grounded, persona
from ideapump.agent.models import Citation
from ideapump.digest.models import (
    DocDigest,
    Finding,
    Relation,
    RelationsDraft,
    Spark,
    SparksDraft,
    StatsLine,
    StatsSummary,
    SummaryDraft,
)
from ideapump.prompts import data_block, render_prompt
from ideapump.stats import StatsReport, check_pages, rejudge

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.library import Library
    from ideapump.models import Passage
    from ideapump.store.registry import DocumentRow

MAX_FINDINGS = 4
FINDINGS_QUERY = "main results findings effect difference significant conclusion"


def stats_summary(row: DocumentRow, settings: Settings) -> StatsSummary:
    """The stored audit, problems first; the same at any alpha the settings ask for."""
    alpha = settings.stats.alpha
    if row.stats:
        report = rejudge(StatsReport.model_validate(row.stats), alpha)
    elif row.page_texts:
        report = check_pages(list(enumerate(row.page_texts, start=1)), alpha=alpha)
    else:
        return StatsSummary(note="no text to audit (a data table)")
    problems = [
        StatsLine(kind=r.verdict, page=r.page, text=r.quote, explanation=r.explanation)
        for r in report.problems()
    ]
    problems += [
        StatsLine(kind="impossible_mean", page=m.page, text=m.quote, explanation=m.explanation)
        for m in report.means
        if "inconsistent" in (m.grim, m.grimmer)
    ]
    flags = [
        StatsLine(kind="flag", text=f.message, explanation="; ".join(f.evidence[:3]))
        for f in report.flags
    ]
    return StatsSummary(counts=report.counts, problems=problems, flags=flags)


def new_entry(row: DocumentRow, settings: Settings, origin: str) -> DocDigest:
    return DocDigest(
        doc_id=row.doc_id,
        title=row.title,
        source=row.source,
        kind=row.kind,
        year=row.year,
        pages=row.pages,
        origin=origin,
        stats=stats_summary(row, settings),
    )


def document_passages(library: Library, doc_id: str, k: int) -> list[Passage]:
    """The opening chunks (abstract) plus the chunks most about results, in reading order."""
    chunks = library.chunks(doc_id)
    picked = {p.chunk_id: p for p in chunks[:2]}
    if len(chunks) > 2:
        for hit in library.search(FINDINGS_QUERY, k=k, doc_ids=[doc_id]):
            if len(picked) >= k:
                break
            picked.setdefault(hit.chunk_id, hit)
    order = {p.chunk_id: i for i, p in enumerate(chunks)}
    return sorted(picked.values(), key=lambda p: order.get(p.chunk_id, 0))[:k]


def lab_passages(library: Library, query: str, exclude: str, k: int) -> list[Passage]:
    """Passages of the lab's other documents most related to ``query``, two per document."""
    others = [p.doc_id for p in library.papers() if p.doc_id != exclude]
    if not others:
        return []
    kept: list[Passage] = []
    per_doc: dict[str, int] = {}
    for hit in library.search(query, k=min(200, k * 4 + 10), doc_ids=others):
        if hit.doc_id == exclude or per_doc.get(hit.doc_id, 0) >= 2:
            continue
        per_doc[hit.doc_id] = per_doc.get(hit.doc_id, 0) + 1
        kept.append(hit)
        if len(kept) >= k:
            break
    return kept


def _block(passages: list[Passage], start: int) -> str:
    return data_block(
        {"n": i, "title": p.title, "page": p.page, "kind": p.kind, "text": p.quote}
        for i, p in enumerate(passages, start=start)
    )


def _sides(
    cites: list[Any], evidence: Evidence, doc_id: str, claim: str
) -> tuple[list[Citation], list[Citation]]:
    new: list[Citation] = []
    lab: list[Citation] = []
    for c in cites:
        citation = evidence.resolve(c.n, c.quote, claim)
        if citation is not None:
            (new if citation.doc_id == doc_id else lab).append(citation)
    return new, lab


def compose(entry: DocDigest, library: Library, llm: Any, settings: Settings) -> DocDigest:
    """Fill ``entry`` in place (so a failure keeps what was done) and return it.

    Raises whatever IdeaPumpError the language model raises.
    """
    opts = settings.digest
    own = document_passages(library, entry.doc_id, opts.summary_passages)
    if not own:
        entry.summary = "(the document has no indexed text)"
        return entry
    evidence = Evidence(list(own), library=library)
    messages = [
        ("system", persona()),
        (
            "user",
            render_prompt("digest_summary", title=entry.title, documents=evidence.block()),
        ),
    ]
    summary = generate_grounded(
        llm, messages, SummaryDraft, evidence, citation_retries=opts.citation_retries
    )
    entry.summary = summary.draft.summary.strip()
    entry.dropped_citations += summary.removed
    for f in summary.draft.findings[:MAX_FINDINGS]:
        citation = evidence.resolve(f.n, f.quote, f.text)
        if citation is not None:
            entry.findings.append(Finding(text=f.text.strip(), citation=citation))

    query = " ".join([entry.title, entry.summary, *(f.text for f in entry.findings)])
    related = lab_passages(library, query, entry.doc_id, opts.related_passages)
    if not related:
        return entry
    both = Evidence([*own, *related], library=library)
    new_block, lab_block = _block(own, 1), _block(related, len(own) + 1)

    sparks = generate_grounded(
        llm,
        [
            ("system", persona()),
            (
                "user",
                render_prompt(
                    "digest_sparks",
                    max_sparks=opts.max_sparks,
                    title=entry.title,
                    summary=entry.summary or "(none)",
                    new_documents=new_block,
                    lab_documents=lab_block,
                ),
            ),
        ],
        SparksDraft,
        both,
        citation_retries=opts.citation_retries,
    )
    seen: set[str] = set()
    for s in sparks.draft.sparks:
        # A small model may write the same spark twice; a digest shows it once.
        key = " ".join(s.title.casefold().split())
        if key in seen:
            continue
        seen.add(key)
        new, lab = _sides(s.citations, both, entry.doc_id, s.idea)
        if new and lab and len(entry.sparks) < opts.max_sparks:
            entry.sparks.append(
                Spark(title=s.title.strip(), idea=s.idea.strip(), new_side=new, lab_side=lab)
            )
        else:
            entry.dropped_citations += 1

    findings = "; ".join(f.text for f in entry.findings) or entry.summary or "(none)"
    relations = generate_grounded(
        llm,
        [
            ("system", persona()),
            (
                "user",
                render_prompt(
                    "digest_relations",
                    title=entry.title,
                    findings=findings,
                    new_documents=new_block,
                    lab_documents=lab_block,
                ),
            ),
        ],
        RelationsDraft,
        both,
        citation_retries=opts.citation_retries,
    )
    for r in relations.draft.relations[:3]:
        new, lab = _sides(r.citations, both, entry.doc_id, r.claim)
        if new and lab:
            entry.relations.append(
                Relation(kind=r.kind, claim=r.claim.strip(), new=new[0], old=lab[0])
            )
    return entry
