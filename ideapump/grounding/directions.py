"""Direction words: does a sentence say something went up, went down, or did not change?

:func:`directions` reads one sentence and returns the directions it states:

* ``"up"`` - increase, higher, more, greater, improved, enhanced, boosted, raised ...
* ``"down"`` - decrease, lower, less, fewer, reduced, attenuated, blunted, impaired ...
* ``"none"`` - no effect, no difference, did not differ, unaffected, unchanged,
  not significant ...

A direction word under a negation ("did not increase", "was not reduced",
"rather than increased", "failed to improve") states no change, not the
opposite: "propranolol did not increase exploration" is ``{"none"}``.

:func:`conflict` says whether two sentences about the same thing disagree: one
states a direction and the other states only directions that differ from it.
"Boost" is not on the list: papers use it for the manipulation ("boosting
noradrenaline decreased random exploration"), not for the outcome. It is deliberately narrow (word lists, a three-word negation window); it cannot
tell which quantity a direction word is about, so callers compare a claim only
with the passage sentence closest to it.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

Direction = str  # "up" | "down" | "none"

#: "wolves may not cooperate as well as dogs", "not as effective as": less, said without
#: a direction word.
NOT_AS_MUCH = (
    r"not\s+(?!only\b)(?:\w+\s+){0,3}?as\s+(?:well|good|much|many|often|high|fast|long|"
    r"strong|large|effective|accurate|successful|\w+ly)\s+as"
)
_UP = (
    r"increas\w*|higher|more|greater|larger|bigger|improv\w*|enhanc\w*|(?<!-)rais\w*|"
    r"elevat\w*|augment\w*|amplif\w*|promot\w*|facilitat\w*|strengthen\w*|exceed\w*|rise|rises|"
    r"rose|risen|gain\w*|accelerat\w*|faster|longer|stronger|upregulat\w*|advanc\w*|better|"
    r"outperform\w*"
)
_DOWN = (
    r"decreas\w*|lower\w*|less|fewer|smaller|reduc\w*|attenuat\w*|blunt\w*|impair\w*|"
    r"diminish\w*|declin\w*|drop\w*|fell|fall|falls|suppress\w*|inhibit\w*|weaken\w*|"
    r"worsen\w*|worse|slower|shorter|weaker|downregulat\w*|delay\w*|lost|loss|cut|cuts|"
    + NOT_AS_MUCH
)
_NONE = (
    # One word may name what had none: "found no drug effects on the novel bandit"
    # (Dubois et al.), "no group differences"; side effects are another matter.
    r"no (?:significant |reliable |detectable |clear |measurable )?(?:(?!side\b)[\w-]+ )?"
    r"(?:effect|effects|difference|differences|change|changes|influence|impact|association|"
    r"relationship|correlation|evidence)"
    r"|did not (?:differ|change|affect|alter|influence|vary)|does not (?:differ|change|affect)|"
    r"not (?:significantly )?(?:differ\w*|affected|altered|changed|influenced|associated)|"
    r"unaffected|unchanged|unaltered|no longer|non-?significant|not significant|"
    r"similar(?:ly)?|comparable|equivalent|was not effective|were not effective|"
    r"not effective|ineffective|null effect|"
    # "regular exercise did not have any effect on the circadian rhythm" (the 1.5B model,
    # citing a sentence that says whether exercise mitigates it is unknown)
    r"(?:did|does|do|had|has|have)\s+not\s+(?:have|show|produce|exert|cause|yield)\s+"
    r"(?:any|an|a)\s+(?:(?!side\b)[\w-]+\s+)?(?:effects?|changes?|differences?|influence|impact)|"
    r"without (?:any |an? )?(?:(?!side\b)[\w-]+ )?effects?|"
    r"not significantly (?:affect|alter|change|influence|differ)\w*|"
    r"failed to (?:affect|alter|change|influence)\w*|"
    # "it had little effect on fruit and vegetable intake" (the U@Uni trial's conclusions)
    r"(?:little|minimal|negligible) (?:or no )?(?:[\w-]+ )?"
    r"(?:effects?|impact|influence|changes?|differences?|benefits?)"
)
_WORD = re.compile(rf"\b(?:(?P<none>{_NONE})|(?P<up>{_UP})|(?P<down>{_DOWN}))\b", re.I)
# A negation up to three words before a direction word turns it into "no change".
# "Without" negates its noun, not the verb after it: "the bed rest group without exercise
# was delayed by 0.69 hours" (the 1.5B model) states a delay.
_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|failed to|fail to|rather than|instead of|"
    r"n't|cannot)\W+(?:\w+\W+){0,2}$|"
    r"\bwithout\W+(?:(?!(?:was|were|is|are|been|had|has|have|showed|shows)\b)\w+\W+){0,2}$",
    re.I,
)
# Words that look like directions but are not, in the prose of papers.
_FALSE_FRIENDS = re.compile(
    r"\b(?:more or less|at least|no less than|no more than|more than \d|less than \d|"
    r"fewer than \d|the more|furthermore|moreover|lower bound|upper bound|"
    r"rais\w* (?:the )?(?:question|issue|concern|possibility)|"
    r"cut-?off|loss function|advanced age|delay discounting|local enhancement|"
    # a task's framing, not a change: "exploration was higher in the loss-frame environment"
    r"(?:loss|gain)[- ](?:frames?|domains?)|loss aversion)\b",
    re.I,
)


def directions(sentence: str) -> set[Direction]:
    """The directions ``sentence`` states: a subset of ``{"up", "down", "none"}``."""
    text = _FALSE_FRIENDS.sub(" ", sentence)
    found: set[Direction] = set()
    for m in _WORD.finditer(text):
        if m.group("none"):
            found.add("none")
            continue
        if _NEGATION.search(text[: m.start()]):
            found.add("none")
        else:
            found.add("up" if m.group("up") else "down")
    return found


def after_direction(sentence: str) -> str | None:
    """What ``sentence`` says moves: the text after its first direction word that is not
    negated ("enhances value-free random exploration strategies" gives "value-free
    random exploration strategies"), or None when it states no direction."""
    text = _FALSE_FRIENDS.sub(" ", sentence)
    for m in _WORD.finditer(text):
        if m.group("none") or _NEGATION.search(text[: m.start()]):
            continue
        if text[m.end() : m.end() + 1] == "-" or _NAMES_A_THING.search(text[: m.end()]):
            # "in a loss-frame environment", "in loss frame environments" (the 1.5B
            # model's hypotheses): a direction word that names a setting, not the outcome
            continue
        return text[m.end() :]
    return None


# A noun among the direction words, after an article or a preposition: a setting or a
# thing ("in loss frames", "after a drop"), not a change the sentence predicts.
_NAMES_A_THING = re.compile(
    r"\b(?:in|a|an|the|of|on|at|under|during|with|for)\s+(?:loss|drop|fall|gain|rise|cut)$",
    re.I,
)


def conflict(claim: AbstractSet[Direction], passage: AbstractSet[Direction]) -> bool:
    """True when the claim states a direction the passage sentence does not, and the
    passage sentence states another one instead."""
    return bool(claim) and bool(passage) and not (claim & passage)


def without_directions(text: str) -> str:
    """``text`` with its direction words (and negations of them) blanked out, so that
    what is left says what the sentence is about."""
    return _WORD.sub(" ", _FALSE_FRIENDS.sub(" ", text))


# Where a sentence sets one side against the other: "A ... than B", "A outperformed B".
_ANCHOR = re.compile(
    r"\bthan\b|\boutperform\w*|\bexceed\w*|\bsurpass\w*|\bcompared (?:to|with)\b|"
    r"\bversus\b|\bvs\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    [
        "the",
        "those",
        "that",
        "this",
        "these",
        "in",
        "of",
        "for",
        "on",
        "at",
        "a",
        "an",
        "with",
        "among",
        "did",
        "do",
        "does",
        "was",
        "were",
        "is",
        "are",
        "had",
        "has",
        "have",
        "by",
        "to",
        "from",
        "during",
        "after",
        "before",
        "when",
    ]
)


