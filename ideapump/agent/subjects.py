"""Who a study counts: the subjects a proposal names ("17 per group x 2 = 34 rats") and
the kind of subject a paper studies (people or a species), so that a rat experiment is
not powered on a study of volunteers without saying so."""

from __future__ import annotations

import re

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
