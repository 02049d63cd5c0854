"""``weigh(claim)``: the library's evidence on a claim, paper by paper, with a verdict by rules.

The steps (each code, except the two marked *model*):

1. **Papers** (:mod:`.weigh_papers`). Retrieval finds each paper's best passage (one per paper, up to
   ``2 x max_papers`` papers); every paper found is listed in the report's
   table. Papers whose best passage is below ``min_relevance`` or more than
   ``relevance_margin`` below the best paper's are listed with that reason and
   not used; at most ``max_papers`` are used.
2. **Passages per paper.** For each used paper, the ``passages_per_paper``
   passages whose sentences best report a result on the claim, among its own best
   passages by retrieval and its abstract (:func:`.weigh_papers.paper_passages`), so a claim
   touching 30 papers reads 30 papers, not the top-k passages of three.
3. **Stance** (*model*, one call per passage, the claim and that passage only),
   cross-checked by direction words (:mod:`ideapump.evidence.stance`).
4. **Effects** read from each passage by code (:mod:`ideapump.evidence.effects`,
   the auditor's parser and recomputation); a model-proposed effect counts
   only when its numbers are in the passage. Design and N per paper from its
   text (:mod:`ideapump.agent.papers`).
5. **Pooling** where >= 2 papers report comparable effects
   (:mod:`ideapump.evidence.pool`), and the **verdict** by the stated rules of
   :mod:`ideapump.evidence.verdict`.
6. **Summary** (*model*, :mod:`.weigh_summary`): sentences written from a digest of
   1-5, in batches that fit the context; a sentence whose numbers are not in the digest is dropped
   (``unsupported_removed``). Each sentence names the table rows it rests on,
   so a sentence-level claim check can drop sentences one by one.

:func:`weigh_stream` yields :class:`WeighProgress` events and finally the
:class:`EvidenceReport`; :func:`weigh` returns the report.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ideapump.agent.causes import cause, cause_words, head_of
from ideapump.agent.design import CONTROL_ARM
from ideapump.agent.grounding import (
    AgentOptions,
    Evidence,
    closest_sentence,
)
from ideapump.agent.papers import paper_profile
from ideapump.agent.weigh_papers import WeighOptions, find_papers, paper_passages
from ideapump.agent.weigh_summary import fallback_summary, summarize
from ideapump.errors import InputError, LLMOutputError
from ideapump.evidence.effects import check_proposal, extract_effects, with_source
from ideapump.evidence.models import Effect
from ideapump.evidence.pool import orient, pool
from ideapump.evidence.stance import Stance, judge
from ideapump.evidence.verdict import PaperVote, decide, paper_stance
from ideapump.grounding.evidence import opening_passages
from ideapump.grounding.normalize import content_words, terms
from ideapump.results import (
    EvidenceReport,
    PaperProfile,
    PassageStance,
    WeighedPassage,
    WeighProgress,
)

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel
    from ideapump.models import Passage

NOTHING = "The library has nothing relevant to this claim; I cannot weigh it."


def about_claim(effects: list[Effect], claim: str) -> list[Effect]:
    """``effects`` without those comparing arms the claim does not name, where others do;
    the claim's arm against a control first.

    Dubois et al. report "placebo vs propranolol", "amisulpride vs propranolol" and
    "placebo vs amisulpride" in one passage, and all three were listed as effects on a
    claim about propranolol. Where no comparison names the claim's words (a claim on
    noradrenaline, a paper on propranolol), all stay: the words cannot tell.
    """
    effects = [e for e in effects if not e.factor or names_factor(claim, e.factor)]
    wanted = terms(claim)
    if not any(terms(e.comparison) & wanted for e in effects if e.comparison):
        return effects
    kept = [e for e in effects if not e.comparison or terms(e.comparison) & wanted]
    return sorted(kept, key=lambda e: not CONTROL_ARM.search(e.comparison))


# Factors that are what a study varies, whatever a claim calls it ("drug main effect" for a
# claim on propranolol).
_TREATMENT = frozenset(
    ["drug", "group", "groups", "condition", "treatment", "intervention", "arm", "manipulation"]
)


def names_factor(claim: str, factor: str) -> bool:
    """True when ``claim`` is about the ANOVA term ``factor``: one of its factors is the
    treatment or a word of the claim. Weighing "the drug groups differed in the novelty
    bonus", the table showed a consistency passage's "horizon main effect: F(1, 54) =
    1.333" as the paper's effect, and pooled it."""
    said = {w[:5] for w in re.findall(r"[a-z]+", claim.lower())}
    parts = [w for w in re.split(r"[- ]by[- ]|\s+(?:and|by|x|×)\s+", factor.lower()) if w]
    return any(p in _TREATMENT or p[:5] in said for p in parts)


