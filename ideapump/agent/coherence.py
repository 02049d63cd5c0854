"""Facts the code knows, which a model's proposal or critique may not contradict.

Proposals (:func:`proposal_problems`): a design must name at least two distinct
conditions that are manipulations (not the names of a paper's computational
models, analyses or measures, not "Group 1 / Group 2"), at least one control
that is not itself one of the conditions, and a primary measure; and it must say
one thing about who does which condition (not "within-subject" and "randomly
assigned to either ..."), with the controls agreeing (no counterbalanced order
between subjects, no random allocation to conditions within). A draft that breaks
a rule is sent back once with the problems named, then dropped. A design that says
neither is a fault too, and so is an expected result left with nothing to say.
How a design is read, and the menus a repair chooses from, are in :mod:`.design`.
:func:`same_experiment` tells when two drafts of one request are one experiment.

Proposal text is claim-checked (:func:`check_proposal`): the rationale, which
states what the literature found, must pass the whole claim check against the
cited passages (a work it names included), and may not say in more than two words of its
own what neither they nor the hypothesis say; in every other field a number must occur in
a cited passage (a hypothesis or an expected result states a direction nobody has
observed yet), and
an expected result may not say what is already known ("X is known to affect Y").

What a critique or a review may not deny is in :mod:`.denials`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ideapump.agent.causes import cause
from ideapump.agent.design import (
    BETWEEN,
    CONTROL_ARM,
    GENERIC_ARM,
    WITHIN,
    condition_name,
    design_faults,
    leaves_out_condition,
    manipulations,
    names_measure,
    restates_condition,
)
from ideapump.evidence.findings import supposed_only
from ideapump.grounding.claims import (
    check_sentence,
    check_text,
    endorses_idea,
    split_sentences,
    strip_markers,
    unsaid_words,
)
from ideapump.grounding.directions import directions, first_against_second
from ideapump.grounding.no_effect import denied, mentions
from ideapump.grounding.normalize import quote_key, terms
from ideapump.results import ProposalDraft

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
    r"participants|subjects))?|participants|subjects|groups?|same\s+participants|"
    # "No condition" (a horse study's only control, 1.5B model): it names no arm;
    # "Random" (a drafts bench run's only control) names no allocation or order
    r"no\s+conditions?|random)\.?",
    re.IGNORECASE,
)


# What a study will do, said where its prediction belongs. "Ear position can be used as a
# welfare marker in horses ..." predicts what a measure shows, and stays.
_METHOD = re.compile(
    r"^\W*(?:we|this\s+(?:study|experiment|proposal)|the\s+(?:study|experiment|researchers?))"
    r"\s+(?:will|would|shall|plan|aim|intend)\b|\bprimary\s+(?:measure|outcome)\b",
    re.I,
)


def proposal_problems(d: ProposalDraft) -> list[str]:
    """What makes ``d`` incoherent as an experiment, in words the model can act on."""
    return list(proposal_faults(d).values())


# A control that undoes the manipulation: "All participants receive the same treatment"
# (a bench draft of noradrenaline against placebo). "the same dose", "the same amount of
# the drug or placebo" hold something constant and stay controls.
_SAME_ARM = re.compile(
    r"(?:(?:all|every|each)\s+)?(?:participants?|subjects?|animals?|patients?|groups?)\s+"
    r"(?:will\s+)?(?:receives?|gets?|(?:are|is|be)\s+given|undergoe?s?|do(?:es)?)\s+"
    r"the\s+same\s+(?:treatments?|drugs?|conditions?|interventions?|manipulations?)\.?",
    re.IGNORECASE,
)


# A control that names everything, so nothing: "All other factors that could influence
# exploration strategies (e.g., drug dosage, task complexity, participant age)" (the only
# control of the README quick start at 3483da3; its review then listed those three as
# confounds, rightly).
_EVERYTHING = re.compile(
    r"(?:(?:controlling|controls?|control)\s+(?:for\s+)?)?(?:all|any)\s+(?:other\s+)?"
    r"(?:relevant\s+|possible\s+|potential\s+)?(?:factors|variables|confounds|confounders)\b.*",
    re.IGNORECASE | re.DOTALL,
)


def controls_of(d: ProposalDraft) -> list[str]:
    """The items of ``d.controls`` that are controls: not "none", not "control group", not
    a condition said again, not what is measured. Only these are shown."""
    return [
        c
        for c in d.controls
        if quote_key(c)
        and not restates_condition(c, d.conditions)
        and not leaves_out_condition(c, d.conditions)
        and not _NO_CONTROL.fullmatch(c.strip())
        and not _EMPTY_CONTROL.fullmatch(c.strip())
        and not _SAME_ARM.fullmatch(c.strip())
        and not _EVERYTHING.fullmatch(c.strip())
        and not names_measure(c, d.hypothesis, d.primary_measure)
    ]


def proposal_faults(d: ProposalDraft) -> dict[str, str]:
    """The fields of ``d`` that break a design rule, each with the rule it breaks."""
    problems: dict[str, str] = {}
    conditions = manipulations(d.conditions, d.hypothesis)
    concrete = [c for c in conditions if re.search(r"[A-Za-z]{2,}", GENERIC_ARM.sub(" ", c))]
    if len(conditions) < 2 or not concrete:
        measured = set(manipulations(d.conditions)) - set(conditions)
        problems["conditions"] = (
            "conditions must name at least two different manipulations the experimenter "
            "sets (e.g. drug vs placebo, long vs short horizon), not models, analyses, "
            "measures, 'Group 1/Group 2' or only 'control' and 'treatment'; one condition "
            "per item, not 'either X or Y' or how participants are assigned"
        ) + "".join(f"; {c!r} is what the hypothesis predicts, a measure" for c in measured)
    cond_keys = {quote_key(c) for c in d.conditions}
    if not controls_of(d):
        # Named: told only the rule, the 1.5B model gave the condition back as the control.
        same = [repr(c.strip()) for c in d.controls if restates_condition(c, d.conditions)]
        named = (
            f"; {same[0]} is a condition, not a control"
            if len(same) == 1
            else f"; {', '.join(same)} are conditions, not controls"
            if same
            else ""
        ) + "".join(
            f"; {c.strip()!r} is what is measured, not a control"
            if names_measure(c, d.hypothesis, d.primary_measure)
            else f"; {c.strip()!r} leaves out a condition, it is not a control"
            for c in d.controls
            if names_measure(c, d.hypothesis, d.primary_measure)
            or leaves_out_condition(c, d.conditions)
        )
        problems["controls"] = (
            "controls must name at least one control that is not one of the conditions "
            "and says what it is (a matched placebo, a baseline, a counterbalanced order ...), "
            "not just 'control group' or 'all participants'" + named
        )
    if not (WITHIN.search(d.design) or BETWEEN.search(d.design)):
        # Emptied by the claim check (its numbers were in no cited passage), never written,
        # or silent on it ("We will measure value-free random exploration ...", a kept
        # draft in bench/propose_drafts.py): the power analysis needs to know who does
        # which condition, and would otherwise assume groups without saying so.
        problems["design"] = (
            "design must say in one sentence whether every participant does every "
            "condition (within-subject) or each participant does one (between-subjects)"
        )
    for name, fault in design_faults(d).items():
        problems.setdefault(name, fault)
    if cause(d.hypothesis) is None and _METHOD.search(d.hypothesis):
        # "We will use pupillometry as the primary measure of exploration." (a drafts
        # bench run's repair, told its measure was not what the hypothesis says changes):
        # a method, not a prediction, and the draft was kept with it
        problems.setdefault(
            "hypothesis",
            "hypothesis must predict what the manipulation does to what is measured (e.g. "
            "'X increases Y'), not say how it will be measured",
        )
    unmatched = _absent_counterpart(d.conditions)
    if unmatched:
        problems.setdefault(
            "conditions",
            f"{unmatched!r} is compared with no condition that gives what it leaves out: "
            "name the condition that does, beside it",
        )
    for name, fault in _expected_faults(d).items():
        problems.setdefault(name, fault)
    if len(re.findall(r"[A-Za-z]{2,}", d.rationale)) < 3:
        # Emptied by the claim check: every sentence said more than its passages.
        problems["rationale"] = (
            "rationale must say, in the cited passages' own terms, what they found that "
            "leads to the hypothesis"
        )
    measure = quote_key(d.primary_measure)
    if (
        not measure
        or measure in cond_keys
        or len(re.findall(r"[A-Za-z]{2,}", d.primary_measure)) < 1
    ):
        problems["primary_measure"] = "primary_measure must name one outcome that is measured"
    elif terms(d.hypothesis) and not terms(d.primary_measure) & terms(
        f"{d.hypothesis} {d.expected_if_true} {d.expected_if_false}"
    ):
        # "pupillometry", for a hypothesis and results on value-free random exploration
        # (the final quick start of a session, and 2 of the 71 saved drafts); "Number of
        # trials" (a third). The power analysis and "If it fails" are about the measure.
        problems["primary_measure"] = (
            f"primary_measure {d.primary_measure.strip()!r} is not what the hypothesis and "
            "the expected results say changes: name the measure of that outcome"
        )
    elif _only_a_method(d.primary_measure):
        # "Pupillometry", with "a significant increase in pupillometry" if the hypothesis
        # holds (a drafts bench draft, kept): how something is measured, not what
        problems["primary_measure"] = (
            f"primary_measure {d.primary_measure.strip()!r} is a method, not what it "
            "measures: name the quantity recorded (e.g. 'pupil diameter', 'proportion of "
            "choices of the novel option')"
        )
    return problems


# Techniques and instruments, which measure something without naming it.
_METHOD_WORD = re.compile(
    r"^(?:\w+(?<!sym)(?<!geo)metry|\w+(?:graphy|scopy)|imaging|(?:f|s)?mri|eeg|meg|ecg|ekg|emg|eye|tracking|"
    r"eye-tracking|questionnaires?|surveys?|interviews?|self-reports?|assays?|elisa|"
    r"recordings?|scans?|scanning|tests?|testing|observations?|video|measurements?|"
    r"methods?|techniques?|using|via|with|by|and|of|the|a)$",
    re.I,
)


def _only_a_method(measure: str) -> bool:
    words = re.findall(r"[A-Za-z][\w-]*", measure)
    return bool(words) and all(_METHOD_WORD.match(w) for w in words)


# A condition that is the absence of something: "No noradrenaline administration".
_ABSENCE = re.compile(
    r"^\W*(?:(?:no|without|absent|minus|lacking|not receiving)\s+|non-)"
    r"(?:any\s+|the\s+|a\s+|an\s+)?(?P<what>.+)$",
    re.I,
)


def _absent_counterpart(conditions: Sequence[str]) -> str | None:
    """A condition that leaves something out ("No noradrenaline administration") when
    no other condition gives it, else None.

    The quick start's draft for "how does noradrenaline shape exploration?" compared "No
    noradrenaline administration" with "Exploration heuristics": the drug arm of its own
    hypothesis was missing. None of the 62 drafts the benches kept breaks this.
    """
    for c in conditions:
        m = _ABSENCE.match(c)
        if m and not any(terms(m["what"]) & terms(o) for o in conditions if o is not c):
            return c.strip()
    return None


# Words that name a condition by its role: "on the drug", "in both conditions", "no
# group difference" (between subjects, the groups are the conditions).
_ROLE = re.compile(
    rf"{CONTROL_ARM.pattern}|\b(?:drugs?|active|treatment|experimental|intervention|"
    r"conditions?|groups?|arms?)\b",
    re.I,
)


def null_conditions(d: ProposalDraft, sources: Sequence[str], question: str = "") -> dict[str, str]:
    """The conditions ``sources`` (the passages the model was given) say had no effect,
    varied for a hypothesis that does not name them; or a hypothesis of an effect of one,
    for a ``question`` that does not name it.

    The quick start's draft for "how does noradrenaline shape exploration?" gave
    amisulpride against placebo, citing Dubois et al.'s "... particularly sensitive to
    noradrenergic modulation, with no effect of amisulpride": the experiment would vary
    what its own citation reports as doing nothing, to test something else. Told so, the
    model wrote the hypothesis about amisulpride instead ("Amisulpride affects exploration
    strategies ...", the final quick start of a later session), citing the same sentence.
    """
    said = set().union(*(denied(s) for s in sources)) if sources else set()
    about = [t for t in said if mentions(d.hypothesis, t)]
    if about:
        if not question or any(mentions(question, t) for t in about):
            return {}
        if "none" in directions(d.hypothesis):
            return {}  # "amisulpride leaves exploration as it is": what the passage found
        why = (
            f"a passage you were given reports no effect of {', '.join(about)}, the hypothesis "
            "says it has one, and the question is not about it: propose an experiment on "
            "what the question asks"
        )
        return {"hypothesis": why, "conditions": why}
    # The controls too: a later quick start's "Drug condition" was amisulpride only in its
    # control, "Drug condition: Participants will receive amisulpride."
    null = [
        c
        for c in [*manipulations(d.conditions, d.hypothesis), *d.controls]
        if any(mentions(c, t) for t in said)
    ]
    if not null:
        return {}
    # what to vary, named: told "vary what the hypothesis names", the 1.5B model varied a
    # loss frame next (a quick start's second draft)
    acting = cause(d.hypothesis)
    what = f"{acting!r}, what the hypothesis names" if acting else "what the hypothesis names"
    return {
        "conditions": f"a passage you were given reports no effect of {', '.join(null)}, and the "
        f"hypothesis is not about it: vary {what}"
    }


def without_null_design(d: ProposalDraft, sources: Sequence[str]) -> tuple[ProposalDraft, int]:
    """``d`` without the design sentences that give what its cited passages say had no
    effect, where the hypothesis does not name it, and how many were left out.

    A kept draft of the bench (noradrenaline against placebo) said "In the noradrenaline
    administration group, participants will receive a single dose of amisulpride.",
    citing Dubois et al.'s "... with no effect of amisulpride".
    """
    said = set().union(*(denied(s) for s in sources)) if sources else set()
    if not said or any(mentions(d.hypothesis, t) for t in said):
        return d, 0
    sentences = split_sentences(d.design)
    kept = [t for t in sentences if not any(mentions(t, n) for n in said)]
    if len(kept) == len(sentences):
        return d, 0
    return d.model_copy(update={"design": " ".join(kept)}), len(sentences) - len(kept)


# An expected result about the literature, not the experiment: both of the final quick
# start's read "The hypothesis is supported (refuted) by the passage, which states ...".
_ABOUT_SOURCES = re.compile(
    r"\b(?:the|this|that|these|cited) passages?\b|"
    r"\b(?:supported|refuted|confirmed|contradicted|rejected) by (?:the |this |that )?"
    r"(?:cited |previous |prior |existing |published )?"
    r"(?:passages?|papers?|stud(?:y|ies)|literature|evidence|findings|research|work)\b",
    re.I,
)


_OR_EQUAL = re.compile(
    r"\b(?:than|as) or (?:equal|similar|the same|comparable) (?:to|as)\b|"
    r"\b(?:at least|no (?:more|less|fewer|worse|better)) (?:than|as)\b",
    re.I,
)


def _expected_faults(d: ProposalDraft) -> dict[str, str]:
    """Expected results that tell the researcher nothing: empty, the same whichever way
    the experiment comes out, or "no difference" for a hypothesis of an effect."""
    faults: dict[str, str] = {}
    for name in ("expected_if_true", "expected_if_false"):
        if len(re.findall(r"[A-Za-z]{2,}", getattr(d, name))) < 3:
            # Emptied by the claim check (a sentence of what is known, or a number no
            # passage gives): shown empty, it tells the researcher nothing. Nor does
            # "Yes" (a kept draft's expected_if_true, bench/propose_drafts.py).
            faults[name] = f"{name} must say what this experiment will show " + (
                "if the hypothesis is true" if name.endswith("true") else "if it is false"
            )
        elif _ABOUT_SOURCES.search(getattr(d, name)):
            faults[name] = (
                f"{name} speaks of the passages, not of this experiment: say what the "
                "conditions will show "
                + ("if the hypothesis is true" if name.endswith("true") else "if it is false")
            )
    if faults:
        return faults
    true, false = quote_key(d.expected_if_true), quote_key(d.expected_if_false)
    if true in false or false in true:
        # The quick start's proposal: "If the hypothesis holds" and "If it fails" were one
        # sentence, word for word.
        faults["expected_if_false"] = (
            "expected_if_false says what expected_if_true says: say what this experiment "
            "will show if the hypothesis is false"
        )
    elif directions(d.expected_if_true) == {"none"} and "none" not in directions(d.hypothesis):
        faults["expected_if_true"] = (
            "expected_if_true says the conditions will not differ, but the hypothesis "
            "predicts an effect: say what this experiment will show if it is true"
        )
    if _OR_EQUAL.search(d.expected_if_true):
        # "should be less than or equal to ... in the no exercise group" (a bed rest draft):
        # no difference would then confirm the hypothesis and also be its failure
        faults["expected_if_true"] = (
            "expected_if_true also allows no difference ('or equal to'): say the difference "
            "the hypothesis predicts"
        )
    effects = _effects(d)
    if "expected_if_false" not in faults and effects[0] and effects[0] == effects[1]:
        # "More novel choices on the drug", and if it fails "fewer on placebo than on the
        # drug": the same effect, its sides swapped
        faults["expected_if_false"] = (
            "expected_if_false predicts the same difference between the conditions as "
            "expected_if_true: say what this experiment will show if the hypothesis is false"
        )
    conditions = manipulations(d.conditions, d.hypothesis)
    named = {w for c in conditions for w in terms(GENERIC_ARM.sub(" ", c))}
    for name in ("expected_if_true", "expected_if_false"):
        text = getattr(d, name)
        if named and name not in faults and not (terms(text) & named or _ROLE.search(text)):
            # The quick start's amisulpride-vs-placebo draft expected "better ... with
            # noradrenaline compared to those without": a condition it does not have.
            faults[name] = (
                f"{name} must say which of the conditions ({', '.join(conditions)}) shows what"
            )
    return faults


_DIRECTED = {"up", "down"}
# Words that name the comparison side of an expected result.
_SIDE = re.compile(r"\b(?:with|without|no|not|non|placebo|control|untreated|sham|baseline)\b", re.I)


def if_it_fails(d: ProposalDraft) -> str:
    """What ``d`` shows if its hypothesis is false: the model's words, led by "no
    difference" where they predict only the opposite effect, and "no difference" alone
    where they predict the same direction as if it holds, of no side in particular.

    27 of the 62 drafts the benches kept said, if the hypothesis fails, "participants in
    the noradrenaline group will spend *less* time in random exploration" beside "*more*"
    if it holds. A hypothesis of an effect fails first of all when nothing differs; the
    opposite effect is the less likely way. The conditions and the measure are the
    draft's own, so nothing is added that the draft did not say.
    """
    true, false = (
        directions(_said(d.expected_if_true, d)),
        directions(_said(d.expected_if_false, d)),
    )
    effects = _effects(d)
    same = False
    if effects[0] and effects[1]:
        # which condition is higher, read with its sides: "more in the placebo condition
        # than in the noradrenaline condition" beside "more ... in the noradrenaline
        # condition" (the quick start's) is the opposite, with one direction word
        opposite = effects[0] != effects[1] and "none" not in false
    else:
        opposite = (
            bool(true & _DIRECTED and false & _DIRECTED)
            and not true & false
            and "none" not in false
        )
        # "explore ... more randomly after the treatment", and if it fails "explore ...
        # more computationally more demanding after the treatment" (the first quick start
        # of a session): no side said, the same direction, nothing that fails
        same = bool(true & _DIRECTED) and false & _DIRECTED == true & _DIRECTED
        # ("more stable ... with exercise", if it fails "... without exercise": a bed rest
        # draft's sides, told apart by a word the conditions' names share)
        sides = {w.lower() for w in _SIDE.findall(d.expected_if_true)} ^ {
            w.lower() for w in _SIDE.findall(d.expected_if_false)
        }
        opposite = opposite or (same and "none" not in false and bool(sides))
        same = same and "none" not in false and not sides
    nothing = _no_difference(d)
    if not (opposite or same) or nothing is None:
        return d.expected_if_false
    if same:
        return nothing
    return f"{nothing[:-1]}, or the reverse: {d.expected_if_false}"


def _no_difference(d: ProposalDraft) -> str | None:
    """ "No difference in <measure> between <conditions>.", or None without two conditions
    and a measure."""
    conditions = manipulations(d.conditions, d.hypothesis)
    measure = d.primary_measure.strip().rstrip(".")
    if len(conditions) < 2 or not measure:
        return None
    # "No difference ... between placebo group: Participants receive a placebo. and ..."
    # (the final quick start of a session): the conditions by their names
    named = [_in_prose(condition_name(c)) for c in conditions]
    arms = ", ".join(named[:-1]) + f" and {named[-1]}"
    return f"No difference in {_in_prose(measure)} between {arms}."


def failing_as_no_difference(d: ProposalDraft) -> ProposalDraft:
    """``d`` with "No difference in <measure> between <conditions>." as what it shows if
    its hypothesis is false, where the model's own words for that break a rule of
    :func:`proposal_faults` and nothing else of the expected results does.

    A hypothesis of an effect fails first of all when nothing differs (:func:`if_it_fails`),
    and the draft's own conditions and measure say that; the model's "If it fails" broke
    a rule in 2 of 3 drafts the drafts bench dropped or drafted again (it named no
    condition, or said what "If the hypothesis holds" says), and the re-ask often came
    back the same. A hypothesis of no difference keeps its words: its failure is an effect.
    """
    faults = _expected_faults(d)
    nothing = _no_difference(d)
    if (
        "expected_if_false" not in faults
        or "expected_if_true" in faults
        or nothing is None
        or "none" in directions(d.hypothesis)
    ):
        return d
    return d.model_copy(update={"expected_if_false": nothing})


def _effects(d: ProposalDraft) -> tuple[str | None, str | None]:
    """How the first of two conditions compares with the second, if the hypothesis holds
    and if it fails (:func:`.directions.first_against_second`); None where not said."""
    conditions = manipulations(d.conditions, d.hypothesis)
    if len(conditions) != 2:
        return None, None
    a, b = (terms(GENERIC_ARM.sub(" ", c)) for c in conditions)
    return (
        first_against_second(_said(d.expected_if_true, d), a, b),
        first_against_second(_said(d.expected_if_false, d), a, b),
    )


# What a result would mean, after what it is: "..., indicating that noradrenaline
# administration does not enhance value-free random exploration" (the first quick start
# of a session, after "fewer random explorations than placebo participants").
_MEANING = re.compile(
    r",?\s*(?:which\s+(?:would|will)\s+)?\b(?:indicating|suggesting|showing|demonstrating|"
    r"meaning|implying|confirming|supporting|indicate|suggest|show|demonstrate|mean|imply)\s+"
    r"that\b[^.;]*",
    re.I,
)


def _said(expected: str, d: ProposalDraft) -> str:
    """``expected`` as a result: without what it would mean (an "If it fails" of "fewer
    ..., indicating that the drug does not enhance ..." predicts the reverse, not no
    difference), and without the direction words that are part of the primary measure's
    name ("the circadian phase delay ... should be greater", a bed rest draft, says
    "greater"; its "delay" is the measure, not a decrease)."""
    expected = _MEANING.sub("", expected)
    for word in re.findall(r"[A-Za-z][\w-]*", d.primary_measure):
        if directions(word):
            expected = re.sub(rf"\b{re.escape(word)}\b", " ", expected, flags=re.I)
    return expected


def _in_prose(name: str) -> str:
    """``name`` as it reads inside a sentence: "Exploration rate" -> "exploration rate";
    "BMI" and "RE" stay."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def _varied(d: ProposalDraft) -> tuple[list[set[str]], int]:
    """The content words of each condition that is varied, and how many are comparisons."""
    conditions = manipulations(d.conditions, d.hypothesis)
    arms = [c for c in conditions if not CONTROL_ARM.search(c)]
    return [terms(GENERIC_ARM.sub(" ", c)) for c in arms], len(conditions) - len(arms)


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
    return quote_key(a.title) == quote_key(b.title) or bool(
        terms(a.primary_measure) & terms(b.primary_measure)
    )


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


# A rationale sentence that says what a source says: "The passage discusses ...", "the
# study found ...". Such a sentence is a claim about the passages, so the hypothesis's
# words in it must be theirs (:func:`~ideapump.grounding.claims.endorses_idea`).
_SOURCE_SAYS = re.compile(
    r"(?:\b(?:passages?|study|studies|paper|papers|authors|literature|evidence|research|"
    r"findings?|results?)\b[^.]{0,30}?|"
    # "It suggests that noradrenaline enhances ...": the passage, as the rationale opens
    r"^\W*(?:it|they|this|these)\s+(?:also\s+)?)"
    r"\b(?:discuss|show|provid|suggest|state|report|find|found|demonstrat|indicat|describ|"
    r"mention|support)\w*",
    re.I,
)


# A rationale sentence on how the hypothesis would be tested: "This hypothesis can be
# tested by comparing the exploration strategies of rats given noradrenaline and those
# given a placebo." (18 of 71 drafts the benches saved, beside what the passages found).
_HOW_TESTED = re.compile(
    r"\b(?:can|could|will|would|may|might)\s+be\s+(?:tested|examined|investigated|assessed)\b|"
    r"\bis\s+testable\b|\bthis\s+(?:experiment|study|proposal)\s+(?:will|would|aims)\b",
    re.I,
)


# A rationale that speaks of itself: "The rationale for the controls is provided in the
# cited passages." (a bench draft's, before it credited them with its controls).
_OF_ITSELF = re.compile(r"\b(?:the|this|our|my)\s+rationale\b", re.I)
# Words that credit sources without saying what they found: "This hypothesis is supported
# by the findings in the passage." (a kept draft's whole second rationale sentence).
_CREDIT_WORDS = frozenset(
    terms(
        "hypothesis hypotheses idea proposal prediction supported supports support backed "
        "consistent line agrees agree findings finding results result evidence passage "
        "passages paper papers study studies literature research work documents document "
        "cited previous prior existing published above given presented provided"
    )
)


def _credits_only(sentence: str) -> bool:
    """True when ``sentence`` says the sources support something and names nothing they
    found (:data:`_CREDIT_WORDS` aside)."""
    return bool(_ABOUT_SOURCES.search(sentence)) and not (terms(sentence) - _CREDIT_WORDS)


def _says_hypothesis(sentence: str, d: ProposalDraft, sources: Sequence[str]) -> bool:
    """True when ``sentence`` credits the sources with the hypothesis's words they lack:
    "The passage discusses the use of ear position as a welfare marker in horses ...",
    citing an ethogram's "behaviours and body positions ... in positive and negative
    contexts" (a proposal drafted from a researcher's idea)."""
    return bool(_SOURCE_SAYS.search(sentence) and endorses_idea(sentence, sources, d.hypothesis))


def check_proposal(
    d: ProposalDraft, sources: Sequence[str], years: Sequence[int] = (), shown: Sequence[str] = ()
) -> tuple[ProposalDraft, int]:
    """A copy of ``d`` without the sentences (and list items) the claim check rejects.

    ``years``: the cited documents' years; the rationale may name a work only when it
    is one of them or a cited passage names it. ``shown``: every passage the model was
    given; a rationale sentence may use their words (as a chat answer may).
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
    said = split_sentences(d.rationale)
    kept = [
        t
        for t in said
        # "For example, the order of conditions counterbalanced across participants is
        # mentioned in the first document, ..." (a bench draft, citing Dubois et al.):
        # the passages, credited with the controls the repair menu had offered
        if not _says_hypothesis(t, d, sources)
        # (how the hypothesis would be tested speaks of the design, in its own words)
        and (_HOW_TESTED.search(t) or not unsaid_words(t, [*sources, *shown], d.hypothesis))
        and not _OF_ITSELF.search(t)
        and not _credits_only(t)
        # a hypothesis of the cited paper's, said as its finding (as in the chat)
        and supposed_only(strip_markers(t), list(sources)) is None
    ]
    if len(kept) < len(said):
        removed += len(said) - len(kept)
        d.rationale = " ".join(kept)
    findings = [t for t in kept if not _HOW_TESTED.search(t)]
    if findings and len(findings) < len(kept):
        # how the hypothesis would be tested is the design's; the rationale keeps what
        # the passages found (not counted as unsupported: it is misplaced, not wrong)
        d.rationale = " ".join(findings)
    for name in ("conditions", "controls", "risks"):
        items = getattr(d, name)
        kept = [i for i in items if check_sentence(i, sources, direction=False).ok]
        removed += len(items) - len(kept)
        setattr(d, name, kept)
    if not check_sentence(d.primary_measure, sources, direction=False).ok:
        d.primary_measure, removed = "", removed + 1
    return d, removed
