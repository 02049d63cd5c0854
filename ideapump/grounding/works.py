"""Works a sentence names: "Jepma et al., 2010", "Wilson and Collins, 2019", "Mathot (2014)".

A sentence that names another work reports that work's result, not the paper's own
(:func:`names_a_work`, used by weigh's stance); a model's sentence may name only a work
its sources name or the cited document itself (:func:`unsupported_works`, used by the
claim check): the 1.5B model credited Dubois' own abstract to "Silvetti et al. (2018)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from ideapump.grounding.normalize import fold

# A work named in the text: "Silvetti et al. (2018)", "Wilson and Collins, 2019",
# "Mathot (2014)" (as normalize's labels read them), not "In 2015" or "March, 2015".
_WORK = re.compile(
    r"\b(?P<name>[A-Z][\w'\u2019-]+)(?:\s+(?:and|&)\s+[A-Z][\w'\u2019-]+|\s+et\s+al\.?)?"
    r"(?:,\s*|\s*\()(?P<year>(?:19|20)\d\d)[a-z]?\)?"
)
_NOT_NAMES = frozenset(
    [
        "in",
        "on",
        "at",
        "by",
        "since",
        "until",
        "during",
        "from",
        "before",
        "after",
        "and",
        "or",
        "the",
        "of",
        "for",
        "to",
        "as",
        "than",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
    ]
)


def _works(text: str) -> Iterator[re.Match[str]]:
    """The works ``text`` names ("Jepma et al., 2010"), not dates ("March, 2015")."""
    return (m for m in _WORK.finditer(text) if m["name"].casefold() not in _NOT_NAMES)


def names_a_work(sentence: str) -> bool:
    """True when ``sentence`` names a work ("Jepma et al., 2010"), not a date ("March, 2015")."""
    return any(_works(sentence))


def unsupported_works(sentence: str, sources: Sequence[str], years: Iterable[int]) -> list[str]:
    """The works ``sentence`` (without citation markers) names that no source names and
    that are not the cited documents themselves (their publication ``years``)."""
    own = set(years)
    bad = []
    for m in _works(sentence):
        name, year = m["name"], int(m["year"])
        if year in own:
            continue
        near = re.compile(rf"\b{re.escape(name)}\b.{{0,80}}?\b{year}", re.I | re.S)
        if not any(near.search(fold(src)) for src in sources):
            bad.append(m.group().strip())
    return bad


# A sentence that cites other work reports that work, not this paper's result: "[27]",
# "(Aston-Jones and Cohen, 2005)", "Jepma et al., 2010", or a superscript reference the
# PDF's text glues to the last word ("... after the peak of plasma melatonin35.": weigh
# read that discussion sentence on another study as the Mendt paper's support).
# Mid-sentence, a glued list of two or more ("... bed rest studies19,25, suggesting").
_CITES_OTHERS = re.compile(
    r"\[\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\]|\b[a-z]{4,}\d{1,3}(?:,\d{1,3})*[.;]?$|"
    r"\b[a-z]{4,}\d{1,3}(?:,\d{1,3})+\b"
)


def cites_others(sentence: str) -> bool:
    """True when ``sentence`` cites other work (see ``_CITES_OTHERS``)."""
    return bool(_CITES_OTHERS.search(sentence.strip())) or names_a_work(sentence)
