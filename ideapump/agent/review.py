"""What a proposal's review (and its risks) may show: each point once, none that denies
what the proposal has.

The 1.5B model repeats a review point, gives the proposal's own controls back as
confounds or missing controls, writes a field name of its schema as a point, says one
sentence three times in one point, and says the proposal lacks a control it has. Code
decides which points are shown (:func:`shown_once`, :func:`not_denying`). It also gave
the study's own subjects as a confound ("Rats").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ideapump.agent.denials import contradicts_facts, denies_draft
from ideapump.agent.design import GENERIC_ARM
from ideapump.agent.grounding import normalize
from ideapump.grounding.claims import split_sentences
from ideapump.grounding.normalize import fold
from ideapump.grounding.works import names_a_work
from ideapump.results import PaperProfile, ProposalDraft

# Words that say a control is missing, not which: "no controls for the order of conditions".
_LACK_WORDS = re.compile(
    r"\b(?:no|not|lack\w*|missing|without|absen\w+|controls?|for|the|of|an?|and|to|in|is|are|"
    r"there|any|does|do|experiment|design|proposal|study|effects?|possib\w*|leaves?|open|"
    r"this|that|it|its|account\w*|groups?|confounds?|"
    # "..., which could affect the results", "A control group for ... is needed"
    r"which|could|might|may|affect\w*|results?|needed|required|necessary|needs?|should|be|"
    r"will|introduc\w*|bias\w*|potential\w*|"
    # "does not control for the presence of positive or negative emotional anticipation";
    # "Placebo vs. Noradrenaline" (a quick start's confound: its two conditions)
    r"presence|or|either|both|vs|versus|between)\b"
)


_IDENTIFIER = re.compile(r"[A-Za-z]+(?:_[A-Za-z0-9]+)+")
# An item that names nothing: the quick start's review showed "add control: none".
_NOTHING = {"none", "n/a", "na", "nothing", "no", "-"}
# A confound that says there is none: "The placebo condition does not introduce any
# confounds, as it is a control group." (a quick start's review)
_NO_CONFOUND = re.compile(
    r"\b(?:does|do|will|would)\s*(?:not|n't)\s+(?:introduce|create|pose|add)\s+(?:any\s+)?"
    r"confounds?\b|\bno (?:known |obvious |potential |other )?confounds?\b",
    re.I,
)


def _content(text: str) -> set[str]:
    # stems, so "counterbalances" meets "counterbalanced" (a quick start's review gave
    # each of its three controls back as "a potential confound")
    return {w[:5] for w in re.findall(r"[a-z][a-z-]+", _LACK_WORDS.sub(" ", text.lower()))}


def shown_once(items: Sequence[str], known: Sequence[str] = ()) -> list[str]:
    """``items`` once each, without those ``known`` already covers.

    The 1.5B model repeats a review point, gives the proposal's own controls back as
    confounds, and names as missing a control the proposal has ("no controls for the
    order of conditions" beside "the order of conditions counterbalanced ..."): an
    item whose words all occur in one known item is left out. So is an identifier
    ("already_done"): the model wrote a field name of its schema as a missing control,
    and an item that names nothing ("none").
    """
    covers = [_content(k) for k in known]
    seen = {normalize(k) for k in known}
    # sentences said already, as a whole or inside an earlier point: a quick start's
    # review gave two sentences of its confound again in its missing control
    said = {_key(s) for k in known for s in split_sentences(k)}
    out = []
    for item in (_said_once(i) for i in items):
        parts = split_sentences(item)
        if len(parts) > 1:
            item = " ".join(s for s in parts if _key(s) not in said)
        item = _complete(item)
        key, words = normalize(item), _content(item)
        if not key or key in seen or (words and any(words <= c for c in covers)):
            continue
        if (
            _IDENTIFIER.fullmatch(item.strip())
            or key.strip(" .") in _NOTHING
            or _NO_CONFOUND.search(item)
        ):
            continue
        seen.add(key)
        said.update(_key(s) for s in split_sentences(item))
        # a later item that only repeats part of this one says nothing new
        covers.append(words)
        out.append(item.strip())
    return out


# The words a sentence cut short stops on: "The experiment does not have" (a confound of
# the README quick start's review, shown as a point of its own).
_DANGLING = re.compile(
    r"\b(?:have|has|had|the|a|an|of|to|and|or|for|with|in|on|by|is|are|was|were|be|that|"
    r"which|than|not|no|its|their)\W*$",
    re.I,
)


def _complete(item: str) -> str:
    """``item`` without a last sentence that stops mid-way."""
    parts = split_sentences(item)
    if parts and not re.search(r"[.!?)\"'\u201d]\s*$", parts[-1]) and _DANGLING.search(parts[-1]):
        parts.pop()
        return " ".join(parts)
    return item


def _key(sentence: str) -> str:
    return normalize(sentence).rstrip(" .")


def _said_once(item: str) -> str:
    """``item`` without a sentence it already said, or the start of one cut short.

    The 1.5B model's review wrote "A control group will be needed to compare ..." three
    times in one missing control, the third cut off by the token limit.
    """
    said = split_sentences(item)
    kept: list[str] = []
    keys: list[str] = []
    for sentence in said:
        key = normalize(sentence).rstrip(" .")
        if key and any(k.startswith(key) for k in keys):
            continue
        kept.append(sentence)
        keys.append(key)
    return " ".join(kept) if len(kept) < len(said) else item


# Words that name a confound or a control, so a short item with one says what it is:
# "Order effects", "Time of day", "Practice".
_CONFOUND_WORDS = re.compile(
    r"\b(?:order|sequence|time|day|fatigue|practice|learning|expectation\w*|placebo|baseline|"
    r"age|sex|gender|weight|stress|temperature|season\w*|carry-?over|habituat\w*|novelty|"
    r"motivation|experience|training|bias\w*|blind\w*|effects?|differences?|variab\w*|"
    r"levels?|counterbalanc\w*|random\w*)\b",
    re.I,
)
MAX_NAME_WORDS = 4


def names_the_study(item: str, draft: ProposalDraft) -> bool:
    """True when ``item`` is only a short phrase of the draft's design or hypothesis (its
    subjects, its setting) and no word that names a confound: the quick start's review gave
    "confound: Rats" and "confound: Loss-Frame Environment" for a rat study in a loss-frame
    environment, which every condition shares."""
    if len(item.split()) > MAX_NAME_WORDS or _CONFOUND_WORDS.search(item):
        return False
    key, study = _words(item), _words(f"{draft.design} {draft.hypothesis}")
    return bool(key) and f" {key} " in f" {study} "


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text).lower()))


def own_assessment(text: str) -> str:
    """``text`` (a review's feasibility) without the sentences that cite other work, and
    without a dangling start of a sentence at its end.

    Asked whether a typical lab can run the experiment, the 1.5B model wrote one sentence
    of its own, then copied a passage of Dubois et al.'s introduction ("The LC has two
    known modes of synaptic signalling (Rajkowski et al., 1994) ...") up to the chunk's
    last word, "This".
    """
    said = split_sentences(text)
    if len(said) > 1 and not re.search(r"[.!?)\"']\s*$", said[-1]) and len(said[-1].split()) <= 2:
        said.pop()
    return " ".join(s for s in said if not names_a_work(s))


def not_denying(items: Sequence[str], draft: ProposalDraft) -> list[str]:
    """Review points (or risks) that do not say the draft lacks what it has (a primary
    measure, a control; see :func:`.denials.denies_draft`), nor only name what it studies
    (:func:`names_the_study`).

    A point is read sentence by sentence: a quick start's review gave one confound of
    three sentences, the first denying a control the proposal lists ("lacks controls for
    the duration of the task"), the others fair ("does not control for the participants'
    mood or stress levels"). The denying sentences go; the rest of the point stays.
    """
    out = []
    for item in items:
        parts = split_sentences(item) or [item]
        kept = [s for s in parts if denies_draft(s, draft) is None]
        if len(kept) < len(parts):
            item = " ".join(kept)
        if item.strip() and not names_the_study(item, draft):
            out.append(item)
    return out


# What a group or condition is given: "A control group that receives placebo instead of ...",
# or what it is compared with: "a comparison with a placebo treatment" (the first quick
# start of a session, for noradrenaline against placebo).
_GIVEN = (
    r"\b(?:(?:receiv\w*|given|gets?|getting|tak(?:es|ing)|administered|assigned to)|"
    r"(?:comparisons?|compar(?:ed|ing))\s+(?:with|to|against))\s+"
)


def gives_a_condition(item: str, conditions: Sequence[str]) -> bool:
    """True when ``item`` (a missing control) is a group or condition given one of the
    draft's own conditions.

    The final quick start of a session listed "add control: A control group that receives
    placebo instead of noradrenaline to compare the effects of the drug ..." for a proposal
    whose conditions were noradrenaline and placebo: the control it asks for is there.
    """
    for condition in conditions:
        words = re.findall(r"[A-Za-z0-9][\w-]*", GENERIC_ARM.sub(" ", condition))
        if not words:
            continue
        name = r"\s+".join(map(re.escape, words))
        if re.search(rf"{_GIVEN}(?:an?\s+|the\s+|only\s+)?{name}\b", item, re.I):
            return True
    return False


_OTHER_DESIGN = {"within-subject": "between-subjects", "between-subjects": "within-subject"}
_DESIGN_WORDS = {
    "within-subject": r"within[\s-]*subjects?|repeated[\s-]*measures|cross-?over",
    "between-subjects": r"between[\s-]*(?:subjects?|groups?)",
}
# What a sentence says of the closest study, not of the proposal: what follows "instead of"
# ("... instead of a between-subject design"), or a sentence about that study.
_INSTEAD = re.compile(r"\b(?:instead of|rather than)\b[^.;]*", re.I)
_ABOUT_IT = re.compile(
    r"^\W*(?:the|this|that)\s+(?:closest\s+|existing\s+|previous\s+|original\s+|prior\s+)+"
    r"(?:\w+\s+)?(?:passage|study|experiment|work|paper)\b",
    re.I,
)


def says_of_the_closest(text: str, profile: PaperProfile) -> tuple[str, int]:
    """``text`` (how a proposal differs from the closest passage) without the sentences that
    deny what the closest paper states of itself, and how many were left out.

    The final quick start of a session said its proposal differed from Dubois et al. in
    using blinding "instead of a control group that is not blind": that study is
    double-blind (:func:`.papers.profile_chunks` reads it from the paper's methods).
    """
    said = split_sentences(text)
    kept = [s for s in said if not any(_denies(part, profile) for part in _of_theirs(s))]
    return " ".join(kept), len(said) - len(kept)


def _of_theirs(sentence: str) -> list[str]:
    if _ABOUT_IT.search(sentence):
        return [sentence]
    return [m.group(0) for m in _INSTEAD.finditer(sentence)]


def _denies(said: str, profile: PaperProfile) -> bool:
    if contradicts_facts(said, profile, {}):
        return True
    design = set(profile.design)
    # a design named as the paper's where the paper states the other one
    return any(
        other in design
        and name not in design
        and re.search(rf"\b(?:{_DESIGN_WORDS[name]})", said, re.I) is not None
        for name, other in _OTHER_DESIGN.items()
    )
