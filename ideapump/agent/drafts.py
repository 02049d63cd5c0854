"""One proposal draft, from the model's first try to a checked, coherent draft or the
reason there is none (``propose``'s second stage, one candidate at a time).

:func:`candidate` asks for a draft with checked citations
(:func:`~ideapump.agent.grounding.generate_grounded`), claim-checks it against the
passages it cites (:func:`~ideapump.agent.coherence.check_proposal`), holds it to the
design rules of :mod:`.coherence`, and sends the fields that break a rule back to the
model (:func:`repair`: only those fields, controls and a design chosen from menus)
within a bounded number of repairs. :func:`describe` is how a draft is shown to the
model in every later prompt.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, create_model

from ideapump.agent.causes import untested_cause
from ideapump.agent.coherence import (
    check_proposal,
    controls_of,
    failing_as_no_difference,
    if_it_fails,
    null_conditions,
    proposal_faults,
    without_null_design,
)
from ideapump.agent.design import (
    DESIGN_MENU,
    conditions_not_groups,
    control_menu,
    repaired_design,
    unlabelled,
)
from ideapump.agent.grounding import AgentOptions, Evidence, generate_grounded, persona
from ideapump.errors import LLMOutputError, NotFoundError
from ideapump.evidence.findings import plans_or_supposes
from ideapump.grounding.normalize import quote_key
from ideapump.llm import generate_structured
from ideapump.prompts import render_prompt
from ideapump.results import ProposalDraft

if TYPE_CHECKING:
    from ideapump.llm.model import ChatModel


def reasons(faults: dict[str, str]) -> str:
    """The rules a draft breaks, each said once: the final quick start of a session was
    told "Draft 2: the cited passage reports no effect of amisulpride, ...; the cited
    passage reports no effect of amisulpride, ..." (its hypothesis and its conditions
    broke the one rule)."""
    return "; ".join(dict.fromkeys(faults.values()))


def describe(d: ProposalDraft) -> str:
    return "\n".join(
        [
            f"Title: {d.title}",
            f"Hypothesis: {d.hypothesis}",
            f"Design: {d.design}",
            f"Conditions: {'; '.join(d.conditions)}",
            f"Controls: {'; '.join(d.controls)}",
            f"Primary measure: {d.primary_measure}",
        ]
    )


def _cited(draft: ProposalDraft, evidence: Evidence) -> tuple[list[str], list[int]]:
    """The chunks the draft's resolvable citations point at (what its claims may rest
    on) and their documents' years (the works its rationale may name without a passage
    naming them)."""
    chunks = {p.chunk_id: p.quote for p in evidence.passages}
    cited = [c for c in (evidence.resolve(c.n, c.quote) for c in draft.citations) if c]
    years = []
    for doc_id in dict.fromkeys(c.doc_id for c in cited):
        try:
            year = evidence.library.get(doc_id).year if evidence.library else None
        except NotFoundError:
            year = None
        if year is not None:
            years.append(year)
    return list(dict.fromkeys(chunks[c.chunk_id] for c in cited)), years


def with_a_rationale(draft: ProposalDraft, evidence: Evidence) -> ProposalDraft:
    """``draft`` with the findings its citations quote as its rationale, where the claim
    check left it none ("The cited passages report: ...").

    Every sentence of the 1.5B model's rationale was removed in 3 of the 6 drafts the
    quick start dropped in one session ("The passage discusses the role of noradrenaline
    in shaping exploration strategies ..."; "This indicates that noradrenaline plays a
    crucial role ..."), and a re-ask for it came back as vague. The quotes are checked
    findings of the passages cited, verbatim: what the hypothesis rests on, said by the
    papers. A quote of an aim, a conjecture or background (:func:`plans_or_supposes`:
    "We here investigated the effects of ...", a bed rest proposal's) reports nothing,
    so it is not one; without a quote left, the rationale is asked for again.
    """
    if len(re.findall(r"[A-Za-z]{2,}", draft.rationale)) >= 3:
        return draft
    resolved = (evidence.resolve(x.n, x.quote) for x in draft.citations)
    found = (c.quote for c in resolved if c and not plans_or_supposes(c.quote))
    quotes = list(dict.fromkeys(found))[:2]
    if not quotes:
        return draft
    said = " ".join(f"\u201c{q}\u201d" for q in quotes)
    return draft.model_copy(update={"rationale": f"The cited passages report: {said}"})


def candidate(
    llm: ChatModel,
    messages: list[tuple[str, str]],
    evidence: Evidence,
    block: str,
    options: AgentOptions,
    question: str = "",
) -> tuple[ProposalDraft | str, int, int]:
    """One checked, coherent draft (or why there is none), citations removed, sentences
    removed. ``question``: what the researcher asked (a drug its citation found no effect
    of may be the hypothesis only where the question names it)."""
    got = generate_grounded(
        llm,
        messages,
        ProposalDraft,
        evidence,
        citation_retries=options.citation_retries,
        accept=lambda d: bool(d.citations),
        requote=True,
    )
    if not got.draft.citations:
        return "none of its citations quoted a finding from the passage it named", got.removed, 0
    draft, faults, unsupported = got.draft, {}, 0
    repairs, budget = 0, options.coherence_retries
    shown = [p.quote for p in evidence.passages]
    while True:
        # The repair works on the checked draft: the model does not see its unsupported
        # sentences again, and what the check removes adds up over the attempts.
        # (the checks leave the citations as they are: what they cite is read once)
        cited, years = _cited(draft, evidence)
        draft, removed = check_proposal(draft, cited, years, shown)
        draft, null = without_null_design(draft, cited)
        draft = failing_as_no_difference(conditions_not_groups(unlabelled(draft)))
        draft = with_a_rationale(draft, evidence)
        unsupported += removed + null
        faults = proposal_faults(draft)
        # every passage the model was given (the cited ones among them): a bench draft
        # varied amisulpride against placebo for "how does noradrenaline shape
        # exploration?", citing Rogers et al.'s passage, beside Dubois et al.'s "... with
        # no effect of amisulpride", which it had been shown
        for name, fault in null_conditions(draft, shown, question).items():
            faults.setdefault(name, fault)
        for name, fault in untested_cause(draft, shown).items():
            faults.setdefault(name, fault)
        if not faults:
            # What the rules did not count as a control is not shown as one either.
            return (
                draft.model_copy(
                    update={"controls": controls_of(draft), "expected_if_false": if_it_fails(draft)}
                ),
                got.removed,
                unsupported,
            )
        if repairs >= budget:
            break
        if "design" in faults and repairs == 0:
            # A design chosen anew can leave controls that fit only the old one (a
            # counterbalanced order between subjects): one more re-ask, for those.
            budget += 1
        draft = repair(llm, draft, faults, block)
        repairs += 1
    return reasons(faults), got.removed, 0


# Fields a repair may be asked for that describe() leaves out of every other prompt.
_NOT_DESCRIBED = ("expected_if_true", "expected_if_false")


def repair(
    llm: ChatModel, draft: ProposalDraft, faults: dict[str, str], block: str
) -> ProposalDraft:
    """``draft`` with the fields that break a design rule written again by the model.

    Only those fields are asked for (``controls``: about 15 tokens), not the whole
    draft again (about 300 tokens, half a minute on a 2-core CPU); its checked
    citations stay. Controls are chosen from :func:`control_menu`. A reply that
    does not fit leaves the draft as it was, to be dropped. The caller checks the
    result as it checked the draft.
    """
    fields: dict[str, Any] = {
        name: (ProposalDraft.model_fields[name].annotation, ProposalDraft.model_fields[name])
        for name in faults
    }
    choices = ""
    if "controls" in faults:
        menu = control_menu(draft)
        fields["controls"] = (
            list[Literal[tuple(menu)]],  # type: ignore[misc]
            Field(min_length=1, max_length=3, description="1 to 3 of the listed controls"),
        )
        choices = "Choose the controls (1 to 3) from this list, copied exactly:\n" + "\n".join(
            f"- {m}" for m in menu
        )
    if "design" in faults:
        fields["design"] = (
            Literal[DESIGN_MENU],
            Field(description="one of the listed designs, copied exactly"),
        )
        choices += "\nChoose the design from this list, copied exactly:\n" + "\n".join(
            f"- {m}" for m in DESIGN_MENU
        )
    schema = create_model("DesignFix", **fields)
    user = render_prompt(
        "propose_repair",
        documents=block,
        proposal="\n".join(
            [describe(draft)]
            + [f"{name}: {getattr(draft, name)}" for name in faults if name in _NOT_DESCRIBED]
        ),
        problems=reasons(faults),
        fields=", ".join(faults),
        choices=choices,
    )
    try:
        fix = generate_structured(llm, [("system", persona()), ("user", user)], schema)
    except LLMOutputError:
        return draft
    # Each item once: from a menu of five, the 1.5B model chose one control three times.
    update = {
        k: list(dict.fromkeys(v)) if isinstance(v, list) else v for k, v in fix.model_dump().items()
    }
    if "design" in update:
        update["design"] = repaired_design(str(update["design"]), draft.design)
    if "conditions" in update and "controls" in faults:
        # Shown the menu of controls beside a request for conditions, the 1.5B model
        # wrote its items as the conditions too (the README's quick start): they are
        # controls, so they leave the conditions, and a draft with too few left is asked
        # again or dropped for its conditions, not for controls that "are conditions".
        listed = {quote_key(m) for m in menu}
        update["conditions"] = [c for c in update["conditions"] if quote_key(c) not in listed]
    return draft.model_copy(update=update)