#: The most words of what a claim says acts that :func:`not_studied` requires.
MAX_CAUSE_WORDS = 3


def not_studied(library: Library, claim: str, doc_ids: Sequence[str]) -> dict[str, str]:
    """Why each paper of ``doc_ids`` whose title and abstract never name a word of what
    ``claim`` says acts, while another paper's do, did not study the claim; by doc id.

    Weighing "Online health behaviour interventions improve the health behaviour of
    students", a school-based implementation-intentions study (Peach et al.) was read as
    contradicting it: its abstract never says "online", which the U@Uni trial's and the
    web-based hand hygiene trial's do. A word no paper names (a synonym the papers do
    not use) or every paper names tells nothing, and is not required.
    """
    head = head_of(cause(claim) or "")
    words = cause_words(head)
    if not words or len(words) > MAX_CAUSE_WORDS or len(doc_ids) < 2:
        return {}  # a long "cause" is a sentence read wrong more often than a qualifier
    texts = {}
    for doc_id in doc_ids:
        front = [library.get(doc_id).title, *(p.quote for p in opening_passages(library, doc_id))]
        texts[doc_id] = content_words(" ".join(front))
    out = {}
    for word in sorted(words):
        naming = [d for d in doc_ids if word in texts[d]]
        if not naming or len(naming) == len(doc_ids):
            continue
        spelt = next((w for w in re.findall(r"[\w-]+", head) if word in content_words(w)), word)
        for doc_id in doc_ids:
            if doc_id not in out and doc_id not in naming:
                out[doc_id] = (
                    f"its title and abstract never say {spelt!r} (the claim is about {head!r}), "
                    f"which those of {len(naming)} other paper(s) read here do: not about it"
                )
    return out


def _effects(
    passage: Passage,
    stance: Stance,
    proposal: Any,
    profile: PaperProfile,
    alpha: float,
    claim: str,
) -> list[Effect]:
    paired = "within-subject" in profile.design
    found = extract_effects(
        passage.quote, page=passage.page, n=profile.sample_size, paired=paired, alpha=alpha
    )
    if not found and proposal is not None:
        checked = check_proposal(
            proposal.measure,
            proposal.value,
            proposal.ci_low,
            proposal.ci_high,
            passage.quote,
            n=profile.sample_size,
            page=passage.page,
        )
        found = [checked] if checked is not None else []
    found = with_source(
        about_claim(found, claim),
        doc_id=passage.doc_id,
        title=passage.title,
        chunk_id=passage.chunk_id,
    )
    return [orient(e, stance.stance) for e in found]


