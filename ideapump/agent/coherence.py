"""Facts the code knows, which a model's proposal or critique may not contradict.

Proposals (:func:`proposal_problems`): a design must name at least two distinct
conditions that are manipulations (not the names of a paper's computational
models, analyses or measures, not "Group 1 / Group 2"), at least one control
that is not itself one of the conditions, and a primary measure; and it must say
one thing about who does which condition (not "within-subject" and "randomly
assigned to either ..."), with the controls agreeing (no counterbalanced order
between subjects, no random allocation to conditions within). A draft that breaks
a rule is sent back once with the problems named, then dropped; a design is then
chosen from :data:`DESIGN_MENU`. In a within-subject design a condition named as a
group is read as the condition (:func:`conditions_not_groups`). A design that says
neither is a fault too, and so is an expected result left with nothing to say.
:func:`within_subject` reads the design so that the power analysis follows it.
:func:`same_experiment` tells when two drafts of one request are one experiment.

Proposal text is claim-checked (:func:`check_proposal`): the rationale, which
states what the literature found, must pass the whole claim check against the
cited passages (a work it names included); in every other field a number must occur in a cited passage
(a hypothesis or an expected result states a direction nobody has observed yet), and
an expected result may not say what is already known ("X is known to affect Y").

What a critique or a review may not deny is in :mod:`.denials`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ideapump.grounding.claims import check_sentence, check_text, split_sentences
from ideapump.grounding.normalize import quote_key, terms
from ideapump.grounding.quotes import sentences
from ideapump.results import ProposalDraft

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
    rf"between[\s-]*(?:subjects?|groups?|participants?)|parallel[\s-]*groups?|"
    rf"randomi[sz]ed to{_NOT_ORDER}|"
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
# And one that only a between-subjects design has: chosen from the menu of a design that
# said both, then kept after the design was repaired to within-subject (propose_drafts).
_BETWEEN_ONLY_CONTROL = re.compile(
    rf"\brandom(?:ly)? (?:allocat\w*|assign\w*) (?:of )?(?:participants |subjects )?to "
    rf"(?:the )?(?:conditions|groups){_NOT_ORDER}",
    re.I,
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
    if not (_WITHIN.search(d.design) or _BETWEEN.search(d.design)):
        # Emptied by the claim check (its numbers were in no cited passage), never written,
        # or silent on it ("We will measure value-free random exploration ...", a kept
        # draft in bench/propose_drafts.py): the power analysis needs to know who does
        # which condition, and would otherwise assume groups without saying so.
        problems["design"] = (
            "design must say in one sentence whether every participant does every "
            "condition (within-subject) or each participant does one (between-subjects)"
        )
    for name, fault in _design_faults(d).items():
        problems.setdefault(name, fault)
    for name in ("expected_if_true", "expected_if_false"):
        if not re.search(r"[A-Za-z]{3,}", getattr(d, name)):
            # Emptied by the claim check (a sentence of what is known, or a number no
            # passage gives): shown empty, it tells the researcher nothing.
            problems[name] = f"{name} must say what this experiment will show " + (
                "if the hypothesis is true" if name.endswith("true") else "if it is false"
            )
    measure = _key(d.primary_measure)
    if (
        not measure
        or measure in cond_keys
        or len(re.findall(r"[A-Za-z]{2,}", d.primary_measure)) < 1
    ):
        problems["primary_measure"] = "primary_measure must name one outcome that is measured"
    return problems


_COMPARING = ("hypothesis", "expected_if_true", "expected_if_false")
# A control that fits only the other design, by whether the design is within-subject.
_WRONG_CONTROL = {
    True: (
        re.compile(f"{_BETWEEN_ONLY_CONTROL.pattern}|{_BETWEEN.pattern}", re.I),
        "gives each participant one condition, but in this within-subject design every "
        "participant does every condition",
    ),
    False: (
        _WITHIN_ONLY_CONTROL,
        "needs every participant to do every condition, but the design assigns each "
        "participant to one condition",
    ),
}


_GROUP_WORD = re.compile(r"\s+(?:groups?|arms?)\s*$", re.I)


def _condition_groups(d: ProposalDraft) -> re.Pattern[str] | None:
    """A condition named as a group: "the placebo group", "those in the drug arm".

    A condition's whole name comes first ("noradrenaline administration group" is one
    condition, not "administration"), then its single words ("the drug group" for
    "drug administration").
    """
    names: set[str] = set()
    for c in manipulations(d.conditions):
        words = re.findall(r"[A-Za-z][A-Za-z-]{2,}", _GENERIC_ARM.sub(" ", c))
        if words:
            names.add(r"\s+".join(map(re.escape, words)))
            names.update(re.escape(w) for w in words)
    if not names:
        return None
    alternatives = "|".join(sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?:\bthose\s+(?=in\s))?(?P<in>\bin\s+)?(?P<the>\bthe\s+)?"
        rf"\b(?P<cond>{alternatives})\s+(?:groups?|arms?)\b",
        re.I,
    )


def conditions_not_groups(d: ProposalDraft) -> ProposalDraft:
    """``d`` with "than those in the placebo group" read as "than in the placebo condition"
    where its design is within-subject, and a condition "placebo group" as "placebo".

    Asked twice to compare conditions, the 1.5B model wrote "the placebo group" again in
    2 of 8 drafts (bench/propose_drafts.py), and the draft was dropped. In a
    within-subject design a condition named as a group means the condition, so the
    words are changed instead: the comparison, its direction and its numbers stay.
    """
    group = _condition_groups(d) if within_subject(d.design) else None
    if group is None:
        return d

    def condition(m: re.Match[str]) -> str:
        return f"{m['in'] or ''}{m['the'] or ''}{m['cond']} condition"

    # The design and the risks too: after a design chosen from the menu, the quick start
    # read "Within-subject: every participant does every condition ... In the placebo
    # group, participants will receive ...".
    update: dict[str, object] = {
        name: group.sub(condition, getattr(d, name)) for name in (*_COMPARING, "design")
    }
    update["risks"] = [group.sub(condition, r) for r in d.risks]
    update["conditions"] = [_GROUP_WORD.sub("", c) or c for c in d.conditions]
    return d.model_copy(update=update)


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
    if within or between:
        wrong, why = _WRONG_CONTROL[within]
        only = [c for c in d.controls if wrong.search(c)]
        if only:
            faults["controls"] = f"{only[0]!r} {why}"
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
        if any(name in faults for name in _COMPARING):
            faults["design"] = (
                "design says within-subject but the expected results compare groups: "
                "choose the design, and write the expected results to match it"
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


# A condition that is the comparison, not what is varied.
_CONTROL_ARM = re.compile(
    rf"{_INERT.pattern}|\bcontrols?\b|\bbaseline\b|\busual care\b|"
    r"\bno (?:treatment|intervention|drug|manipulation|exercise)\b",
    re.I,
)


def _varied(d: ProposalDraft) -> tuple[list[set[str]], int]:
    """The content words of each condition that is varied, and how many are comparisons."""
    conditions = manipulations(d.conditions)
    arms = [c for c in conditions if not _CONTROL_ARM.search(c)]
    return [terms(_GENERIC_ARM.sub(" ", c)) for c in arms], len(conditions) - len(arms)


def same_experiment(a: ProposalDraft, b: ProposalDraft) -> bool:
    """True when ``b`` varies what ``a`` varies, against as many comparisons, and measures
    the same outcome or has ``a``'s title.

    Told the titles already proposed, the 1.5B model still drafted "Effect of
    Noradrenaline on Exploration Strategies in Adult Rats" twice in one ``propose -n 3``
    (noradrenaline against placebo, then against no treatment), and both were shown.
    """
    (arms_a, controls_a), (arms_b, controls_b) = _varied(a), _varied(b)
    if not arms_a or len(arms_a) != len(arms_b) or controls_a != controls_b:
        return False

    def matched(x: list[set[str]], y: list[set[str]]) -> bool:
        return all(any(u and v and (u <= v or v <= u) for v in y) for u in x)

    if not (matched(arms_a, arms_b) and matched(arms_b, arms_a)):
        return False
    return _key(a.title) == _key(b.title) or bool(
        terms(a.primary_measure) & terms(b.primary_measure)
    )


def repaired_design(choice: str, old: str) -> str:
    """``choice`` (from :data:`DESIGN_MENU`) and the sentences of ``old`` that say
    nothing about who does which condition (the task, the measure), in that order."""
    rest = [t for t in sentences(old, 3) if not _WITHIN.search(t) and not _BETWEEN.search(t)]
    return " ".join([choice, *rest])


def within_subject(design: str) -> bool:
    """True when ``design`` has every participant in every condition."""
    return bool(_WITHIN.search(design)) and not _BETWEEN.search(design)


# What the literature shows, said in an expected result: "amisulpride is known to affect
# exploration strategies in rats" (the quick start's proposal). An expected result says
# what this experiment will show; what is known belongs in the rationale, which is
# checked against the cited passages as a finding. The claim check lets such a sentence
# through where it states no number.
_KNOWN = re.compile(
    r"\b(?:is|are|was|were|has been|have been)\s+(?:well[\s-]+|widely\s+)?"
    r"(?:known|established|documented|reported|shown|demonstrated)\s+(?:to|that)\b|"
    r"\b(?:previous|prior|earlier|past|other)\s+(?:studies|research|work|findings)\b|"
    r"\b(?:studies|research|literature)\s+(?:has|have)\s+(?:shown|found|reported|demonstrated)\b",
    re.I,
)


def check_proposal(
    d: ProposalDraft, sources: Sequence[str], years: Sequence[int] = ()
) -> tuple[ProposalDraft, int]:
    """A copy of ``d`` without the sentences (and list items) the claim check rejects.

    ``years``: the cited documents' years; the rationale may name a work only when it
    is one of them or a cited passage names it.
    """
    d = d.model_copy(deep=True)
    removed = 0
    for name in ("expected_if_true", "expected_if_false"):
        said = split_sentences(getattr(d, name))
        kept = [t for t in said if not _KNOWN.search(t)]
        if len(kept) < len(said):
            removed += len(said) - len(kept)
            setattr(d, name, " ".join(kept))
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
