"""One new document's digest entry: summary, statistics audit, idea sparks, agreements.

Per document, in order (so a failure part-way keeps what came before):

1. the statistics audit, from the report stored at ingest (deterministic, no model):
   decision errors, inconsistencies and impossible means first, then paper flags;
2. a summary with 1-4 key findings, each cited to a passage of the document;
3. up to ``max_sparks`` idea sparks linking it to the lab's other documents, one
   per pair of passages (see below), each cited on both sides;
4. agreements and contradictions with what the library already held, each
   claim at least ``link_min_similarity`` similar to both passages it cites.

Sparks are written one pair of passages at a time: code pairs the new
document's passages with the lab's by the similarity of their stored vectors
(each lab document and each new passage once, best first, none below
``link_min_similarity``), and the model writes one idea from the two passages
it is shown. A small local model asked for several sparks over a dozen passages
at once ran into its output cap or cited the wrong passage; shown one pair, it
cannot. Each side cites its passage by the model's quote when that occurs in the
chunk and has five words or more, else by the passage's sentence closest to the idea (the model's quote is
then counted as dropped); an idea not similar enough to both passages is left out.

Every sentence shown is claim-checked (:mod:`ideapump.grounding.claims`): the
summary against the document's passages, a finding against the passage it
cites (in both, a work named must be the paper itself or named in a passage),
a spark's idea against its two passages (numbers only: an idea states no
result yet), a relation's claim against both passages it cites. A sentence
that fails is left out and counted in ``unsupported_removed``; a finding,
spark or relation left without text is left out with it.

Citations go through :mod:`ideapump.grounding` (the agent pipelines'
checker): the model names a passage number and a quote; a citation whose quote
cannot be matched to that chunk (verbatim, a long enough verbatim run, or the
passage's title) is dropped, and an item left without the citations it needs
is dropped with it. A citation always shows words that are in the chunk.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from ideapump.agent.grounding import (
    Evidence,
    closest_sentence,
    cosine,
    generate_grounded,
    normalize,
    passage_vectors,
    persona,
    relevance,
)
from ideapump.digest.draft_text import (
    decimals,
    max_length,
    says_nothing,
    sentence_with,
    whole_sentences,
)
from ideapump.digest.models import (
    DocDigest,
    Finding,
    FindingDraft,
    Relation,
    RelationDraft,
    RelationsDraft,
    Spark,
    SparkDraft,
    StatsLine,
    StatsSummary,
    SummaryDraft,
)
from ideapump.errors import LLMOutputError
from ideapump.grounding.claims import check_text
from ideapump.llm import generate_structured
from ideapump.prompts import data_block, render_prompt
from ideapump.results import Citation
from ideapump.retrieval.hybrid import BACK_MATTER
from ideapump.stats import audit_stored
from ideapump.stats.models import CHECK_FLAG_CODES

if TYPE_CHECKING:
    from ideapump.config import Settings
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel
    from ideapump.models import Passage
    from ideapump.store.registry import DocumentRow

log = logging.getLogger(__name__)
MAX_FINDINGS = 4
QUOTE_WORDS = 5  # the prompts ask for 5 to 20; fewer is a heading or a label
FINDINGS_QUERY = "main results findings effect difference significant conclusion"


def stats_summary(row: DocumentRow, settings: Settings) -> StatsSummary:
    """The stored audit as the settings read it, grouped: each probable cause once,
    a result printed on several pages once, then cross-checks and impossible means."""
    report = audit_stored(row.stats, row.page_texts, settings)
    if report is None:
        return StatsSummary(note="no text to audit (a data table)")
    problems = [
        StatsLine(
            kind="impossible_mean"
            if p.kind == "mean"
            else ("decision_error" if p.verdict == "decision_error" else "inconsistent"),
            page=p.page,
            text=p.quote,
            explanation=p.message,
        )
        for p in report.grouped_problems()
    ]
    flags = [
        StatsLine(kind="flag", text=f.message, explanation="; ".join(f.evidence[:3]))
        for f in report.flags
        if f.code not in CHECK_FLAG_CODES
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
    """The abstract (or the opening chunks) plus the chunks most about results, in reading order.

    Back matter (acknowledgements, funding, competing interests ...) is never picked.
    """
    chunks = library.chunks(doc_id)
    # The abstract where a section says so: some publishers put a cover page first.
    abstract = [p for p in chunks if p.section.strip().casefold() == "abstract"]
    picked = {p.chunk_id: p for p in (abstract or chunks)[:2]}
    if len(chunks) > 2:
        for hit in library.search(FINDINGS_QUERY, k=k + 4, doc_ids=[doc_id]):
            if len(picked) >= k:
                break
            if not BACK_MATTER.search(hit.section):
                picked.setdefault(hit.chunk_id, hit)
    order = {p.chunk_id: i for i, p in enumerate(chunks)}
    return sorted(picked.values(), key=lambda p: order.get(p.chunk_id, 0))[:k]


def lab_passages(library: Library, query: str, exclude: Collection[str], k: int) -> list[Passage]:
    """Passages of the lab's documents most related to ``query``, two per document.

    ``exclude``: the document being digested and the others new in this digest,
    so the other side is always what the library held before.
    """
    others = [p.doc_id for p in library.papers() if p.doc_id not in exclude]
    if not others:
        return []
    kept: list[Passage] = []
    per_doc: dict[str, int] = {}
    for hit in library.search(query, k=min(200, k * 4 + 10), doc_ids=others):
        if hit.doc_id in exclude or per_doc.get(hit.doc_id, 0) >= 2:
            continue
        per_doc[hit.doc_id] = per_doc.get(hit.doc_id, 0) + 1
        kept.append(hit)
        if len(kept) >= k:
            break
    return kept


def spark_pairs(
    library: Library, own: list[Passage], related: list[Passage], limit: int, floor: float
) -> list[tuple[Passage, Passage]]:
    """The most similar (new passage, lab passage) pairs, best first.

    Each new passage and each lab document appears once, so the sparks reach
    different parts of the lab's work; no pair below ``floor``. The lab's own
    data (its CSV/TSV summaries) goes first when a pair with it reaches the
    floor: what a paper means for the lab's results is the spark a lab wants,
    and MiniLM ranks a paper's prose above a table's summary (Mathot's
    saccade-to-bright passages: 0.57 to a paper on dogs' gaze, 0.50 to the
    lab's saccade_to_bright pupil data).
    """
    if not own or not related:
        return []
    sims = cosine(passage_vectors(library, own), passage_vectors(library, related))
    ranked = sorted(
        ((float(sims[i, j]), i, j) for i in range(len(own)) for j in range(len(related))),
        key=lambda t: -t[0],
    )
    data = next((t for t in ranked if related[t[2]].kind == "table"), None)
    if data is not None and data[0] >= floor:
        ranked.remove(data)
        ranked.insert(0, data)
    pairs: list[tuple[Passage, Passage]] = []
    used_new: set[int] = set()
    used_docs: set[str] = set()
    for sim, i, j in ranked:
        if sim < floor or len(pairs) >= limit:
            break
        if i in used_new or related[j].doc_id in used_docs:
            continue
        used_new.add(i)
        used_docs.add(related[j].doc_id)
        pairs.append((own[i], related[j]))
    return pairs


def write_spark(
    library: Library, llm: ChatModel, entry: DocDigest, pair: tuple[Passage, Passage], floor: float
) -> Spark | None:
    """One idea from one pair of passages, cited on both sides; None when it relates to neither."""
    evidence = Evidence(list(pair), library=library)
    try:
        draft = generate_structured(
            llm,
            [
                ("system", persona()),
                (
                    "user",
                    render_prompt(
                        "digest_spark",
                        title=entry.title,
                        summary=entry.summary or "(none)",
                        new_document=_block([pair[0]], 1),
                        lab_document=_block([pair[1]], 2),
                    ),
                ),
            ],
            SparkDraft,
        )
    except LLMOutputError as exc:
        # One unusable answer costs this spark, not the document's whole entry.
        log.warning("no spark from %s + %s: %s", pair[0].chunk_id, pair[1].chunk_id, exc)
        return None
    checked = check_text(
        whole_sentences(draft.idea, max_length(SparkDraft, "idea")),
        [p.quote for p in pair],
        direction=False,
    )
    entry.unsupported_removed += len(checked.removed)
    idea = checked.text
    if not idea or min(relevance(library, idea, list(pair))) < floor:
        return None
    sides = []
    for n, quote in ((1, draft.new_quote), (2, draft.lab_quote)):
        citation = evidence.resolve(n, quote, idea)
        if citation is None or len(citation.quote.split()) < QUOTE_WORDS:
            entry.dropped_citations += 1
            citation = evidence.resolve(n, closest_sentence(pair[n - 1].quote, idea), idea)
        if citation is None:  # a passage without a 3-word sentence: nothing to show
            return None
        sides.append(citation)
    return Spark(
        title=draft.title.strip() or "Idea", idea=idea, new_side=[sides[0]], lab_side=[sides[1]]
    )


def _about(
    library: Library, claim: str, cited: list[Citation], evidence: Evidence, floor: float
) -> bool:
    """True when ``claim`` is at least ``floor`` similar to every passage it cites."""
    chunks = {p.chunk_id: p for p in evidence.passages}
    passages = [chunks[c.chunk_id] for c in cited if c.chunk_id in chunks]
    return len(passages) == len(cited) and min(relevance(library, claim, passages)) >= floor


def _chunk(evidence: Evidence, citation: Citation) -> str:
    """The text of the chunk ``citation`` points at (what its claim may rest on)."""
    return next(p.quote for p in evidence.passages if p.chunk_id == citation.chunk_id)


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


def cite_finding(evidence: Evidence, f: FindingDraft) -> tuple[Citation | None, int]:
    """The finding's citation, and 1 when the model's own quote was not kept.

    The quote must show the finding's numbers: the 1.5B model states one test
    ("F(1, 201) = 3.37") and quotes its neighbour ("F(1, 202) = 2.29"). Such a
    finding cites the sentence of its passage that shows them, or is left out.
    A quote under five words (a heading: "3.4. Intervention effects") gives way
    to the passage's sentence closest to the finding.
    """
    citation = evidence.resolve(f.n, f.quote, f.text)
    if citation is None:
        return None, 0  # generate_grounded has counted it
    n = next(i for i, p in enumerate(evidence.passages, 1) if p.chunk_id == citation.chunk_id)
    passage = evidence.passages[n - 1].quote
    wanted = decimals(f.text)
    if not wanted <= decimals(citation.quote):
        sentence = sentence_with(passage, wanted)
        return (evidence.resolve(n, sentence, f.text) if sentence else None), 1
    if len(citation.quote.split()) < QUOTE_WORDS:
        return evidence.resolve(n, closest_sentence(passage, f.text), f.text), 1
    return citation, 0


def compose(
    entry: DocDigest,
    library: Library,
    llm: ChatModel,
    settings: Settings,
    news: Collection[str] = (),
) -> DocDigest:
    """Fill ``entry`` in place (so a failure keeps what was done) and return it.

    ``news``: the documents new in this digest; sparks and relations link to the others.

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
    text = whole_sentences(summary.draft.summary, max_length(SummaryDraft, "summary"))
    # A work named must be the paper itself (its year) or one its passages name.
    years = [entry.year] if entry.year else []
    checked = check_text(text, [p.quote for p in own], years=years)
    entry.summary = checked.text
    entry.unsupported_removed += len(checked.removed)
    entry.dropped_citations += summary.removed
    quoted: set[tuple[str, str]] = set()
    for f in summary.draft.findings[:MAX_FINDINGS]:
        if says_nothing(f.text):
            continue
        citation, replaced = cite_finding(evidence, f)
        entry.dropped_citations += replaced
        # The 1.5B model has filed four "findings" on one quote, each with the same F
        # test: a quote shows once.
        if citation is not None and (citation.chunk_id, normalize(citation.quote)) not in quoted:
            text = whole_sentences(f.text, max_length(FindingDraft, "text"))
            checked = check_text(text, [_chunk(evidence, citation)], years=years)
            entry.unsupported_removed += len(checked.removed)
            if not checked.text:
                continue
            quoted.add((citation.chunk_id, normalize(citation.quote)))
            entry.findings.append(Finding(text=checked.text, citation=citation))

    query = " ".join([entry.title, entry.summary, *(f.text for f in entry.findings)])
    related = lab_passages(library, query, {entry.doc_id, *news}, opts.related_passages)
    if not related:
        return entry
    both = Evidence([*own, *related], library=library)
    new_block, lab_block = _block(own, 1), _block(related, len(own) + 1)

    floor = opts.link_min_similarity
    seen: set[str] = set()
    for pair in spark_pairs(library, own, related, opts.max_sparks, floor):
        spark = write_spark(library, llm, entry, pair, floor)
        # A small model may name two ideas alike; a digest shows the name once.
        key = " ".join(spark.title.casefold().split()) if spark else ""
        if spark is not None and key not in seen:
            seen.add(key)
            entry.sparks.append(spark)

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
        if new and lab and _about(library, r.claim, [new[0], lab[0]], both, floor):
            claim = whole_sentences(r.claim, max_length(RelationDraft, "claim"))
            checked = check_text(claim, [_chunk(both, new[0]), _chunk(both, lab[0])])
            entry.unsupported_removed += len(checked.removed)
            if checked.text:
                entry.relations.append(
                    Relation(kind=r.kind, claim=checked.text, new=new[0], old=lab[0])
                )
    return entry
