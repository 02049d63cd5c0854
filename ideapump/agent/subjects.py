"""Who a study counts: the subjects a proposal names ("17 per group x 2 = 34 rats") and
the kind of subject a paper studies (people or a species), so that a rat experiment is
not powered on a study of volunteers without saying so."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ideapump.results import ExperimentProposal

# Who a design counts, as the proposal names them: the quick start's rat study was sized
# in "participants".
_SUBJECTS = re.compile(
    r"(?<!-)\b(rats|mice|animals|dogs|horses|monkeys|pigs|sheep|patients|children|adolescents|"
    r"students|infants|adults|volunteers|participants|subjects)\b",
    re.I,
)
_PLURAL = {"rat": "rats", "mouse": "mice", "animal": "animals", "dog": "dogs", "horse": "horses"}


# Words for people: a study of "volunteers" and one of "patients" both count people.
_PEOPLE = frozenset(
    [
        "patients",
        "children",
        "adolescents",
        "students",
        "infants",
        "adults",
        "volunteers",
        "participants",
        "people",
        "humans",
        "subjects",  # said of rats too, but counted for people (see studied_in)
    ]
)


def kind_of(unit: str) -> str:
    """The kind of subject ``unit`` is: people (any word for them) or a species."""
    return "people" if unit in _PEOPLE else unit


def same_kind(a: str, b: str) -> bool:
    """True when studies of ``a`` and of ``b`` count the same kind of subject ("animals"
    goes with any species)."""
    a, b = kind_of(a), kind_of(b)
    return a == b or ("people" not in (a, b) and "animals" in (a, b))


def studied_in(text: str) -> str:
    """Who a paper's ``text`` mostly studies: "people", a species, or "" when it never
    says. Counted, not first found: the Dubois study calls its volunteers "subjects" 98
    times and cites "decision noise in rats" three times. ("Subjects" are people here;
    the dog study's 9 lose to its 108 "dogs".)"""
    counts: dict[str, int] = {}
    for m in _SUBJECTS.finditer(text):
        word = m[1].lower()
        kind = kind_of(_PLURAL.get(word, word))
        counts[kind] = counts.get(kind, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else ""


def subjects(*texts: str) -> str:
    """Who ``texts`` (design first) say take part, in the plural; "participants" if none."""
    for text in texts:
        m = _SUBJECTS.search(text) or re.search(rf"\b({'|'.join(_PLURAL)})\b", text, re.I)
        if m:
            word = m[1].lower()
            return _PLURAL.get(word, word)
    return "participants"


_PARTICIPANTS = re.compile(r"\b([Pp])articipant(s?)\b")
_SINGULAR = {plural: one for one, plural in _PLURAL.items()}


def in_their_kind(text: str, unit: str) -> str:
    """``text`` with "participants" said as ``unit`` when ``unit`` is a species: the quick
    start's rat experiment expected that "Participants in the placebo condition will ..."
    and its review spoke of training "participants". People stay participants."""
    if kind_of(unit) == "people":
        return text
    singular = _SINGULAR.get(unit, unit.removesuffix("s"))

    def said(m: re.Match[str]) -> str:
        word = unit if m[2] else singular
        return word.capitalize() if m[1] == "P" else word

    return _PARTICIPANTS.sub(said, text)


def said_of_their_kind(proposal: ExperimentProposal, unit: str) -> ExperimentProposal:
    """``proposal`` with its model-written prose (not the rationale or citations, which
    rest on the papers' words) saying ``unit`` for "participants" (:func:`in_their_kind`)."""
    if kind_of(unit) == "people":
        return proposal

    def say(text: str) -> str:
        return in_their_kind(text, unit)

    update: dict[str, object] = {
        name: say(getattr(proposal, name))
        for name in (
            "hypothesis",
            "design",
            "primary_measure",
            "expected_if_true",
            "expected_if_false",
        )
    }
    update["risks"] = [say(r) for r in proposal.risks]
    # the repair menu's controls say "participants" too: "random allocation of
    # participants to conditions" in a drafts-bench rat study
    update["controls"] = [say(c) for c in proposal.controls]
    update["novelty"] = proposal.novelty.model_copy(
        update={"how_it_differs": say(proposal.novelty.how_it_differs)}
    )
    if proposal.reflection is not None:
        r = proposal.reflection
        update["reflection"] = r.model_copy(
            update={
                "feasibility": say(r.feasibility),
                "confounds": [say(c) for c in r.confounds],
                "missing_controls": [say(c) for c in r.missing_controls],
            }
        )
    return proposal.model_copy(update=update)