def weigh_stream(
    library: Library,
    llm: ChatModel,
    claim: str,
    *,
    options: AgentOptions | None = None,
    weigh_options: WeighOptions | None = None,
    doc_ids: Sequence[str] | None = None,
) -> Iterator[WeighProgress | EvidenceReport]:
    """Progress events while weighing, then the report (see the module docstring)."""
    started = time.perf_counter()
    options = options or AgentOptions()
    wo = weigh_options or WeighOptions()
    claim = claim.strip()
    if not claim:
        raise InputError("the claim is empty")
    if not 1 <= wo.max_papers <= 100 or not 1 <= wo.passages_per_paper <= 10:
        raise InputError("max_papers must be 1-100 and passages_per_paper 1-10")
    rows = find_papers(library, claim, options, wo, doc_ids)
    used = [r for r in rows if r.used]
    yield WeighProgress(
        stage="papers",
        done=len(used),
        total=len(rows),
        message=f"{len(rows)} papers found, {len(used)} relevant",
    )
    report = EvidenceReport(claim=claim, papers_considered=rows)
    for n, row in enumerate(rows, 1):
        row.n = n
    if not used:
        report.abstained, report.summary = True, NOTHING
        report.seconds = round(time.perf_counter() - started, 3)
        yield report
        return
    evidence = Evidence([], library)
    per_paper: dict[str, list[Passage]] = {}
    for row in used:
        per_paper[row.doc_id] = paper_passages(library, claim, row.doc_id, options, wo)
        for p in per_paper[row.doc_id]:
            evidence.add(p)
    profiles = {row.doc_id: paper_profile(library, row.doc_id, evidence) for row in used}
    report.papers = list(profiles.values())
    total = sum(len(v) for v in per_paper.values())
    elsewhere = not_studied(library, claim, [row.doc_id for row in used])
    alpha = library.settings.stats.alpha
    judged = 0
    all_effects: list[Effect] = []
    votes: list[PaperVote] = []
    for row in used:
        profile = profiles[row.doc_id]
        row.design, row.sample_size = profile.design, profile.sample_size
        stances: list[str] = []
        effects: list[Effect] = []
        for passage in per_paper[row.doc_id]:
            try:
                if row.doc_id in elsewhere:
                    stance, proposal, asked = (
                        Stance(stance="neither", reason=elsewhere[row.doc_id]),
                        None,
                        0,
                    )
                else:
                    stance, answer = judge(llm, claim, passage.quote, passage.title, passage.page)
                    proposal, asked = answer.effect, stance.model_calls
            except LLMOutputError as exc:
                stance = Stance(stance="neither", reason=f"the model's answer was unusable: {exc}")
                proposal, asked = None, 1
            report.model_calls += asked
            judged += 1
            yield WeighProgress(
                stage="stance",
                done=judged,
                total=total,
                message=f"{row.title[:60]}: {stance.stance}",
            )
            found = _effects(passage, stance, proposal, profile, alpha, claim)
            effects += found
            stances.append(stance.stance)
            if stance.partly:
                # support in one clause, no effect in another: the paper is mixed (rule 1)
                stances.append("contradicts")
            quote = closest_sentence(passage.quote, stance.finding or claim)
            citation = evidence.resolve(evidence.add(passage), quote, claim)
            if citation is None:
                continue
            report.passages.append(
                PassageStance(
                    paper=row.n,
                    citation=citation,
                    effects=found,
                    **stance.model_dump(),
                )
            )
            if row.citation is None or (stance.stance != "neither" and row.stance == "neither"):
                row.citation, row.finding = citation, stance.finding
            bucket = {"supports": report.supporting, "contradicts": report.contradicting}.get(
                stance.stance, report.neutral
            )
            bucket.append(
                WeighedPassage(
                    stance="neutral" if stance.stance == "neither" else stance.stance,
                    note="; ".join(x for x in (stance.finding, stance.reason) if x),
                    citation=citation,
                )
            )
            row.stance = paper_stance(stances)
        row.stance = paper_stance(stances)
        row.effects = len(effects)
        row.flagged = sum(1 for e in effects if e.flagged)
        first = next(
            (e for e in effects if e.oriented is not None), effects[0] if effects else None
        )
        if first is not None:
            row.effect = (
                f"{first.reported} ({first.measure} {first.value:.3g}"
                + (f", {first.comparison}" if first.comparison else "")
                + (f", audit: {first.audit}" if first.flagged else "")
                + ")"
            )
        all_effects += effects
        votes.append(
            PaperVote(row.doc_id, row.stance, profile.design, profile.sample_size, tuple(effects))
        )
    report.effects = all_effects
    report.pooled, report.pooling_note = pool(all_effects)
    decision = decide(votes, report.pooled)
    report.verdict, report.confidence, report.rules = (
        decision.verdict,
        decision.confidence,
        decision.rules,
    )
    sup = [r.title for r in used if r.stance == "supports"]
    con = [r.title for r in used if r.stance == "contradicts"]
    if sup and con:
        report.contradictions = [
            f"{len(sup)} paper(s) support the claim (e.g. {sup[0]}) while {len(con)} contradict it "
            f"(e.g. {con[0]})."
        ]
    mixed = [r.title for r in used if r.stance == "mixed"]
    if wo.summary and (sup or con or mixed):
        yield WeighProgress(stage="summary", done=0, total=1, message="writing the summary")
        context_chars = int(getattr(library.settings.llm, "context_size", 8192) * 3)
        report.model_calls += summarize(llm, report, wo, context_chars)
    report.summary = " ".join(s.text for s in report.summary_sentences) or fallback_summary(report)
    report.seconds = round(time.perf_counter() - started, 3)
    yield report


def weigh(
    library: Library,
    llm: ChatModel,
    claim: str,
    *,
    options: AgentOptions | None = None,
    weigh_options: WeighOptions | None = None,
    doc_ids: Sequence[str] | None = None,
    progress: Callable[[WeighProgress], None] | None = None,
) -> EvidenceReport:
    """Weigh ``claim`` against the library (see the module docstring)."""
    for event in weigh_stream(
        library, llm, claim, options=options, weigh_options=weigh_options, doc_ids=doc_ids
    ):
        if isinstance(event, EvidenceReport):
            return event
        if progress is not None:
            progress(event)
    raise AssertionError("weigh_stream ended without a report")  # pragma: no cover
