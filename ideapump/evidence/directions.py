"""Direction words: what a claim or a passage says happens (more, less, better, worse, nothing).

One small function, :func:`directions`, is all the stance cross-check needs: it
finds the direction words of a text and returns which directions it states.
Two axes are kept apart because they do not translate into each other without
knowing the outcome ("reduced mortality" is *down* and *better*):

* magnitude: ``up`` (increase, higher, more, greater, rise...) / ``down``
  (decrease, lower, less, fewer, reduced...);
* valence: ``better`` (improve, benefit, protective...) / ``worse`` (worsen,
  impair, harm, adverse...);
* timing: ``later`` (a phase delay, "delays the circadian phase", "shifted later") /
  ``earlier`` (a phase advance, "the phase was advanced", "shifted earlier");
* ``effect``: a non-directional effect or association ("associated with",
  "affects", "predicts", "differs", "significant");
* ``none``: the text states that nothing happened ("no effect", "ineffective", "did not
  increase", "not associated", "no significant difference", "similar", "stable").

A direction word right after a negation ("did not increase", "no higher", "not
associated") counts as ``none``, not as that direction. "rather than X" and
"instead of X" drop X: "decreased (rather than increased)" is ``down`` only.
This is a word-level heuristic: it can only veto a model's stance, never set
one (see :func:`ideapump.evidence.stance.cross_check`).
"""

from __future__ import annotations

import re
from typing import Literal

from ideapump.grounding.directions import NOT_AS_MUCH

Direction = Literal["up", "down", "better", "worse", "later", "earlier", "effect", "none"]

_WORDS: dict[Direction, str] = {
    # "hand-raised wolves" were raised by hand, not raised.
    "up": r"increas\w*|higher|more|greater|(?<!-)rais\w*|rise|rises|rising|rose|elevat\w*|"
    r"(?<!local )enhanc\w*|gain\w*|longer|lengthen\w*|prolong\w*|larger|augment\w*|promot\w*|exceed\w*|"
    # "a growing share of articles"; not "a growing body of evidence", "a growing child"
    r"(?:grow|grows|growing|grew)(?!\s+(?:body|bodies|child\w*|interest|literature|concern))|"
    r"outperform\w*",
    # "participants declining participation", "declined to take part": a refusal, no change.
    "down": r"decreas\w*|lower\w*|less|fewer|reduc\w*|"
    r"declin\w*(?!\s+(?:to\s+)?(?:participat\w*|take\s+part|consent\w*|(?:the\s+)?invitation))|"
    r"drop\w*|fell|fall\w*|"
    r"diminish\w*|attenuat\w*|suppress\w*|shorter|shorten\w*|smaller|inhibit\w*|lessen\w*|"
    r"prevent\w*|cut|blunted|blunts|blunting|dampen\w*|weaken\w*|shrink\w*|shrank|" + NOT_AS_MUCH,
    # "self-efficacy" is a construct a study measures, not a benefit
    "better": r"improv\w*|benefi\w*|protect\w*|effective\w*|(?<!self-)efficac\w*|success\w*|"
    r"superior|favou?rabl\w*|safer|better",
    "worse": r"wors\w*|impair\w*|harm\w*|adverse\w*|deteriorat\w*|inferior|detrimental|"
    r"unfavou?rabl\w*|toxic\w*",
    # Timing words only where they shift a phase, a rhythm or an onset: "delayed recall"
    # and "advanced cancer" say nothing about when something happens.
    "later": r"phase[- ]delay\w*|delay\w*(?=\s+(?:the\s+|its\s+|their\s+)?(?:circadian\s+)?"
    r"(?:phase|rhythm|onset|acrophase))|shift\w*(?:\s+\w+){0,8}?\s+later|"
    r"(?:phase|rhythm|onset|acrophase)\s+(?:was|were|is|are)\s+delayed",
    "earlier": r"phase[- ]advance\w*|advance\w*(?=\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:circadian\s+)?(?:phase|rhythm|onset|acrophase))|shift\w*(?:\s+\w+){0,8}?\s+"
    r"(?:to\s+an\s+)?earlier|(?:phase|rhythm|onset|acrophase)\s+(?:was|were|is|are)\s+advanced",
    "effect": r"associat\w*|correlat\w*|affect\w*|influenc\w*|predict\w*|differ\w*|"
    r"significant\w*|related|relationship|linked|impact\w*|alter\w*|chang\w*|effect\w*",
}
# Stated absence of an effect, whole phrases (checked before the single words).
_NONE = re.compile(
    r"\b(?:no|not|nor|without|neither)\s+(?:\w+\s+){0,3}?"
    r"(?:significant\w*|statistically|effect\w*|differ\w*|associat\w*|correlat\w*|"
    r"relationship|change\w*|impact\w*|benefit\w*|improvement|influence|link)"
    r"|\b(?:did|does|do|was|were|is|are|could|can|has|have|had)\s*(?:not|n't)\s+"
    r"(?:\w+\s+){0,2}?(?:" + "|".join(_WORDS.values()) + r")"
    # "stayed roughly constant", "has been remarkably stable"; not the "Constant" condition
    r"|\b(?:remain\w*|stay\w*|kept|been|was|were|is|are)\s+(?:(?!an?\b|the\b)\w+\s+)?"
    r"(?:stable|constant|steady)\b"
    # "wolves were at least as attentive as the dogs", "pay as much attention ... as dogs
    # do"; not "as well as", "as soon as", "as long as"
    r"|\b(?:at least |just )?as\s+(?!(?:well|soon|long|far|such|follows|part|a|an|the)\b)"
    r"(?:much|many|often|[a-z]+(?:ive|ent|ant|ful|ous|ate|able|ible))\s+(?:[\w-]+\s+){0,4}?as\b"
    r"(?!\s+(?:possible|they|we|he|she|it|needed|required|usual|before)\b)"
    # "similar", not "a similar analysis strategy" (U@Uni's methods, read as no difference)
    r"|(?<!\ba\s)(?<!\bin\s)(?<!\busing\s)\bsimilar\b(?!\s+(?:analys\w*|strateg\w*|method\w*|"
    r"approach\w*|procedures?|designs?|protocols?|manner|way|fashion)\b)"
    r"|\bequivalent(?!s?\s+of\b)"  # not "the metabolic equivalent of task"
    r"|\b(?:comparable|unchanged|unaffected|unrelated|"
    r"non-?significant\w*|insignificant|independent of|ineffective\w*|unsuccessful\w*)\b"
    r"|\bn\.?s\.(?=\W)"
    # "it had little effect on fruit and vegetable intake, physical activity or alcohol
    # consumption" (the U@Uni trial's conclusions) read as an effect
    r"|\b(?:little|minimal|negligible)\s+(?:or\s+no\s+)?(?:[\w-]+\s+)?"
    r"(?:effects?|impact|influence|change|difference|benefit)s?\b",
    re.IGNORECASE,
)
_DIRECTED = {
    name: re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE) for name, pattern in _WORDS.items()
}
# "decreased (rather than increased)": the alternative after these is not stated.
_ALTERNATIVE = re.compile(
    r"\b(?:rather than|instead of|as opposed to|contrary to)\s+(?:the\s+)?\w+", re.IGNORECASE
)


