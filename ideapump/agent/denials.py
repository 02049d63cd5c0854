"""What a model's critique or review may not deny: facts the code knows.

Critique (:func:`contradicts_facts`): a model-written point may not deny what
the paper's own text establishes (randomised, placebo-controlled, blinded, a
stated sample size; see :mod:`ideapump.agent.papers`) or misstate the
statistics auditor's findings; such a point is dropped.

Review of a proposal (:func:`denies_draft`): a point may not say the proposal
lacks what it has (a primary measure, a control); such a point is not shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ideapump.results import PaperProfile, ProposalDraft

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
# "The paper does not provide a clear description of the sample size" (the 1.5B model's
# critique of Dubois et al., cited to the sentence that gives its N). A point that asks
# for the sample size's justification (power, rationale) denies nothing.
_NOT_DESCRIBED = (
    r"\b(?:does|do|did) not (?:clearly )?(?:provide|give|report|state|describe|include|"
    r"specify|mention)\b(?:(?!power|justif|calculat|rational)[^.]){0,100}?"
)
_SAMPLE_UNKNOWN = re.compile(
    r"sample size (?:is |was )?(?:not |never |un)(?:reported|stated|given|specified|known|clear)|"
    rf"{_NEG}\W+(?:\w+\W+){{0,4}}?(?:sample size|number of participants)|"
    rf"{_NOT_DESCRIBED}\b(?:sample size|number of participants)",
    re.I,
)
# The same of the design, where the paper states one ("a double-blind, placebo-controlled,
# between-subjects study"): "does not provide a clear description of the study design".
_DESIGN_UNKNOWN = re.compile(rf"{_NOT_DESCRIBED}\b(?:study |experimental )?design\b", re.I)
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
        # "A measure of the primary measure after the manipulation is missing" (the quick
        # start's review, beside a primary measure and a baseline of it); not "the
        # primary measure's reliability is missing"
        _Phrase(
            r"(?<!second )(?<!secondary )(?<!additional )(?<!another )"
            rf"\b(?:{_MEASURE})\b(?:(?!reliab|valid|second|additional|another|blind)[^.]){{0,40}}?"
            r"\b(?:is|are) (?:missing|absent|lacking)\b"
        ),
    ),
    "controls": (
        # "no control for caffeine intake" names something to control: a fair point
        _Denial(r"control(?:s| groups?| conditions?)?\b(?!\s+(?:for|of|over|on)\b)"),
        _Phrase(r"\bcontrols? (?:groups? |conditions? )?(?:is|are) (?:not|never|un|missing)\w*"),
        # "A control group will be needed to compare ..." beside a placebo condition
        # (the review in a fifth session's propose -n 3)
        _Phrase(
            r"\bcontrol (?:groups?|conditions?) (?:will be|would be|is|are|be) "
            r"(?:needed|required|necessary)\b|\b(?:needs?|requires?) an? control (?:group|condition)\b"
        ),
    ),
}


# Kinds of control a draft lists, which a review may not say it lacks: the quick start's
# review named "the lack of a baseline measurement, or the lack of a blind scorer" as a
# confound of a proposal whose controls were a baseline measurement and blind scoring.
_CONTROL_KINDS: Mapping[str, str] = {
    "baseline": r"baselines?|pre-?(?:tests?|measure\w*)",
    "blinding": r"blind\w*|mask(?:ed|ing)",
    "randomisation": r"randomi[sz]\w*|random(?:ly)? (?:assign|allocat)\w*",
    "counterbalancing": r"counterbalanc\w*",
    # "The study lacks controls for the duration of the task" beside "All participants
    # are given the same amount of time to complete the task" (a quick start's review)
    "duration": r"durations?\b|(?:same|equal|fixed|identical) (?:amount of |length of )?time\b"
    r"(?! of (?:the )?day)|time limits?\b|(?:same|equal|fixed) (?:task |session )?lengths?\b",
    "time of day": r"time of (?:the )?day|(?:same|fixed) (?:clock )?times?\b(?! limit)",
}
_KIND_DENIALS = {k: _Denial(v) for k, v in _CONTROL_KINDS.items()}
_KIND_NAMES = {k: re.compile(rf"\b(?:{v})", re.I) for k, v in _CONTROL_KINDS.items()}
# Who is blind: "participants were not blinded" is a fair point beside a blind scorer.
_ROLES = re.compile(
    r"\b(?:scor|rat(?:er|ing)|assess|experimenter|observ|cod(?:er|ing)|particip|subject|"
    r"investigat|analys|clinician|patient)\w*",
    re.I,
)


# Blinding denied without a negation: "The experiment leaves open whether participants are
# aware of the condition they are in" (the final quick start of a session, beside
# "participants and experimenters blind to which condition is given"). "may be aware",
# "could guess" say blinding can fail: a fair point.
_AWARE = re.compile(
    r"(?<!may be )(?<!might be )(?<!could be )\baware of (?:the |their |which |what )?"
    r"(?:conditions?|treatments?|drugs?|arms?|groups?|allocation)\b|"
    r"(?<!may )(?<!might )(?<!could )\bknow(?:s|ing)? (?:which|what|that|whether|they are|"
    r"they're)\b[^.]{0,40}\b(?:conditions?|treatments?|drugs?|placebo|arms?|groups?|receiv\w*)\b",
    re.I,
)


def _denies_a_listed_control(text: str, controls: Sequence[str]) -> bool:
    for kind, named in _KIND_NAMES.items():
        listed = [c for c in controls if named.search(c)]
        denied = _KIND_DENIALS[kind].search(text) or (kind == "blinding" and _AWARE.search(text))
        if not listed or not denied:
            continue
        if kind != "blinding":
            return True
        said = {m.lower()[:5] for m in _ROLES.findall(text)}
        if not said or said & {m.lower()[:5] for c in listed for m in _ROLES.findall(c)}:
            return True
    return False


def denies_draft(text: str, d: ProposalDraft) -> str | None:
    """The field of ``d`` that ``text`` (a review point) says is missing, or None."""
    for name, patterns in _DRAFT_DENIALS.items():
        if getattr(d, name) and any(p.search(text) for p in patterns):
            return name
    if _denies_a_listed_control(text, d.controls):
        return "controls"
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
    if design and _DESIGN_UNKNOWN.search(text):
        return f"the paper states its design ({', '.join(profile.design if profile else [])})"
    problems = counts.get("decision_error", 0) + counts.get("inconsistent", 0)
    if counts.get("total", 0) and problems and _STATS_CLEAN.search(text):
        return f"the statistics auditor found {problems} problem(s)"
    if counts.get("total", 0) and not problems and _STATS_BAD.search(text):
        return "the statistics auditor found every checkable test consistent"
    return None