def _stems(text: str) -> list[str]:
    return [w[:5] for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in _FILLER]


def compared_the_other_way(claim: str, sentence: str) -> bool:
    """True when ``claim`` sets A against B ("dogs solved the box more often than
    wolves") and ``sentence`` sets B against A ("wolves clearly outperformed the dogs"):
    its directions then say the opposite about the claim's A. B is the first word after
    the claim's "than"; the sentence puts B before its own "than" (or "outperformed",
    "compared with" ...) and one of the claim's words before "than" only after it."""
    c = re.search(r"\bthan\b", claim, re.IGNORECASE)
    a = _ANCHOR.search(sentence)
    if not c or not a:
        return False
    after = _stems(claim[c.end() :])
    if not after:
        return False
    other = after[0]
    before, rest = _stems(sentence[: a.start()]), _stems(sentence[a.end() :])
    sides = set(_stems(claim[: c.start()])) - {other}
    return other in before and any(w in sides and w not in before for w in rest)


# A side named right after one of these is what the other side is compared with:
# "more ... compared to the placebo condition", "Compared with placebo, ...".
_REFERENCE = re.compile(
    r"\b(?:than|compared\s+(?:to|with)|relative\s+to|versus|vs\.?|as\s+opposed\s+to)"
    r"\s+(?:\w+\s+){0,4}?$",
    re.IGNORECASE,
)
#: up for down and down for up: a direction said of the other side.
FLIP: dict[Direction, Direction] = {"up": "down", "down": "up"}