# A threshold or a count is no change: "extreme skewing (90% or greater)", "2 or more
# losses", "aged 65 or older", "more than 40 patients".
_THRESHOLD = re.compile(
    r"\d\s*%?\s*(?:\w+\s+)?or\s+(?:greater|higher|more|less|lower|fewer|above|"
    r"below|over|under|older|younger|longer|shorter)\b"
    r"|\b(?:more|less|greater|fewer|higher|lower|longer|shorter)\s+than\s+(?:\d+|one|two|"
    r"three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE,
)


# A task's framing names no change: "a gain-frame environment", "loss aversion".
_FRAMING = re.compile(r"\b(?:loss|gain)[- ](?:frames?|domains?)\b|\bloss aversion\b", re.I)


# A change that is kept from happening: "exercise prevents the circadian phase delay"
# says the phase is not later with exercise, where "prevents" alone read as down and
# "delay" as later (weigh filed Mendt et al.'s "both exercise groups were characterized
# by a phase advance" as contradicting that claim).
_COUNTERED = re.compile(
    r"\b(?:prevent(?:s|ed|ing)?|counteract(?:s|ed|ing)?|counter(?:s|ed|ing)?|"
    r"mitigat(?:e|es|ed|ing)|protect(?:s|ed|ing)?\s+against|avert(?:s|ed|ing)?|"
    r"offset(?:s|ting)?|revers(?:e|es|ed|ing)|abolish(?:es|ed|ing)?|block(?:s|ed|ing)?)\s+"
    # a noun phrase: after an article ("prevents the circadian phase delay"), or the
    # direction word itself ("prevents delays"); not "blocking noradrenaline reduced ...",
    # whose direction word is the sentence's verb
    r"(?P<what>(?:(?:the|a|an|any|its|their|this|that)\s+(?:[\w-]+\s+){0,2}?)?"
    r"(?:" + "|".join(p for name, p in _WORDS.items() if name != "effect") + r"))\b",
    re.IGNORECASE,
)


# On a par with an active treatment is an effect, not none: Ahmad et al.'s "the analgesic
# effect of OLE-NLC gel was comparable to that of standard gel" (diclofenac) read as no
# effect, and vetoed the model's support for "Tulsi has analgesic effects".
_ON_PAR = re.compile(
    r"\b(?:comparable|similar|equivalent|on\s+par|at\s+par)\s+(?:with|to)\s+"
    r"(?:that\s+of\s+|those\s+of\s+)?(?:the\s+|a\s+)?(?:standard|reference|marketed|"
    r"commercial|positive[- ]control|conventional|established)\b",
    re.IGNORECASE,
)


