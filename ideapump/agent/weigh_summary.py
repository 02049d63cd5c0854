"""Step 6 of :func:`ideapump.agent.weigh.weigh`: the summary the model writes from what
code decided, and what of it is shown.

The model sees a digest (the verdict by rules, the pooled estimate, one line per paper
read), in batches that fit the context, and writes sentences that name the table rows
they rest on. A sentence is dropped (``unsupported_removed``) when it is a fragment,
repeats an earlier one or its statistics, talks of a pooled estimate that does not
exist, gives a paper (or the evidence) a stance code did not find (or denies one it
found), says the evidence lacks what a paper's line gives, or states a number the digest
does not give.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ideapump.agent.grounding import persona
from ideapump.errors import LLMOutputError
from ideapump.grounding.claims import marker_numbers
from ideapump.grounding.normalize import terms
from ideapump.prompts import render_prompt
from ideapump.results import EvidenceReport, SummaryDraft, SummarySentence

if TYPE_CHECKING:
    from ideapump.agent.weigh_papers import WeighOptions
    from ideapump.llm.model import ChatModel

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)*(?![\w])")


def _numbers(text: str) -> set[str]:
    return {
        n.replace(",", "").rstrip(".").lstrip("-").lstrip("0") or "0" for n in _NUMBER.findall(text)
    }


_SAYS = {
    "supports": re.compile(r"\bsupport(?:s|ed|ing)?\b|\bconfirm(?:s|ed|ing)?\b", re.I),
    "contradicts": re.compile(
        r"\bcontradict(?:s|ed|ing)?\b|\brefut(?:es|ed|ing)\b|\bdisconfirm\w*", re.I
    ),
}
# A stance word after a count ("one of the papers supports", "most of them support") is not
# read: the words cannot tell which paper.
_COUNTED = re.compile(
    r"\b(?:one|two|three|some|most|all|both|several|many|few)\s+of\b|\bonly\s+(?:one|some)\b",
    re.I,
)
# ... nor one after a negation, which says the stance is not taken: "[2, 3] do not support
# the claim", "The evidence does not support the claim", "no paper contradicts it".
# Up to three words before it: "Paper [3], which found no effect, supports the claim"
# supports it.
_NEGATED = re.compile(
    r"(?:\b(?:no|not|none|neither|nor|never)\b|n't\b)\W+(?:[\w-]+\W+){0,3}$", re.I
)
_NO_PAPER = re.compile(r"\b(?:no|none)\b", re.I)
# Clauses of one sentence each say their own thing: "The papers [2, ..., 27] do not support
# the claim, and the papers [1] and [22] contradict the claim."
_CLAUSES = re.compile(r";|,\s*(?:and|but|while|whereas)\s+|\s+(?:while|whereas)\s+", re.I)
_VERDICT_SAYS = {"supports": "supported", "contradicts": "contradicted"}


def misstates_stance(text: str, papers: list[int], report: EvidenceReport) -> str | None:
    """Why ``text`` says the papers it names (``papers`` and its [n] markers), or the
    evidence as a whole, take (or do not take) a stance code did not find (did find);
    None when it does not. Read clause by clause.

    Weighing "the drug groups differed in the novelty bonus ...", the 1.5B model wrote
    "The only paper that supports this claim is [1], which ... found no drug effects on
    other parameters", of a paper code had read as contradicting it (verdict
    "contradicted"). Weighing 27 PubMedQA abstracts on maternal conditions in pregnancy
    (verdict "supported", two papers supporting, none contradicting) it wrote "The
    evidence does not support the claim ..." and "The papers [2, ..., 27] do not support
    the claim, and the papers [1] and [22] contradict the claim."
    """
    clauses = [c for c in _CLAUSES.split(text) if c.strip()]
    for clause in clauses:
        named = set(marker_numbers(clause)) or (set(papers) if len(clauses) == 1 else set())
        why = _misstates(
            clause, named, report, whole=len(clauses) == 1 or bool(_ABOUT_ALL.search(clause))
        )
        if why:
            return why
    return None


_ABOUT_ALL = re.compile(r"\b(?:evidence|overall|literature|the (?:papers|studies))\b", re.I)


def _misstates(clause: str, named: set[int], report: EvidenceReport, whole: bool) -> str | None:
    said = [(k, m) for k, pattern in _SAYS.items() if (m := pattern.search(clause))]
    if len(said) != 1 or _COUNTED.search(clause[: said[0][1].start()]):
        return None
    stance, at = said[0][0], said[0][1].start()
    rows = {r.n: r for r in report.papers_considered if r.used}
    negated = _NEGATED.search(clause[:at])
    if negated:
        took = sorted(n for n in named if n in rows and rows[n].stance == stance)
        if took:
            return f"says [{took[0]}] does not {stance[:-1]} the claim; it was read as {stance}"
        if named or not whole:
            return None
        if _NO_PAPER.search(negated[0]) and any(r.stance == stance for r in rows.values()):
            return f"says no paper {stance} the claim; code read some as {stance}"
        if report.verdict == _VERDICT_SAYS[stance]:
            return f"says the evidence does not {stance[:-1]} the claim; the verdict is {report.verdict}"
        return None
    wrong = sorted(n for n in named if n in rows and rows[n].stance != stance)
    if wrong:
        return f"says [{wrong[0]}] {stance} the claim; it was read as {rows[wrong[0]].stance}"
    if not named and whole and report.verdict != _VERDICT_SAYS[stance]:
        return f"says the evidence {stance} the claim; the verdict is {report.verdict}"
    return None


# A sentence that says the evidence lacks something: "The evidence does not provide
# information on the microbiological culture from the lower genital tract." (the 1.5B
# model's summary of 27 PubMedQA abstracts, one of whose findings is that culture).
_ABSENCE = re.compile(
    r"\b(?:(?:does|do|did)\s+not|doesn't|don't|didn't|fails?\s+to)\s+"
    r"(?:provide|give|include|contain|mention|report|state|offer|say|describe|address)\w*\s+"
    r"(?:any\s+)?(?:(?:information|data|details?|evidence)\s+)?(?:on|about|regarding|of|for)?\s*"
    r"(?P<what>[^.;]+)|"
    r"\bno\s+(?:information|data|details?|evidence)\s+(?:on|about|regarding|of|for)\s+(?P<of>[^.;]+)",
    re.I,
)
_GENERIC = frozenset(terms("evidence paper papers study studies information data details claim"))


def denies_given(text: str, lines: list[str]) -> str | None:
    """The digest line that gives what ``text`` says the evidence lacks, or None."""
    m = _ABSENCE.search(text)
    if not m:
        return None
    what = terms(m["what"] or m["of"] or "") - _GENERIC
    if not what:
        return None
    return next((line for line in lines if what <= terms(line)), None)


def _digest(report: EvidenceReport) -> tuple[str, list[str]]:
    """The facts the summary is written from: the verdict lines and one line per used paper."""
    used = [r for r in report.papers_considered if r.used]
    counts = {k: sum(1 for r in used if r.stance == k) for k in ("supports", "contradicts")}
    # Counts in words, not the rules' weights: the 1.5B model parroted "weight 1.5" as a risk.
    head = [
        f"Verdict by rules: {report.verdict} (confidence {report.confidence}). "
        f"{len(used)} papers read: {counts['supports']} support, {counts['contradicts']} "
        f"contradict, the rest neither."
    ]
    if report.pooled is not None:
        f = report.pooled.dl
        head.append(
            f"Pooled {report.pooled.label} over {report.pooled.k} papers: {f.estimate:.2f} "
            f"(95% CI {f.ci_low:.2f} to {f.ci_high:.2f}), I2 {f.i2:.0%}."
        )
    elif report.pooling_note:
        head.append(report.pooling_note)
    lines = []
    for row in report.papers_considered:
        if not row.used:
            continue
        bits = [f"[{row.n}] {row.title}: {row.stance}"]
        bits.append(", ".join(row.design) or "design not stated")
        bits.append(f"N = {row.sample_size}" if row.sample_size else "N not stated")
        if row.effect:
            bits.append(row.effect)
        if row.finding:
            bits.append(f"finding: {row.finding}")
        lines.append("; ".join(bits))
    return "\n".join(head), lines


def _batches(lines: list[str], budget_chars: int) -> list[list[str]]:
    out: list[list[str]] = [[]]
    used = 0
    for line in lines:
        if out[-1] and used + len(line) > budget_chars:
            out.append([])
            used = 0
        out[-1].append(line)
        used += len(line) + 1
    return out


def summarize(llm: ChatModel, report: EvidenceReport, wo: WeighOptions, context_chars: int) -> int:
    """Fill ``report.summary_sentences``; returns the model calls made."""
    head, lines = _digest(report)
    batches = _batches(lines, max(2000, context_chars - len(head) - 2500))
    rows = {r.n: r for r in report.papers_considered if r.used}
    calls = 0
    per_batch = max(1, wo.summary_sentences // len(batches))
    for i, batch in enumerate(batches, 1):
        part = f" (part {i} of {len(batches)} of the papers)" if len(batches) > 1 else ""
        facts = head + "\n\nPapers" + part + ":\n" + "\n".join(batch)
        user = render_prompt(
            "weigh_summary",
            claim=report.claim,
            facts=facts,
            sentences=per_batch + (1 if i == 1 else 0),
        )
        from ideapump.llm import generate_structured

        try:
            draft = generate_structured(llm, [("system", persona()), ("user", user)], SummaryDraft)
        except LLMOutputError:
            continue
        finally:
            calls += 1
        known = _numbers(facts) | _numbers(report.claim)
        seen = {x.text[:60].lower() for x in report.summary_sentences}
        # The statistics each shown sentence states: "The evidence also shows that
        # propranolol reduced ... (F(2, 52) = 4.014, p = 0.024, h2 = 0.134)" followed a
        # sentence with the same statistics, in other words.
        said = [_numbers(x.text) for x in report.summary_sentences]
        for s in draft.sentences:
            text = " ".join(s.text.split())
            if not text:
                continue
            # A fragment (a sentence cut across items), a repeat, or talk of a pooled
            # estimate that does not exist is not shown.
            fragment = not text[0].isupper() or text[-1] not in ".!?"
            numbers = _numbers(text)
            repeat = text[:60].lower() in seen or (
                len(numbers) >= 2 and any(numbers <= earlier for earlier in said)
            )
            phantom = report.pooled is None and "pooled" in text.lower()
            wrong = misstates_stance(text, s.papers, report) or denies_given(text, batch)
            if fragment or repeat or phantom or wrong:
                report.unsupported_removed += 1
                continue
            seen.add(text[:60].lower())
            said.append(numbers)
            papers = [n for n in dict.fromkeys(s.papers) if n in rows]
            stated = {n for n in _numbers(text) if n not in {str(p) for p in s.papers}}
            if not stated <= known:
                report.unsupported_removed += 1
                continue
            cites = [rows[n].citation for n in papers if rows[n].citation is not None]
            report.summary_sentences.append(
                SummarySentence(text=text, papers=papers, citations=cites)
            )
    return calls


def fallback_summary(report: EvidenceReport) -> str:
    used = [r for r in report.papers_considered if r.used]
    sup = sum(1 for r in used if r.stance == "supports")
    con = sum(1 for r in used if r.stance == "contradicts")
    mixed = sum(1 for r in used if r.stance == "mixed")
    # a paper that supports in part is neither count: it is said ("Of 3 papers read, 0
    # support and 0 contradict the claim; the verdict by rules is mixed" left it out)
    both = f", {mixed} {'is' if mixed == 1 else 'are'} mixed" if mixed else ""
    text = (
        f"Of {len(used)} papers read, {sup} support and {con} contradict the claim{both}; "
        f"the verdict by rules is {report.verdict}."
    )
    if report.pooled is not None:
        f = report.pooled.headline
        text += f" Pooled {report.pooled.label}: {f.estimate:.2f} (95% CI {f.ci_low:.2f} to {f.ci_high:.2f})."
    return text