def first_against_second(
    text: str, first: AbstractSet[str], second: AbstractSet[str]
) -> str | None:
    """How ``text`` says the side named by the words ``first`` compares with the side named by
    ``second``: "up" (more), "down" (less), or None when it does not say one thing
    (:func:`said_of`).

    The quick start's "If it fails: ... participants in the placebo condition will exhibit
    more value-free random exploration compared to participants in the noradrenaline
    condition" says the noradrenaline condition explores less: the sides are swapped, not
    the direction word.
    """
    if "none" in directions(text):  # "No difference ..., or the reverse: ..." says no one side
        return None
    said = said_of(text, first, second)
    return next(iter(said)) if len(said) == 1 else None


def said_of(text: str, first: AbstractSet[str], second: AbstractSet[str]) -> set[str]:
    """The directions ``text`` states of the side named by the words ``first`` against the
    side named by ``second`` (those it states of ``second`` turned round); compared by
    their first five letters, and only by the words one side has and the other has not
    ("regular exercise" against "no exercise").

    A direction word is about the side named last before it ("the placebo condition will
    exhibit more ..."; "self-regulatory skill training appears to be promising, whereas
    an educational program ... to build motivation seems to be less effective"), or,
    with none before it, about the first side after it that is not what the other is
    compared with ("more ... in the noradrenaline condition compared to the placebo
    condition"). A side after "than" / "compared to" is that other side.
    """
    a, b = {w[:5] for w in first}, {w[:5] for w in second}
    a, b = a - b, b - a
    if not (a or b):
        return set()
    text = _FALSE_FRIENDS.sub(" ", text)
    mentions = []  # (where, side, whether it is what the other side is compared with)
    for m in re.finditer(r"[A-Za-z][\w-]*", text):
        stem = m.group(0).lower()[:5]
        if stem in a or stem in b:
            compared_with = bool(_REFERENCE.search(text[: m.start()]))
            mentions.append((m.start(), 0 if stem in a else 1, compared_with))
    found: set[str] = set()
    for m in _WORD.finditer(text):
        if m.group("none") or _NEGATION.search(text[: m.start()]):
            continue
        if m.group(0).lower()[:5] in a | b:
            # a word of a side's name: "the higher dose of noradrenaline" (a drafts bench
            # run's condition) says which side, not which way
            continue
        before = [side for at, side, ref in mentions if at < m.start() and not ref]
        after = [(side, ref) for at, side, ref in mentions if at > m.start()]
        if before:
            side = before[-1]
        elif after:
            side = 1 - after[0][0] if after[0][1] else after[0][0]
        else:
            continue
        direction: Direction = "up" if m.group("up") else "down"
        found.add(direction if side == 0 else FLIP[direction])
    return found
