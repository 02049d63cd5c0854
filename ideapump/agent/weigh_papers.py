"""Which papers ``weigh`` reads for a claim, and which of each paper's passages.

Papers (:func:`find_papers`): each paper's best passage by retrieval; a paper is used
at ``min_relevance`` or above, within ``relevance_margin`` of the best paper, up to
``max_papers``; every paper found is listed with why an unused one was left out.
Passages (:func:`paper_passages`): the ``passages_per_paper`` passages whose sentences
best report a result on the claim, among the paper's best passages by retrieval, its
abstract and the chunks whose sentences share most of the claim's words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ideapump.agent.grounding import AgentOptions, relevance, retrieve
from ideapump.evidence.findings import plans_or_supposes, states_result
from ideapump.grounding.evidence import openings_of, sentence_scores
from ideapump.grounding.normalize import numbers, terms
from ideapump.grounding.quotes import sentences
from ideapump.results import PaperRow

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.models import Passage


@dataclass
class WeighOptions:
    """Knobs of :func:`weigh` beyond :class:`AgentOptions` (which gives ``min_relevance``)."""

    max_papers: int = 40
    passages_per_paper: int = 2
    relevance_margin: float = 0.25  # this far below the best paper's relevance: off-topic
    summary: bool = True  # False: no summary call (the verdict never depends on it)
    summary_sentences: int = 4


def shown_score(score: float, floor: float) -> str:
    """``score`` to two decimals, or to as many as show it below ``floor``: a paper left out
    at 0.2996 was listed as "relevance 0.30 below the minimum 0.3"."""
    for digits in (2, 3, 4):
        text = f"{score:.{digits}f}"
        if float(text) < floor:
            return text
    return f"{score:.4f}"


def find_papers(
    library: Library,
    claim: str,
    options: AgentOptions,
    wo: WeighOptions,
    doc_ids: Sequence[str] | None,
) -> list[PaperRow]:
    """Every paper retrieval finds for the claim, best first, marked used or not (with why)."""
    k = min(200, max(2 * wo.max_papers, 10))
    best = retrieve(library, claim, k, doc_ids=doc_ids, per_paper_cap=1)
    scores = relevance(library, claim, best)
    ranked = sorted(zip(best, scores, strict=True), key=lambda x: -x[1])
    top = ranked[0][1] if ranked else 0.0
    rows: list[PaperRow] = []
    used = 0
    for passage, score in ranked:
        row = PaperRow(doc_id=passage.doc_id, title=passage.title, relevance=score)
        if score < options.min_relevance:
            row.reason = (
                f"relevance {shown_score(score, options.min_relevance)} below the minimum "
                f"{options.min_relevance:g}"
            )
        elif score < top - wo.relevance_margin:
            row.reason = (
                f"relevance {shown_score(score, top - wo.relevance_margin)} far below the best "
                f"paper's {top:.2f}"
            )
        elif used >= wo.max_papers:
            row.reason = f"beyond the first {wo.max_papers} papers"
        else:
            row.used, used = True, used + 1
        rows.append(row)
    return rows


#: How many of a paper's passages, per passage read, weigh looks through for its findings
#: (besides the paper's abstract).
CANDIDATES_PER_PASSAGE = 4
#: A sentence that reports a result (a direction, a p-value) outscores one that only
#: shares the claim's words (an aim, a method, the background) by this much.
RESULT_BONUS = 0.4
AIM_WEIGHT = 0.5  # a passage's aim or conjecture counts half (as in finding_of)
#: A sentence that states one of the claim's own numbers ("12.5 mg/kg") is about it.
CLAIM_NUMBER_BONUS = 0.2
# Sections that set a study up: their direction words are other studies' results or the
# setting ("physiological responses similar to those naturally occurring in space").
_SETUP_SECTION = re.compile(
    r"^\W*(?:\d+\W*)?(?:introduction|background|methods?|materials|participants|procedure)",
    re.IGNORECASE,
)

_RESULTS_SECTION = re.compile(r"^\W*(?:\d+\W*)?results?\b", re.IGNORECASE)


def _wordy_passages(chunks: list[Passage], claim: str, n: int) -> list[Passage]:
    """The paper's ``n`` chunks with the sentence that shares most of the claim's words.

    Retrieval ranks whole chunks, so a result sentence in a chunk about something else
    ranks low: "repeated CHX administration increased locomotor activity compared with
    control during ... habituation" was the paper's best sentence for a claim on it, in
    its 20th chunk by retrieval. Counting words costs no embedding, so every chunk is
    looked at; the candidates it adds are then scored like the others.
    """
    wanted = terms(claim)
    if not wanted:
        return []
    scored = []
    for chunk in chunks:
        best = max((len(wanted & terms(t)) for t in sentences(chunk.quote, 5)), default=0)
        if best:
            scored.append((best, chunk))
    scored.sort(key=lambda x: -x[0])
    return [chunk for _, chunk in scored[:n]]


def _setup_sections(chunks: list[Passage]) -> set[str]:
    """The section labels of ``chunks`` that set the study up (introduction, methods ...).

    A label that covers more than half of the paper's chunks is not trusted: the ingest
    missed the headings after it. Range et al.'s "INTRODUCTION" ran from page 2 to the
    acknowledgements, so its results ("We found that wolves clearly outperformed the
    dogs ...") were never read as results.
    """
    labels = Counter(c.section for c in chunks)
    return {
        label
        for label, n in labels.items()
        if _SETUP_SECTION.search(label) and n <= len(chunks) / 2
    }


def _once_each(ordered: list[Passage], said: dict[str, str]) -> list[Passage]:
    """``ordered`` with each best sentence once (or a piece of it): overlapping chunks hold
    the same sentence (Hartgerink et al.'s "... sample size in psychology articles has
    stayed stable across time" led two of them), and reading it twice costs a model call
    and the next passage."""
    seen: list[str] = []
    out = []
    for p in ordered:
        key = said.get(p.chunk_id)
        if key is not None and any(key in k or k in key for k in seen):
            continue  # the same sentence, or a chunk boundary's piece of it
        if key is not None:
            seen.append(key)
        out.append(p)
    return out


def paper_passages(
    library: Library, claim: str, doc_id: str, options: AgentOptions, wo: WeighOptions
) -> list[Passage]:
    """The paper's passages whose sentences best state a result on the claim, best first.

    The candidates are the paper's best passages for the claim by retrieval and its
    abstract, where a paper states its main results (as one broad chunk it ranks
    below narrower ones: the Mendt abstract with "CTR showed a phase delay" was not
    among the paper's 20 best chunks for a claim on that delay). Each candidate scores
    as its best finding sentence does (the evidence step's score, plus
    ``RESULT_BONUS`` for a sentence that reports a result and ``CLAIM_NUMBER_BONUS``
    for one that states the claim's numbers), so the passage that reports the
    result is read, not the introduction that shares the claim's words.
    Reading two or more, one is the abstract's passage that reports a result, where
    the others miss it: the Mendt discussion's "HDBR induces a phase delay" outscored
    the abstract that says which group's phase moved which way. It replaces the
    weakest passage that is not in a results section.
    A passage other than the best one is kept only at ``min_relevance`` or above.
    """
    k = CANDIDATES_PER_PASSAGE * wo.passages_per_paper
    found = retrieve(library, claim, k, doc_ids=[doc_id])
    chunks = library.chunks(doc_id)  # once: the abstract and the word counts read them both
    openings = openings_of(chunks, 3)
    opening = {p.chunk_id for p in openings}
    seen = {p.chunk_id for p in found}
    found += [p for p in openings if p.chunk_id not in seen]
    seen |= opening
    found += [p for p in _wordy_passages(chunks, claim, k) if p.chunk_id not in seen]
    best: dict[str, float] = {}
    said: dict[str, str] = {}  # each candidate's best sentence
    reports: set[str] = set()
    named = {n.value for n in numbers(claim)}
    setup = _setup_sections(chunks)
    for p, text, score in sentence_scores(library, claim, found):
        if named & {n.value for n in numbers(text)}:
            # Among a paper's sentences on glutathione, the one on the claim's dose
            # ranked fifth by words alone.
            score += CLAIM_NUMBER_BONUS
        if states_result(text) and p.section not in setup:
            score += RESULT_BONUS
            reports.add(p.chunk_id)
        elif plans_or_supposes(text):
            # "We here investigated the effects of bed rest with and without exercise on
            # the circadian rhythm ..." repeats the claim's words and reports nothing:
            # such aims outranked the Mendt abstract's result sentences.
            score *= AIM_WEIGHT
        if score > best.get(p.chunk_id, -1.0):
            best[p.chunk_id], said[p.chunk_id] = score, " ".join(text.split())
    ordered = _once_each(sorted(found, key=lambda p: -best.get(p.chunk_id, -1.0)), said)
    ranked = ordered[: wo.passages_per_paper]
    summary = [p for p in ordered if p.chunk_id in opening & reports]
    if len(ranked) >= 2 and summary and not any(p.chunk_id in opening for p in ranked):
        # The abstract takes the place of the weakest passage outside the results: the
        # Iguchi results' "12.5 mg/kg CHX did not detectably reduce glutathione" was
        # dropped for it while a discussion passage on other studies' doses stayed.
        outside = [i for i, p in enumerate(ranked) if not _RESULTS_SECTION.search(p.section)]
        ranked[outside[-1] if outside else -1] = summary[0]
    scores = relevance(library, claim, ranked)
    return [
        p
        for i, (p, s) in enumerate(zip(ranked, scores, strict=True))
        if i == 0 or s >= options.min_relevance
    ]
