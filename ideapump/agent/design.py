"""How a proposal lays out its experiment: its conditions, who does which, its controls.

:func:`manipulations` keeps the conditions that name something an experimenter varies.
:func:`within_subject` reads the design so that the power analysis follows it, and
:func:`design_faults` finds the fields that contradict the design's own answer to "who
does which condition". A design that must be chosen anew is chosen from
:data:`DESIGN_MENU` (:func:`repaired_design`), and controls from :func:`control_menu`.
In a within-subject design a condition named as a group is read as the condition
(:func:`conditions_not_groups`). The rules that use these are in :mod:`.coherence`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ideapump.grounding.directions import after_direction
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
GENERIC_ARM = re.compile(
    r"\b(?:controls?|treatments?|interventions?|active|comparisons?|standard|usual|"
    r"conditions?|groups?|arms?|experimental)\b",
    re.I,
)
_SUBJECTS = (
    r"(?:participants?|subjects?|animals?|rats?|mice|mouse|horses?|dogs?|volunteers?|"
    r"students?|patients?)"
)
WITHIN = re.compile(
    r"within[\s-]*(?:subjects?|participants?)|repeated[\s-]*measures?|cross-?over|"
    r"counterbalanced order|"
    # "with participants doing both regular exercise and light exercise" (a bed rest draft
    # that said "Between-subjects design" first)
    rf"\b{_SUBJECTS}\s+"
    r"(?:will\s+)?(?:complet\w*|perform\w*|receiv\w*|do|does|doing|tak(?:e|es|ing) part in|"
    r"undergo\w*|experienc\w*)\s+(?:all|both|every|each)\b",
    re.I,
)
# Randomising the order of conditions is within-subject: "randomly assigned to one of two
# orders" puts no one in a single condition.
_NOT_ORDER = r"(?!\s*(?:\w+\s+){0,4}?(?:orders?|sequences?|orderings?)\b)"
BETWEEN = re.compile(
    rf"between[\s-]*(?:subjects?|groups?|participants?)|parallel[\s-]*groups?|"
    rf"randomi[sz]ed to{_NOT_ORDER}|"
    rf"(?:randomly )?(?:assigned|allocated) to (?:(?:receive|get|take|be given) )?"
    rf"(?:either|one of|a single){_NOT_ORDER}|"
    # "two groups of participants: one group will receive a placebo, and the other ..."
    r"\b(?:one|each|the other) group (?:will )?(?:receives?|gets?|is given|takes?)\b|"
    # "Each rat is exposed to either a placebo or noradrenaline for a fixed duration": kept
    # beside "Within-subject: every participant does every condition" in a final quick
    # start. Either one or the other, unless it is per session ("on each day").
    rf"\b(?:each|every) {_SUBJECTS} (?:is |will be )?(?:exposed to|given|treated with|"
    rf"receives?|gets?|takes?|(?:will )?(?:receive|get|take)) either\b"
    r"(?![^.]*\b(?:each|every|per|one)\s+(?:of\s+\w+\s+)?"
    r"(?:sessions?|days?|visits?|blocks?|runs?|weeks?)\b)",
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
# wash out between, the same people in every condition (the final quick start's only
# control in a between-subjects design was "Same participants in both groups").
_WITHIN_ONLY_CONTROL = re.compile(
    r"\border of (?:the )?conditions\b|\bcounterbalanc\w*|\bwash-?out\b|"
    r"\bsame (?:participants|subjects|individuals|people|animals|rats|mice)\b|"
    r"\b(?:their|its|his|her) own controls?\b",
    re.I,
)
# And one that only a between-subjects design has: chosen from the menu of a design that
# said both, then kept after the design was repaired to within-subject (propose_drafts).
# A group of other people is one too: the final quick start's within-subject proposal
# listed "No Treatment Group" as its control.
_BETWEEN_ONLY_CONTROL = re.compile(
    rf"\brandom(?:ly)? (?:allocat\w*|assign\w*) (?:of )?(?:participants |subjects )?to "
    rf"(?:the )?(?:conditions|groups){_NOT_ORDER}|"
    r"\b(?:no[- ]?treatment|untreated|wait[- ]?list(?:ed)?|no[- ]intervention|separate|"
    r"control|placebo)\s+groups?\b",
    re.I,
)


# Where the outcome a hypothesis predicts ends: "increases exploration in long horizons"
# predicts exploration; the horizon is a condition. "attention to fearful faces" stops
# at "attention", so faces named as conditions stay manipulations.
_OUTCOME_END = re.compile(
    r"\b(?:in|on|at|to|during|when|while|under|for|across|after|before|than|compared|"
    r"relative|between|among|by|if|with|from|and|or|but|as|via|through)\b|[,;:.()]",
    re.I,
)


def _predicted(hypothesis: str) -> set[str]:
    """The content words of the outcome ``hypothesis`` predicts a direction for."""
    after = after_direction(hypothesis)
    return terms(_OUTCOME_END.split(after, 1)[0]) if after else set()


# A condition that is a sentence about the design: one kept draft's two conditions were
# "Participants receive either noradrenaline or a placebo." and "Participants are
# randomly assigned to one of the two conditions." (bench/propose_drafts.py).
_BOTH_ARMS = re.compile(r"\beither\b.+\bor\b", re.I)


def names_measure(text: str, hypothesis: str, measure: str) -> bool:
    """True when ``text`` names only what is measured: the outcome ``hypothesis``
    predicts, or the primary ``measure``. Controls of one kept draft were
    "strategic exploration" and "value-free random exploration" for the measure
    "exploration strategies" (bench/propose_drafts.py)."""
    named = terms(GENERIC_ARM.sub(" ", _PLACEHOLDER_WORDS.sub(" ", text)))
    return bool(named) and (named <= _predicted(hypothesis) or named <= terms(measure))


def manipulations(conditions: Sequence[str], hypothesis: str = "") -> list[str]:
    """The distinct conditions that name something an experimenter varies.

    With the ``hypothesis``, a condition that names only the outcome it predicts is a
    measure, not a manipulation: a kept quick-start draft (bench/propose_drafts.py)
    hypothesised that noradrenaline "enhances value-free random exploration strategies"
    and had the conditions "Value-free random exploration condition" and "Exploration
    heuristics condition", with the placebo as its control.
    """
    out: list[str] = []
    seen: set[str] = set()
    for c in conditions:
        key = quote_key(c)
        if not key or key in seen:
            continue
        rest = _PLACEHOLDER_WORDS.sub(" ", c)
        if _NOT_MANIPULATION.search(c) or not re.search(r"[A-Za-z]{2,}", rest):
            continue  # a model's name, or a label: "Group 1", "A", "M"
        if _BOTH_ARMS.search(c) or WITHIN.search(c) or BETWEEN.search(c):
            continue  # the design said again, not one of its conditions
        if names_measure(c, hypothesis, ""):
            continue  # what is measured, named as a condition
        seen.add(key)
        out.append(c.strip())
    return out


INERT = re.compile(r"\b(?:placebo|sham|vehicle|saline|dummy|inactive)\b", re.I)
# A condition that is the comparison, not what is varied.
CONTROL_ARM = re.compile(
    rf"{INERT.pattern}|\bcontrols?\b|\bbaseline\b|\busual care\b|"
    # "HDBR without exercise" beside "HDBR with regular resistive exercise", whose only
    # control was then "No exercise" (a proposal read this session)
    r"\b(?:no|without) (?:any )?(?:treatment|intervention|drug|manipulation|exercise)\b",
    re.I,
)
# A control that says "without" what a condition gives: that is the comparison condition.
_WITHOUT = re.compile(
    r"\b(?:without|no|absent|minus|lacking|not receiving|instead of)\s+"
    r"(?:any\s+|the\s+|a\s+|an\s+)?(?P<what>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)",
    re.I,
)


# An item that opens with a name and a colon: "Drug condition: Participants will ...".
_LABEL = re.compile(r"^\s*([^:]{2,60}?)\s*:\s*\S")
# A field's name written before an item: the quick start's conditions were "Placebo
# condition" and "Controls: Drug condition".
_FIELD_LABEL = re.compile(r"^\s*(?:conditions?|controls?)\s*:\s*", re.I)


# The field's name written as a sentence: "Primary measure is the proportion of ...", "The
# primary measure will be the number of random explorations performed by each
# participant." (two kept drafts of one bench run); "If it fails" read "No difference in
# primary measure is the proportion of ...".
_MEASURE_LABEL = re.compile(
    r"^\s*(?:the\s+)?primary\s+(?:measure|outcome)\s*(?:is|will\s+be|:|-)\s*(?=\S)", re.I
)


def unlabelled(d: ProposalDraft) -> ProposalDraft:
    """``d`` with no field name written before a condition, a control or the primary
    measure."""
    update: dict[str, object] = {
        name: [_FIELD_LABEL.sub("", i) or i for i in getattr(d, name)]
        for name in ("conditions", "controls")
    }
    measure = _MEASURE_LABEL.sub("", d.primary_measure)
    if measure != d.primary_measure:
        update["primary_measure"] = measure.rstrip(" .")
    return d.model_copy(update=update)


def condition_name(condition: str) -> str:
    """What a condition is called: "Placebo group: Participants receive a placebo." (the
    final quick start of a session) is "Placebo"."""
    label = _LABEL.match(condition)
    name = (label[1] if label else condition).strip()
    return _GROUP_WORD.sub("", name) or name


def restates_condition(control: str, conditions: Sequence[str]) -> bool:
    """True when ``control`` is the comparison condition said again.

    The quick start's proposal (1.5B model) had the conditions "noradrenaline" and
    "placebo" and, as its only control, "Standard loss frame task without
    noradrenaline": the placebo condition, not a control of the design.
    """
    keys = {quote_key(c) for c in conditions}
    if quote_key(control) in keys:
        return True
    label = _LABEL.match(control)
    if label and keys & {quote_key(label[1]), quote_key(control.split(":", 1)[1])}:
        # "Drug condition: Participants will receive amisulpride." (a quick start's only
        # control) is the drug condition, described; "Drug: placebo" (a drafts bench
        # run's only control, beside the condition "placebo") is the placebo condition
        return True
    if _another_level(control, conditions):
        return True
    if not any(CONTROL_ARM.search(c) for c in conditions):
        return False  # without a comparison arm, "without the drug" adds one
    varied = {w for c in conditions if not CONTROL_ARM.search(c) for w in terms(c)}
    return any(terms(m["what"]) & varied for m in _WITHOUT.finditer(control))


# Words that set how much of a condition is given, not what is given.
_LEVEL = re.compile(
    r"\b(?:high|higher|highest|low|lower|lowest|medium|moderate|intermediate|large|larger|"
    r"small|smaller|single|double|dose|doses|level|levels|amount|concentration)\b",
    re.IGNORECASE,
)


def _another_level(control: str, conditions: Sequence[str]) -> bool:
    """True when ``control`` is another dose or level of a condition: "High dose of
    noradrenaline" beside the condition "Low dose of noradrenaline" (a quick start's only
    control) is a third condition, not a control."""
    if not _LEVEL.search(control) or CONTROL_ARM.search(control):
        return False
    what = terms(_LEVEL.sub(" ", control))
    return bool(what) and any(
        what <= terms(_LEVEL.sub(" ", c)) for c in conditions if _LEVEL.search(c)
    )


def leaves_out_condition(control: str, conditions: Sequence[str]) -> bool:
    """True when ``control`` is the absence of a condition: "no placebo" beside the
    conditions "noradrenaline administration" and "placebo" (the first quick start of a
    session showed it as the only control). A design with a placebo arm has no arm
    without it, and a control it leaves out says nothing about what is held constant."""
    named = {w for c in conditions for w in terms(c)}
    m = _WITHOUT.match(control.strip())
    return bool(m and terms(m["what"]) & named)


_COMPARING = ("hypothesis", "expected_if_true", "expected_if_false")
# A control that fits only the other design, by whether the design is within-subject.
_WRONG_CONTROL = {
    True: (
        re.compile(f"{_BETWEEN_ONLY_CONTROL.pattern}|{BETWEEN.pattern}", re.I),
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
    for c in manipulations(d.conditions, d.hypothesis):
        words = re.findall(r"[A-Za-z][A-Za-z-]{2,}", GENERIC_ARM.sub(" ", c))
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


# "compare it to the control group" (the quick start's within-subject proposal): a group
# named for its role, not for its condition.
_ROLE_GROUP = re.compile(
    r"(?P<in>\bin\s+)?(?P<the>\bthe\s+)?\b(?:(?P<control>control|comparison)|"
    r"(?P<active>experimental|treatment|active|intervention|drug))\s+(?:groups?|arms?)\b",
    re.I,
)


# "We will measure the value-free random exploration strategies of both groups" (the final
# quick start of a session, in a within-subject design's text).
_COUNTED_GROUPS = re.compile(
    r"\b(?P<count>both|each|all|either|(?:the )?(?:two|three|four))\s+(?:groups?|arms?)\b", re.I
)


def _counted(m: re.Match[str]) -> str:
    one = m["count"].lower() in {"each", "either"}
    return f"{m['count']} condition{'' if one else 's'}"


def _role_names(d: ProposalDraft) -> dict[str, str]:
    """The condition each role stands for, where one condition alone has it."""
    names = [_GROUP_WORD.sub("", c) or c for c in manipulations(d.conditions, d.hypothesis)]
    names = [c[0].lower() + c[1:] if c[1:2].islower() else c for c in names]
    roles = {"control": [c for c in names if CONTROL_ARM.search(c)]}
    roles["active"] = [c for c in names if c not in roles["control"]]
    return {role: found[0] for role, found in roles.items() if len(found) == 1}


def conditions_not_groups(d: ProposalDraft) -> ProposalDraft:
    """``d`` with "than those in the placebo group" read as "than in the placebo condition"
    where its design is within-subject, and a condition "placebo group" as "placebo".

    Asked twice to compare conditions, the 1.5B model wrote "the placebo group" again in
    2 of 8 drafts (bench/propose_drafts.py), and the draft was dropped. In a
    within-subject design a condition named as a group means the condition, so the
    words are changed instead: the comparison, its direction and its numbers stay.
    "The control group" is the one comparison condition, where there is one.
    """
    if not within_subject(d.design):
        return d
    group, roles = _condition_groups(d), _role_names(d)

    def condition(m: re.Match[str]) -> str:
        return f"{m['in'] or ''}{m['the'] or ''}{m['cond']} condition"

    def role(m: re.Match[str]) -> str:
        name = roles.get("control" if m["control"] else "active")
        return f"{m['in'] or ''}{m['the'] or ''}{name} condition" if name else m.group(0)

    def read(text: str) -> str:
        text = _COUNTED_GROUPS.sub(_counted, text)
        return _ROLE_GROUP.sub(role, group.sub(condition, text) if group else text)

    # The design and the risks too: after a design chosen from the menu, the quick start
    # read "Within-subject: every participant does every condition ... In the placebo
    # group, participants will receive ...".
    update: dict[str, object] = {name: read(getattr(d, name)) for name in (*_COMPARING, "design")}
    update["risks"] = [read(r) for r in d.risks]
    update["conditions"] = [_GROUP_WORD.sub("", c) or c for c in d.conditions]
    return d.model_copy(update=update)


# A condition that is what the subjects already are or do, not what the experimenter sets:
# "Horses that are observed to have their ears forward" (a draft on a researcher's idea,
# beside "each horse will be randomly assigned to one of two groups").
_TRAIT = re.compile(
    r"\b(?:(?:observed|found|identified|classified|selected|known)\s+to\s+(?:have|show|be)|"
    # "who have received atomoxetine" is what was given: a participle after "have"
    r"(?:that|who)\s+(?:naturally\s+|already\s+)?(?:show|shows|(?:have|has)\b"
    r"(?!\s+(?:\w+ed|been|taken|given|done|got|gotten|had)\b)))\b",
    re.I,
)
_RANDOMLY = re.compile(r"\brandom(?:ly|i[sz]ed)?\b", re.I)


def design_faults(d: ProposalDraft) -> dict[str, str]:
    """Fields that contradict the design's own answer to "who does which condition".

    From the quick start's proposal (1.5B model): "a within-subject experiment with
    participants who are randomly assigned to receive either a placebo or ...", then "more
    random explorations than those in the placebo group". The power analysis and the
    control menu follow the design, so it must say one thing, and the rest must agree.
    """
    faults: dict[str, str] = {}
    within, between = bool(WITHIN.search(d.design)), bool(BETWEEN.search(d.design))
    if within and between:
        faults["design"] = (
            "design says both that every participant does every condition (within-subject) "
            "and that each participant is assigned to one condition; say only one of them"
        )
        return faults
    traits = [c for c in d.conditions if _TRAIT.search(c)]
    if traits and _RANDOMLY.search(d.design):
        faults["conditions"] = (
            f"{traits[0]!r} is what the subjects already are or show, which no one can be "
            "randomly assigned to: the conditions must be what the experimenter sets"
        )
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
    within, between = within_subject(d.design), bool(BETWEEN.search(d.design))
    drug = bool(INERT.search(conditions) or _DRUG.search(f"{conditions} {d.design}"))
    menu = []
    if within or not between:
        menu.append("the order of conditions counterbalanced across participants")
    if between or not within:
        menu.append("random allocation of participants to conditions")
    if INERT.search(conditions):
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
    rest = [t for t in sentences(old, 3) if not WITHIN.search(t) and not BETWEEN.search(t)]
    return " ".join([choice, *rest])


def within_subject(design: str) -> bool:
    """True when ``design`` has every participant in every condition."""
    return bool(WITHIN.search(design)) and not BETWEEN.search(design)
