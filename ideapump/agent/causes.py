"""What a proposal's hypothesis says has the effect, and whether its conditions vary it.

A final quick start of the offline model hypothesised that noradrenaline changes
exploration and compared "Exposure to loss" with "Exposure to placebo": the experiment
would vary a loss frame and could say nothing about noradrenaline. Every other rule
passed it (two conditions, a control, a design, a measure the hypothesis names).

The rule (:func:`untested_cause`): at least one varied condition must share a word
with what the hypothesis says acts (:func:`cause`, the words before its verb of
effect), or be linked to it in one sentence of the passages the model was shown.
The link is what lets "atomoxetine" test a hypothesis about noradrenaline: Dubois et
al. name atomoxetine among the drugs that act on noradrenaline, so the library, not a
word list of ours, says that one manipulates the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ideapump.agent.design import CONTROL_ARM, GENERIC_ARM, manipulations
from ideapump.grounding.directions import after_direction
from ideapump.grounding.normalize import content_words
from ideapump.grounding.quotes import sentences
from ideapump.results import ProposalDraft

# Verbs by which a hypothesis says one thing acts on another. Its cause is what comes
# before the first of them that has words before it: "Boosting noradrenaline increases
# ..." acts by "increases", not by "Boosting".
_ACTS = re.compile(
    r"\b(?:(?:will|would|can|could|may|might|should|does|do|is|are)\s+)?"
    r"(?:increas|decreas|enhanc|reduc|rais|lower|boost|improv|impair|affect|influenc|"
    r"modulat|alter|chang|shift|shap|determin|predict|driv|promot|facilitat|inhibit|"
    r"suppress|elevat|diminish|attenuat|amplif|caus|lead|result|produc|trigger|bias|"
    r"accelerat|delay|advanc|prevent|protect|mitigat|exacerbat|worsen|mediat|regulat|"
    r"control|induc|evok|elicit|counteract|restor|sharpen|blunt|dampen)\w*\b|"
    # "Amisulpride has no effect on exploration"
    r"\b(?:has|have|had)\s+(?:no|an?|any|little)\s+(?:[\w-]+\s+)?(?:effects?|influence|impact)\b",
    re.I,
)
# Said around the cause, not part of it: "The effect of noradrenaline on exploration is".
_FRAME = re.compile(
    r"^\W*(?:the\s+)?(?:effects?|influence|impact|role)\s+of\s+|"
    r"\s+(?:on\s+[^,;]*?\s+)?(?:will|would|can|could|may|might|should|is|are|does|do)\s*$",
    re.I,
)

# Words of a cause or a condition that say how, not what: "Noradrenaline administration",
# "Exposure to loss", "Higher levels of noradrenaline", "Participants who receive ...".
_HOW = content_words(
    "administration administering administered administer boosting boosted increasing "
    "decreasing reducing raising higher greater lower levels level dose doses dosage "
    "participants subjects people individuals humans adults healthy exposure exposing "
    "exposed receiving receive received given giving taking treatment treated effect "
    "effects presence using single acute chronic daily session sessions condition "
    "manipulation manipulating experimental participant animals"
)


def cause(hypothesis: str) -> str | None:
    """What ``hypothesis`` says acts: its words before the first verb of effect (or
    direction word) that has words before it; None when it names no effect."""
    ends = [m.start() for m in _ACTS.finditer(hypothesis) if content_words(hypothesis[: m.start()])]
    after = after_direction(hypothesis)
    if after is not None:
        start = len(hypothesis) - len(after)
        word = re.search(r"[\w-]+\W*$", hypothesis[:start])
        if word and content_words(hypothesis[: word.start()]):
            ends.append(word.start())
    if not ends:
        return None
    end = min(ends)
    verb = _ACTS.match(hypothesis, end) or re.compile(r"[\w-]+").match(hypothesis, end)
    agent = _BY.match(hypothesis[verb.end() if verb else end :])
    if agent:
        # "Random exploration increases under noradrenaline", "... is reduced by
        # propranolol": the outcome comes first, what acts after the verb
        return _AGENT_END.split(agent[1], 1)[0].strip()
    return _FRAME.sub("", hypothesis[:end].strip()).strip()


# What acts, said after the verb: "increases under noradrenaline", "is reduced by ...".
_BY = re.compile(
    r"\s*(?:\w+ly\s+)?(?:under|by|with|after|following|in response to)\s+(.+)", re.I | re.S
)
_AGENT_END = re.compile(
    r"[,;.()]|\s(?:compared|than|relative|in|during|when|while|on|at|for|across)\s", re.I
)


def _words(condition: str) -> set[str]:
    return cause_words(GENERIC_ARM.sub(" ", condition))


def untested_cause(d: ProposalDraft, passages: Sequence[str]) -> dict[str, str]:
    """The conditions of ``d`` when none of them varies what its hypothesis says acts:
    no varied condition shares a word with the cause, and no sentence of
    ``passages`` (all the model was shown) names a condition's words beside the cause's.
    Empty when the hypothesis names no cause or the conditions name nothing."""
    varied = [c for c in manipulations(d.conditions, d.hypothesis) if not CONTROL_ARM.search(c)]
    words = {c: _words(c) for c in varied}
    words = {c: w for c, w in words.items() if w}
    said = cause(d.hypothesis)
    acting = cause_words(said) if said else set()
    if not words or not acting:
        return {}
    # The cause is what must vary. Only where the words read as the cause are what is
    # measured ("Random exploration increases under noradrenaline") is a condition
    # named anywhere in the hypothesis enough: "Noradrenaline increases exploration in
    # loss-frame environments" (a bench draft) compared a loss frame with a control.
    outcome = cause_words(d.primary_measure)
    named_in = content_words(d.hypothesis) if acting & outcome else acting
    if any(w & named_in for w in words.values()):
        return {}
    for passage in passages:
        for s in sentences(passage, 0):
            found = content_words(s)
            # a condition whole ("loss-frame environment", not "environment" alone, which
            # sentences on noradrenaline use of any task), beside the cause
            if found & acting and any(w <= found for w in words.values()):
                return {}
    return {
        "conditions": (
            f"the hypothesis says {said!r} has the effect, but the conditions vary "
            f"{' and '.join(repr(c) for c in words)}: vary {said!r} itself (it against a "
            "placebo, none or another level of it)"
        )
    }


# How a question is asked, not what it asks about: "how does", "can", "to what extent do".
_ASKING = re.compile(
    r"^\W*(?:(?:how|why|whether|when|what|to what extent|in what way)\s+)?"
    r"(?:(?:does|do|did|can|could|will|would|is|are|was|were|has|have|had|might|may|"
    r"should|must)\s+)?",
    re.I,
)
_EFFECT_OF = re.compile(
    r"\b(?:effects?|impact|influence|role)\s+of\s+(.+?)\s+(?:on|in|for|upon)\s+", re.I
)
_PEOPLE = re.compile(r"^(?:we|i|you|they|one|researchers?|labs?)\b", re.I)


def asked_cause(question: str) -> str | None:
    """What ``question`` asks the effect of: "noradrenaline" for "how does noradrenaline
    shape exploration?", "caffeine" for "what is the effect of caffeine on sleep?";
    None where it names no cause ("how could we reduce smoking?": a goal, not a cause).

    The quick start's drafts for the noradrenaline question varied amisulpride, which
    a passage they were shown found no effect of, in most of their dropped runs: told
    what the question is about, the model is asked for an experiment on that.
    """
    text = question.strip().rstrip("?").strip()
    of = _EFFECT_OF.search(text)
    if of:
        said: str | None = of[1]
    else:
        rest = _ASKING.sub("", text, count=1)
        if _PEOPLE.match(rest):
            return None
        said = cause(rest)
        if said and rest == text and re.match(r"[A-Z][a-z]+\b", said):
            # capitalised only because it opens the question: the chat's supplement read
            # "On Noradrenaline, the library reports: ..."
            said = said[0].lower() + said[1:]
    if not said or not cause_words(said):
        return None
    return said.strip()


def asked_head(question: str) -> str:
    """What ``question`` asks the effect of, without its setting: "exercise" for "does
    exercise during bed rest protect the circadian rhythm?"; "" where it names no cause
    (:func:`asked_cause`)."""
    return head_of(asked_cause(question) or "")


def head_of(said: str) -> str:
    """``said`` (a cause, :func:`cause`) without its setting: "Regular exercise" for
    "Regular exercise during bed rest"; "" where no word names what acts."""
    head = _AGENT_END.split(f"{said} ", 1)[0].strip()
    return head if cause_words(head) else ""


def cause_words(text: str) -> set[str]:
    """The content words of ``text`` that name what acts, not how it is given."""
    return content_words(text) - _HOW