def directions(text: str) -> set[Direction]:
    """The directions ``text`` states (see the module docstring); empty when it states none."""
    text = _FRAMING.sub(" ", _THRESHOLD.sub(" ", _ALTERNATIVE.sub(" ", text)))
    text = _ON_PAR.sub(" effect ", text)
    found: set[Direction] = set()
    for m in _COUNTERED.finditer(text):
        found |= flipped(directions(m["what"]) - {"none", "effect"})
    text = _COUNTERED.sub(" ", text)
    if _NONE.search(text):
        found.add("none")
    text = _NONE.sub(" ", text)  # a negated direction word is not that direction
    for name, pattern in _DIRECTED.items():
        if pattern.search(text):
            found.add(name)
    return found


_ANY_DIRECTION = re.compile(
    "|".join(p.pattern for name, p in _DIRECTED.items() if name != "effect") + "|" + _NONE.pattern,
    re.IGNORECASE,
)


# What follows a direction word yet names no outcome: a comparative's manner ("more
# *often*", "more *calmly*"), kept apart from words like "daily" that name one.
_MANNER = re.compile(
    r"^\W*(?:(?!(?:daily|weekly|monthly|yearly|nightly|hourly|early|family|only|elderly)\b)"
    r"(?:\w{3,}ly|often)\b\W*)+",
    re.IGNORECASE,
)
# A clause or an adjunct after the direction word: the outcome came before it ("heart
# rate was greater *while awaiting* ...", "have stayed constant *since* the 1980s").
_ADJUNCT = re.compile(
    r"^\W*(?:while|whilst|when|since|after|before|during|in|on|at|by|for|among|across|over|"
    r"between|from|until|within|compared|relative|as|if|than)\b|^\W*$",
    re.IGNORECASE,
)
# A direction noun: "a reduction *in* smoking" names its outcome after "in" or "of".
_NOUN = re.compile(
    r"(?:\b(?:a|an|the|any)\s+\w+|ions?|ments?|(?:in|de)creases?|rises?|drops?|falls?|"
    r"declines?|gains?)$",
    re.IGNORECASE,
)
_SHIFT = re.compile(r"^shift\w*\s+(.*)\s+\w+$", re.IGNORECASE | re.DOTALL)


def outcome_of(text: str) -> str | None:
    """What ``text`` says changes, or None when it states no direction (an effect word
    alone does not count).

    Usually the words after its first direction word ("X improves *sleep quality*",
    "more erosive *than sugar-containing medicines*"). When what comes before "than" is
    only a comparative's manner or an adjunct, the outcome came before the direction
    word and is read with the rest: "*Typical sample sizes* have stayed roughly
    constant since *the mid-1980s*", "*Horses' peak heart rate* was greater while
    *awaiting* ...". Words on both sides of a comparison are its subjects, not what
    changes, and are left out: "Horses waiting to go to pasture swished their tails
    more often than horses waiting for isolation" gives "to go to pasture swished their
    tails for isolation"."""
    m = _ANY_DIRECTION.search(text)
    if not m:
        return None
    shift = _SHIFT.match(m.group())
    if shift:  # "shifts the circadian rhythm of core body temperature later"
        return shift[1].strip()
    rest = _MANNER.sub("", text[m.end() :])
    than = re.search(r"\bthan\b", rest, re.IGNORECASE)
    after, side = (rest[: than.start()], rest[than.end() :]) if than else (rest, "")
    noun = re.match(r"\W*(?:in|of)\b", after) and _NOUN.search(text[: m.end()])
    if noun or not _ADJUNCT.match(after):
        return rest.strip()
    before = text[: m.start()].rsplit(",", 1)[-1]  # not a leading clause ("After X, ...")
    ours = re.findall(r"[\w'-]+", before)
    theirs = re.findall(r"[\w'-]+", side)
    shared = {w.lower() for w in ours} & {w.lower() for w in theirs}
    kept = ours + re.findall(r"[\w'-]+", _ADJUNCT.sub("", after, count=1)) + theirs
    return " ".join(w for w in kept if w.lower() not in shared)


def without_directions(text: str) -> str:
    """``text`` with its direction words and phrases blanked: what it is about, not
    which way it goes."""
    text = _NONE.sub(" ", text)
    for pattern in _DIRECTED.values():
        text = pattern.sub(" ", text)
    return text


#: Each direction and its opposite (on its own axis).
OPPOSITE: dict[Direction, Direction] = {
    "up": "down",
    "down": "up",
    "better": "worse",
    "worse": "better",
    "later": "earlier",
    "earlier": "later",
}


def flipped(found: set[Direction]) -> set[Direction]:
    """``found`` said of the other side: up for down, better for worse, later for earlier."""
    return {OPPOSITE.get(d, d) for d in found}
