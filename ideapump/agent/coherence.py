"""Facts the code knows, which a model's proposal or critique may not contradict.

Proposals (:func:`proposal_problems`): a design must name at least two distinct
conditions that are manipulations (not the names of a paper's computational
models, analyses or measures, not "Group 1 / Group 2"), at least one control
that is not itself one of the conditions, and a primary measure; and it must say
one thing about who does which condition (not "within-subject" and "randomly
assigned to either ..."), with the other fields agreeing (no "placebo group" in a
within-subject design, no counterbalanced order between subjects). A draft that
breaks a rule is sent back once with the problems named, then dropped.
:func:`within_subject` reads the design so that the power analysis follows it.

Proposal text is claim-checked (:func:`check_proposal`): the rationale, which
states what the literature found, must pass the whole claim check against the
cited passages (a work it names included); in every other field a number must occur in a cited passage
(a hypothesis or an expected result states a direction nobody has observed yet).

Critique (:func:`contradicts_facts`): a model-written point may not deny what
the paper's own text establishes (randomised, placebo-controlled, blinded, a
stated sample size; see :mod:`ideapump.agent.papers`) or misstate the
statistics auditor's findings; such a point is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ideapump.grounding.claims import check_sentence, check_text
from ideapump.grounding.normalize import quote_key
from ideapump.grounding.quotes import sentences
from ideapump.results import PaperProfile, ProposalDraft

# What a condition must not be: a model's name, an analysis, a measure.
_NOT_MANIPULATION = re.compile(
    r"\b(?:models?|winners?|(?:first|second|third|fourth|last) place|runner-?up|analys[ie]s|"
    r"regressions?|outcomes?|dependent variables?|hypothes[ie]s|parameters?|scores?|"
    r"results?|fit|best[- ]fitting)\b",
    re.I,
)
_PLACEHOLDER_WORDS = re.compile(
    r"\b(?:condition|conditions|group|groups|arm|arms|level|levels|cond|experimental|"
    r"[a-h]|[ivx]+|\d+|one|two|three|four)\b",
    re.I,
)
# Conditions that say only which arm is which: "control" vs "treatment" (from the 1.5B
# model's proposal for "how does noradrenaline shape exploration?"). One of them beside a
# named manipulation is fine ("atomoxetine" vs "control").
_GENERIC_ARM = re.compile(
    r"\b(?:controls?|treatments?|interventions?|active|comparisons?|standard|usual|"
    r"conditions?|groups?|arms?|experimental)\b",
    re.I,
)
_WITHIN = re.compile(
    r"within[\s-]*(?:subjects?|participants?)|repeated[\s-]*measures?|cross-?over|"
    r"counterbalanced order|each participant (?:completes|performs|receives|does|takes part in) "
    r"(?:all|both|every|each)",
    re.I,
)
# Randomising the order of conditions is within-subject: "randomly assigned to one of two
# orders" puts no one in a single condition.
_NOT_ORDER = r"(?!\s*(?:\w+\s+){0,4}?(?:orders?|sequences?|orderings?)\b)"
_BETWEEN = re.compile(
    rf"between[\s-]*(?:subjects?|groups?|participants?)|randomi[sz]ed to{_NOT_ORDER}|"
    rf"(?:randomly )?(?:assigned|allocated) to (?:(?:receive|get|take|be given) )?"
    rf"(?:either|one of|a single){_NOT_ORDER}|"
    # "two groups of participants: one group will receive a placebo, and the other ..."
    r"\b(?:one|each|the other) group (?:will )?(?:receives?|gets?|is given|takes?)\b",
    re.I,
)
#: What a repaired design says about who does which condition: a choice, not free text.
#: Asked to say one thing, the 1.5B model wrote "within-subject ... randomly assigned to
#: either" again (bench/propose_drafts.py); each of these matches one reading only.
DESIGN_MENU = (
    "Within-subject: every participant does every condition, in counterbalanced order.",
    "Between-subjects: each participant is randomly assigned to one condition.",
)
# Controls that only a within-subject design has: an order to counterbalance, sessions to
# wash out between.
_WITHIN_ONLY_CONTROL = re.compile(
    r"\border of (?:the )?conditions\b|\bcounterbalanc\w*|\bwash-?out\b", re.I
)


def _key(text: str) -> str:
    return quote_key(text)


def manipulations(conditions: Sequence[str]) -> list[str]:
    """The distinct conditions that name something an experimenter varies."""
    out: list[str] = []
    seen: set[str] = set()
    for c in conditions:
        key = _key(c)
        if not key or key in seen:
            continue
        rest = _PLACEHOLDER_WORDS.sub(" ", c)
        if _NOT_MANIPULATION.search(c) or not re.search(r"[A-Za-z]{2,}", rest):
            continue  # a model's name, or a label: "Group 1", "A", "M"
        seen.add(key)
        out.append(c.strip())
    return out


# What the 1.5B model writes when it has no control: "none" (seen in bench/llm_path.py).
# Or that nothing else is done: "No other manipulations", "No additional stimuli" (a kept
# draft in bench/propose_drafts.py). "No-treatment group" names a control, and passes.
_NO_CONTROL = re.compile(
    r"(?:none|n/?a|no(?:ne| control)?s?|not applicable|-+|\(none\)|"
    r"no (?:other|additional|further|extra|more) [\w\s-]+)\.?",
    re.IGNORECASE,
)


# A control that names no one thing held constant or compared against: "control group",
# "all participants" (both from the 1.5B model's proposals). "healthy controls" or "a
# placebo control group" name what the control is, and pass.
_EMPTY_CONTROL = re.compile(
    r"(?:(?:a|an|the|all|every)\s+)*(?:control(?:s|\s+(?:groups?|conditions?|arms?|"
    r"participants|subjects))?|participants|subjects|groups?|same\s+participants)\.?",
    re.IGNORECASE,
)


def proposal_problems(d: ProposalDraft) -> list[str]:
    """What makes ``d`` incoherent as an experiment, in words the model can act on."""
    return list(proposal_faults(d).values())


def proposal_faults(d: ProposalDraft) -> dict[str, str]:
    """The fields of ``d`` that break a design rule, each with the rule it breaks."""
    problems: dict[str, str] = {}
    conditions = manipulations(d.conditions)
    concrete = [c for c in conditions if re.search(r"[A-Za-z]{2,}", _GENERIC_ARM.sub(" ", c))]
    if len(conditions) < 2 or not concrete:
        problems["conditions"] = (
            "conditions must name at least two different manipulations the experimenter "
            "sets (e.g. drug vs placebo, long vs short horizon), not models, analyses, "
            "measures, 'Group 1/Group 2' or only 'control' and 'treatment'"
        )
    cond_keys = {_key(c) for c in d.conditions}
    controls = [
        c
        for c in d.controls
        if _key(c)
        and _key(c) not in cond_keys
        and not _NO_CONTROL.fullmatch(c.strip())
        and not _EMPTY_CONTROL.fullmatch(c.strip())
    ]
    if not controls:
        # Named: told only the rule, the 1.5B model gave the condition back as the control.
        same = [repr(c.strip()) for c in d.controls if _key(c) in cond_keys]
        named = (
            f"; {same[0]} is a condition, not a control"
            if len(same) == 1
            else f"; {', '.join(same)} are conditions, not controls"
            if same
            else ""
        )
        problems["controls"] = (
            "controls must name at least one control that is not one of the conditions "
            "and says what it is (a matched placebo, a baseline, a counterbalanced order ...), "
            "not just 'control group' or 'all participants'" + named
        )
    if not re.search(r"[A-Za-z]{3,}", d.design):
        # Emptied by the claim check (its numbers were in no cited passage), or never
        # written: nothing says who does which condition, which the power analysis needs.
        problems["design"] = (
            "design must say in one sentence whether every participant does every "
            "condition (within-subject) or each group does one (between-subjects)"
        )
    for name, fault in _design_faults(d).items():
        problems.setdefault(name, fault)
    measure = _key(d.primary_measure)
    if (
        not measure
        or measure in cond_keys
        or len(re.findall(r"[A-Za-z]{2,}", d.primary_measure)) < 1
    ):
        problems["primary_measure"] = "primary_measure must name one outcome that is measured"
    return problems


_COMPARING = ("hypothesis", "expected_if_true", "expected_if_false")


def _condition_groups(d: ProposalDraft) -> re.Pattern[str] | None:
    """ "the placebo group", "those in the noradrenaline arm": a condition named as a group."""
    words = {
        w.lower()
        for c in manipulations(d.conditions)
        for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", _GENERIC_ARM.sub(" ", c))
    }
    if not words:
        return None
    names = "|".join(map(re.escape, sorted(words)))
    return re.compile(
        rf"(?:\bthose\s+)?(?P<in>\bin\s+)?(?:\bthe\s+)?\b(?P<cond>{names})\s+(?:groups?|arms?)\b",
        re.I,
    )


def conditions_not_groups(d: ProposalDraft) -> ProposalDraft:
    """``d`` with "than those in the placebo group" read as "than in the placebo condition"
    where its design is within-subject.

    Asked twice to compare conditions, the 1.5B model wrote "the placebo group" again in
    2 of 8 drafts (bench/propose_drafts.py), and the draft was dropped. In a
    within-subject design a condition named as a group means the condition, so the
    words are changed instead: the comparison, its direction and its numbers stay.
    """
    group = _condition_groups(d) if within_subject(d.design) else None
    if group is None:
        return d

    def condition(m: re.Match[str]) -> str:
        return f"{m['in'] or ''}the {m['cond']} condition"

    return d.model_copy(
        update={name: group.sub(condition, getattr(d, name)) for name in _COMPARING}
    )


def _design_faults(d: ProposalDraft) -> dict[str, str]:
    """Fields that contradict the design's own answer to "who does which condition".

    From the quick start's proposal (1.5B model): "a within-subject experiment with
    participants who are randomly assigned to receive either a placebo or ...", then "more
    random explorations than those in the placebo group". The power analysis and the
    control menu follow the design, so it must say one thing, and the rest must agree.
    """
    faults: dict[str, str] = {}
    within, between = bool(_WITHIN.search(d.design)), bool(_BETWEEN.search(d.design))
    if within and between:
        faults["design"] = (
            "design says both that every participant does every condition (within-subject) "
            "and that each participant is assigned to one condition; say only one of them"
        )
        return faults
    if within:
        group = _condition_groups(d)
        if group is not None:
            for name in _COMPARING:
                found = group.search(getattr(d, name))
                if found:
                    faults[name] = (
                        f"{name} speaks of '{found.group(0)}', but in a within-subject "
                        "design every participant does every condition: compare conditions "
                        "('in the ... condition than in the ... condition'), not groups"
                    )
        if faults:
            faults["design"] = (
                "design says within-subject but the expected results compare groups: "
                "choose the design, and write the expected results to match it"
            )
    elif between:
        only = [c for c in d.controls if _WITHIN_ONLY_CONTROL.search(c)]
        if only:
            faults["controls"] = (
                f"{only[0]!r} needs every participant to do every condition, but the design "
                "assigns each participant to one condition"
            )
    return faults


_INERT = re.compile(r"\b(?:placebo|sham|vehicle|saline|dummy|inactive)\b", re.I)
_DRUG = re.compile(
    r"\b(?:mg|doses?|drugs?|pills?|tablets?|inject\w*|administ\w*|agonists?|antagonists?|"
    r"inhibitors?)\b",
    re.I,
)


def control_menu(d: ProposalDraft) -> list[str]:
    """Standard controls that suit ``d``'s design, for the model to choose from.

    Asked to name a control again, the 1.5B model gave back what failed ("none", the
    placebo condition) in most drafts, so a repair of ``controls`` is a choice from
    this list (the schema allows nothing else), built from the design: counterbalanced
    order within subjects, random allocation between, blinding where a condition is
    inert, a matched placebo where a drug has none, a washout between drug sessions.
    """
    conditions = " ".join(d.conditions)
    within, between = within_subject(d.design), bool(_BETWEEN.search(d.design))
    drug = bool(_INERT.search(conditions) or _DRUG.search(f"{conditions} {d.design}"))
    menu = []
    if within or not between:
        menu.append("the order of conditions counterbalanced across participants")
    if between or not within:
        menu.append("random allocation of participants to conditions")
    if _INERT.search(conditions):
        menu.append("participants and experimenters blind to which condition is given")
    elif drug:
        menu.append("a placebo matched to the active condition in appearance and schedule")
    if drug and not between:
        menu.append("a washout period between sessions so that no condition carries over")
    menu.append("a baseline measurement of the primary measure before the manipulation")
    menu.append("the primary measure scored by someone blind to condition")
    return menu


def repaired_design(choice: str, old: str) -> str:
    """``choice`` (from :data:`DESIGN_MENU`) and the sentences of ``old`` that say
    nothing about who does which condition (the task, the measure), in that order."""
    rest = [t for t in sentences(old, 3) if not _WITHIN.search(t) and not _BETWEEN.search(t)]
    return " ".join([choice, *rest])


def within_subject(design: str) -> bool:
    """True when ``design`` has every participant in every condition."""
    return bool(_WITHIN.search(design)) and not _BETWEEN.search(design)


def check_proposal(
    d: ProposalDraft, sources: Sequence[str], years: Sequence[int] = ()
) -> tuple[ProposalDraft, int]:
    """A copy of ``d`` without the sentences (and list items) the claim check rejects.

    ``years``: the cited documents' years; the rationale may name a work only when it
    is one of them or a cited passage names it.
    """
    d = d.model_copy(deep=True)
    removed = 0
    for name in ("rationale", "hypothesis", "design", "expected_if_true", "expected_if_false"):
        found = name == "rationale"  # what the literature found, not what is proposed
        checked = check_text(
            getattr(d, name), sources, direction=found, years=years if found else None
        )
        removed += len(checked.removed)
        setattr(d, name, checked.text)
    for name in ("conditions", "controls", "risks"):
        items = getattr(d, name)
        kept = [i for i in items if check_sentence(i, sources, direction=False).ok]
        removed += len(items) - len(kept)
        setattr(d, name, kept)
    if not check_sentence(d.primary_measure, sources, direction=False).ok:
        d.primary_measure, removed = "", removed + 1
    return d, removed


# -- critique -----------------------------------------------------------------------

_NEG = r"\b(?:no|not|non|without|lack(?:s|ed|ing)?(?: of)?|absence of|absent|missing|fail(?:s|ed)? to|did not|does not|do not|never)\b"


# A criticism that asks for a different kind of control ("lacks an active control") does
# not deny that the paper is placebo-controlled.
_QUALIFIED = re.compile(
    r"\b(?:active|additional|further|another|other|behaviou?ral|no-?treatment|wait-?list|"
    r"attention|sham|positive|negative|separate|second|better|proper|adequate|more)\b",
    re.I,
)


class _Denial:
    """A negation up to four words before a topic word, or "un-"/"non-" on it."""

    def __init__(self, topic: str) -> None:
        self.pattern = re.compile(
            rf"{_NEG}(?P<between>\W+(?:\w+\W+){{0,4}}?)(?:{topic})|\b(?:un|non-?)(?:{topic})",
            re.I,
        )

    def search(self, text: str) -> bool:
        return any(
            not _QUALIFIED.search(m.group("between") or "") for m in self.pattern.finditer(text)
        )


class _Phrase:
    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern, re.I)

    def search(self, text: str) -> bool:
        return bool(self.pattern.search(text))


_DENIALS: Mapping[str, tuple[_Denial | _Phrase, ...]] = {
    "randomized": (_Denial(r"randomi[sz]\w*|random(?:ly)? (?:assign|allocat)\w*"),),
    "randomized controlled trial": (_Denial(r"randomi[sz]\w*|control\w*"),),
    "placebo-controlled": (_Denial(r"placebo\w*|control(?:s|led| groups?| conditions?)?\b"),),
    "double-blind": (_Denial(r"blind\w*"), _Phrase(r"\bopen[- ]label\b")),
}
_SAMPLE_UNKNOWN = re.compile(
    r"sample size (?:is |was )?(?:not |never |un)(?:reported|stated|given|specified|known|clear)|"
    rf"{_NEG}\W+(?:\w+\W+){{0,4}}?(?:sample size|number of participants)",
    re.I,
)
_STATS_CLEAN = re.compile(
    r"\bno (?:statistical )?(?:errors?|inconsistenc\w+|problems?)\b|"
    r"\b(?:statistics|p-values|results|tests) (?:are|were) (?:all )?(?:consistent|correct|accurate)",
    re.I,
)
_STATS_BAD = re.compile(
    r"\b(?:inconsistent|miscalculat\w+|incorrect|wrong|erroneous)\b[^.]{0,40}"
    r"\b(?:statistic|p-value|test|result)s?\b|\b(?:statistical|reporting) errors?\b",
    re.I,
)


# What a review may not deny about the proposal it reviews: the quick start's review of a
# proposal with a primary measure listed "add control: the primary measure is not specified".
_MEASURE = r"primary (?:measure|outcome)s?|outcome measures?|dependent variables?"
_DRAFT_DENIALS: Mapping[str, tuple[_Denial | _Phrase, ...]] = {
    "primary_measure": (
        _Denial(_MEASURE),
        _Phrase(rf"\b(?:{_MEASURE}) (?:is|are|was|were) (?:not|never|un)\w*"),
    ),
    "controls": (
        # "no control for caffeine intake" names something to control: a fair point
        _Denial(r"control(?:s| groups?| conditions?)?\b(?!\s+(?:for|of|over|on)\b)"),
        _Phrase(r"\bcontrols? (?:groups? |conditions? )?(?:is|are) (?:not|never|un|missing)\w*"),
    ),
}


def denies_draft(text: str, d: ProposalDraft) -> str | None:
    """The field of ``d`` that ``text`` (a review point) says is missing, or None."""
    for name, patterns in _DRAFT_DENIALS.items():
        if getattr(d, name) and any(p.search(text) for p in patterns):
            return name
    return None


def contradicts_facts(
    text: str, profile: PaperProfile | None, counts: Mapping[str, int]
) -> str | None:
    """The design or audit fact ``text`` contradicts, in words, or None."""
    design = set(profile.design) if profile else set()
    for fact, patterns in _DENIALS.items():
        if fact in design and any(p.search(text) for p in patterns):
            return f"the paper is {fact}"
    if profile and profile.sample_size and _SAMPLE_UNKNOWN.search(text):
        return f"the paper states its sample size (N = {profile.sample_size})"
    problems = counts.get("decision_error", 0) + counts.get("inconsistent", 0)
    if counts.get("total", 0) and problems and _STATS_CLEAN.search(text):
        return f"the statistics auditor found {problems} problem(s)"
    if counts.get("total", 0) and not problems and _STATS_BAD.search(text):
        return "the statistics auditor found every checkable test consistent"
    return None
