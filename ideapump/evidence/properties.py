"""Claims that something has a property: "Tulsi extracts have antimicrobial activity".

Such a claim has no direction word, so the direction cross-check of
:mod:`ideapump.evidence.stance` has nothing to compare; what it checks instead is
whether the passage's result sentence is about the claim's subject
(:func:`names_subject`) and, for a contradiction, whether it denies anything
(:data:`DENIES`). What the claim says its subject has is :func:`property_of`, what
has it :func:`subject_of`.
"""

from __future__ import annotations

import re

from ideapump.evidence.directions import directions
from ideapump.grounding.normalize import fold, terms

# "<subject> has/have <property>": a claim that something has a property, no direction.
_HAS = re.compile(
    r"\b(?:has|have|possess(?:es)?|exhibits?|displays?)\s+(?P<what>[^.?;]+)", re.IGNORECASE
)
# What every extract in a pharmacology paper has: "activity", "potential".
GENERIC = re.compile(r"\b(?:activity|activities|properties|property|potential)\b", re.I)


# An effect word after "has"; what stands before it is the kind of effect.
_EFFECT_WORD = re.compile(r"\b(?:effects?|impacts?|influences?|actions?)\b", re.IGNORECASE)
# Words that say how much or whether, not which effect: "a significant effect", "any impact".
_HOW_MUCH = re.compile(
    r"\b(?:a|an|any|some|the|no|significant|positive|negative|beneficial|clear|strong|"
    r"marked|possible|measurable|important|major|minor|direct|indirect)\b",
    re.IGNORECASE,
)


def property_of(claim: str) -> str | None:
    """What a ``claim`` with no direction word says its subject has: "antimicrobial
    (antibacterial / antifungal) activity" for "Tulsi extracts have antimicrobial
    (antibacterial / antifungal) activity", "anti-inflammatory and/or analgesic" for
    "Tulsi has anti-inflammatory and/or analgesic effects"; None for any other claim,
    and for one whose property is a generic word alone ("has activity").

    Of a claim of an effect, only the kind of effect before the effect word: "Does
    birth center care ... have any impact on future reproduction?" names none ("any"),
    and is answered by "No statistical difference was found between the groups in time
    to second birth", which names none of the words after it."""
    found = directions(claim)
    if found - {"effect"}:
        return None
    m = _HAS.search(claim)
    if m is None:
        return None
    what = m["what"].strip()
    if "effect" in found:
        effect = _EFFECT_WORD.search(what)
        if effect is None:
            return None
        what = what[: effect.start()].strip()
        if not re.search(r"\w", _HOW_MUCH.sub(" ", what)):
            return None
    return what if re.search(r"\w", GENERIC.sub(" ", what)) else None


def subject_of(claim: str) -> str | None:
    """What a claim of a property (:func:`property_of`) says has it: "Tulsi (O. sanctum)
    extracts or essential oil" for "... have antimicrobial activity"; else None."""
    if property_of(claim) is None:
        return None
    m = _HAS.search(claim)
    subject = claim[: m.start()].strip() if m else ""
    return subject or None


# What states that something is not so, in a finding on a claim with no direction word.
DENIES = re.compile(
    r"\b(?:no|not|never|nor|neither|cannot|can't|failed|fails|unlike|lack\w*|absence)\b",
    re.IGNORECASE,
)


# An abbreviation a paper defines: "Ocimum sanctum L. essential oil (OSEO)".
_DEFINED = re.compile(r"((?:[\w.-]+\s+){1,6}?[\w.-]+)\s*\(([A-Z][A-Za-z0-9-]{1,9})\)")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*\b")


def names_subject(sentence: str, subject: str, passage: str = "", title: str = "") -> bool:
    """Whether ``sentence`` names the claim's ``subject``: one of its words (as a word
    stem anywhere in the text, since some PDFs run words together: "ofOcimum
    sanctumessential oil"), or an abbreviation of it, defined in the passage ("Ocimum
    sanctum L. essential oil (OSEO)") or made of the initials of the title's words in
    order ("OSEO" in "Antagonistic activity of Ocimum sanctum L. essential oil on ...").

    Sheoran et al.'s "The TLR 7 recognizes some antiviral compounds and single-stranded
    viral RNA" names antiviral activity but not Ocimum, and stood as support for
    "Ocimum extracts have antiviral activity"."""
    wanted = terms(subject)
    if not wanted:
        return True
    text = fold(sentence).lower()
    if any(w in text for w in wanted):
        return True
    defined = {m[2]: m[1] for m in _DEFINED.finditer(passage)}
    initials = [w[0].lower() for w in re.findall(r"[A-Za-z][\w-]*", title)]
    for abbr in set(_ABBREVIATION.findall(sentence)):
        meaning = defined.get(abbr)
        if meaning and terms(meaning) & wanted:
            return True
        if len(abbr) >= 3 and _in_order(abbr.lower(), initials) and terms(title) & wanted:
            return True
    return False


def _in_order(letters: str, initials: list[str]) -> bool:
    """``letters`` occur among ``initials`` in order (not necessarily side by side)."""
    it = iter(initials)
    return all(any(c == i for i in it) for c in letters)
