"""What a passage says did not happen for a named thing, and a claim that says it did.

Dubois et al.'s abstract: "value-free random exploration is attenuated under the
influence of propranolol, but not under amisulpride". Asked "And amisulpride?", the
1.5B model answered "value-free random exploration was attenuated under the influence
of amisulpride" and cited that sentence. The direction check let it through: the
sentence does say "attenuated", and it names amisulpride, so it shares the claim's
words. What it says of amisulpride is the opposite.

:func:`denied` reads the things a sentence names under a negation ("but not under
amisulpride", "no effect of amisulpride", "amisulpride had no effect");
:func:`unmoved` reads the outcomes it says did not change ("did not affect fruit and
vegetable intake"). :func:`affirms_denied` finds a claim that states a change (up or
down) for such a thing, where no source sentence states that change for it outside a
negation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ideapump.grounding.directions import directions
from ideapump.grounding.quotes import sentence_spans, tidy

_THING = r"(?:the\s+)?(?P<what>[A-Za-z][\w-]*)"
_DENIED = (
    re.compile(rf"\bnot\s+(?:under|with|for|by|after|in|on|from|of)\s+{_THING}", re.I),
    re.compile(
        r"\bno\s+(?:significant\s+|reliable\s+|detectable\s+|measurable\s+)?"
        rf"(?:effects?|influence|impact|changes?|differences?)\s+(?:of|from|for|with|under)\s+{_THING}",
        re.I,
    ),
    re.compile(
        rf"{_THING}\s+(?:had|has|have|showed|shows|produced|exerted)\s+no\s+"
        r"(?:significant\s+)?(?:effects?|influence|impact)\b",
        re.I,
    ),
)
# What was measured and did not move: Epton et al.'s "The intervention reduced rates of
# smoking ... but did not affect fruit and vegetable intake", cited by the 1.5B model for
# "The intervention reduced fruit and vegetable intake"; and their abstract's "but it had
# little effect on fruit and vegetable intake". An outcome, not a cause: a proposal may
# well test again what a paper found unmoved (coherence reads :func:`denied` only).
_UNMOVED = (
    re.compile(
        r"\b(?:did|does|do)\s+not\s+(?:significantly\s+)?"
        rf"(?:affect|alter|change|influence|modify)\s+{_THING}",
        re.I,
    ),
    re.compile(
        r"\b(?:had|has|have|showed|shows)\s+(?:little|no)\s+(?:significant\s+|clear\s+)?"
        rf"(?:effects?|influence|impact)\s+on\s+{_THING}",
        re.I,
    ),
)
# Words the patterns catch that name no thing: "not under the influence", "no effect on".
_NOT_A_THING = frozenset({"influence", "any", "all", "both", "either", "this", "that", "it", "its"})


def denied(sentence: str) -> set[str]:
    """The things (lower-case words) ``sentence`` names under a negation."""
    found = {m["what"].lower() for p in _DENIED for m in p.finditer(sentence)}
    return found - _NOT_A_THING


def unmoved(sentence: str) -> set[str]:
    """The outcomes (lower-case words) ``sentence`` says did not change."""
    found = {m["what"].lower() for p in _UNMOVED for m in p.finditer(sentence)}
    return found - _NOT_A_THING


def names_denied(sentence: str, source_sentence: str) -> bool:
    """True when ``sentence`` names a thing ``source_sentence`` says had no effect: its
    "no effect" agrees with the source there, whatever else the source says changed."""
    gone = denied(source_sentence) | unmoved(source_sentence)
    return any(mentions(sentence, thing) for thing in gone)


def mentions(sentence: str, thing: str) -> bool:
    """True when ``sentence`` names ``thing`` as a whole word, in any case."""
    return re.search(rf"\b{re.escape(thing)}\b", sentence, re.I) is not None


@lru_cache(maxsize=512)
def _sentences(source: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    out = []
    for a, b in sentence_spans(source):
        s = tidy(source[a:b])
        out.append((s, frozenset(denied(s) | unmoved(s)), frozenset(directions(s))))
    return tuple(out)


def affirms_denied(sentence: str, sources: Sequence[str]) -> str | None:
    """The source sentence that denies what ``sentence`` states a change for, or None.

    ``sentence`` states a change (up or down) and names a thing a source sentence
    names under a negation, without negating it itself; and no source sentence
    names that thing outside a negation with the same change.
    """
    changes = directions(sentence) - {"none"}
    if not changes:
        return None
    own = denied(sentence) | unmoved(sentence)
    for source in sources:
        for text, nots, _ in _sentences(source):
            for thing in nots - own:
                if not mentions(sentence, thing):
                    continue
                affirmed = any(
                    mentions(s, thing) and thing not in n and d & changes
                    for src in sources
                    for s, n, d in _sentences(src)
                )
                if not affirmed:
                    return text
    return None
