"""Alternatives a sentence lists: "either A or B" read against the list its passage gives.

Asked "Which conditions were adolescents randomised to in the implementation intention
eating study?", the 1.5B model answered "Adolescents were randomised to either the active
control condition or the intervention condition", citing Peach et al.'s "Participants were
individually randomly assigned to passive control (n = 36), active control (n = 36) or
intervention (n = 35) conditions." Every word was the passage's, so every check passed,
and the researcher was told of two arms in a three-arm trial.

A sentence that offers alternatives as the whole choice ("either A or B", "one of A or
B") leaves one out when a source sentence lists its alternatives among more, one of
which the sentence does not name: :func:`omitted_alternatives`. A list of values given
"respectively" is cut when a sentence keeps its first values and drops the rest ("44% of
all mailed invitations went to males and females respectively"): :func:`cut_respectively`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ideapump.grounding.normalize import content_words, numbers
from ideapump.grounding.quotes import sentences

# "either A or B", "one of A, B or C": the alternatives a sentence says are all there are.
_WHOLE_CHOICE = re.compile(
    r"\b(?:either|one of(?: the)?(?: (?:two|three|four))?)\s+(?P<items>[^.;:\[\]]+?"
    r"\bor\b[^.;:\[\]]+?)(?=\s*(?:\[|[.;:]|,\s|$))",
    re.I,
)
# A source's list: "passive control (n = 36), active control (n = 36) or intervention";
# or its clauses: "Intervention participants formed implementation intentions ...;
# participants in the active control condition completed health-related tasks; and
# passive control participants read health information." (the sentence the model cited).
_SOURCE_LIST = re.compile(
    r"(?P<items>(?:[^,;:]+,\s*){1,6}[^,;:]+?,?\s+(?:or|and)\s+[^,;:.]+)", re.I
)
_CLAUSE_LIST = re.compile(r"(?P<items>(?:[^;]+;\s*){1,6}[^;]+)")
_SPLIT = re.compile(r",\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+", re.I)
_CLAUSE_SPLIT = re.compile(r";\s*(?:and\s+|or\s+)?", re.I)
_BRACKETED = re.compile(r"\([^()]*\)")
# Words that say an item is an arm, not which one.
_ARM_WORDS = frozenset(
    content_words("condition conditions group groups arm arms the either both participants")
)


def _items(text: str) -> list[str]:
    return [i.strip() for i in _SPLIT.split(_BRACKETED.sub(" ", text)) if i.strip()]


def _words(item: str) -> set[str]:
    return content_words(item) - _ARM_WORDS


def omitted_alternatives(sentence: str, sources: Sequence[str]) -> list[str]:
    """What a source lists beside the alternatives ``sentence`` gives as the whole choice,
    and the sentence leaves out ("passive control"); empty when it leaves nothing out."""
    for choice in _WHOLE_CHOICE.finditer(sentence):
        claimed = [w for i in _items(choice["items"]) if (w := _words(i))]
        if len(claimed) < 2:
            continue
        for source in sources:
            for text in sentences(source, 0):
                lists = [_items(m["items"]) for m in _SOURCE_LIST.finditer(text)]
                lists += [
                    [c.strip(" .") for c in _CLAUSE_SPLIT.split(m["items"]) if c.strip(" .")]
                    for m in _CLAUSE_LIST.finditer(text)
                ]
                for items in lists:
                    left = _left_out(claimed, items)
                    if left:
                        return left
    return []


def _left_out(claimed: list[set[str]], items: list[str]) -> list[str]:
    """The ``items`` none of the ``claimed`` alternatives is, when each alternative is a
    different one of them."""
    named = [_words(i) for i in items]
    matched = {k for w in claimed for k, ws in enumerate(named) if w <= ws}
    if len(matched) < max(len(claimed), 2):
        return []
    return [t for k, i in enumerate(items) if k not in matched and (t := _tail(i))]


def _tail(item: str) -> str:
    """What an item is called: its last words after "to" ("Participants were ... assigned
    to passive control" gives "passive control"); a clause is shown whole, up to
    ``_SHOWN`` characters."""
    words = item.split()
    if len(words) > _NAME_WORDS and not any(w.lower() in {"to", "into"} for w in words):
        return item if len(item) <= _SHOWN else f"{item[:_SHOWN].rsplit(' ', 1)[0]} ..."
    cut = next(
        (k + 1 for k in range(len(words) - 1, -1, -1) if words[k].lower() in {"to", "into"}), 0
    )
    return " ".join(words[cut:][-_NAME_WORDS:])


_NAME_WORDS = 3
_SHOWN = 60


_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def _figure(value: float) -> str:
    return f"{value:g}"


def cut_respectively(sentence: str, sources: Sequence[str]) -> list[str]:
    """The values a source sentence gives "respectively" that ``sentence`` leaves out of
    its own "respectively" list, where it keeps some of them.

    Asked how many smokers responded to the mailed invitations, the 1.5B model wrote
    "44% of all mailed invitations went to males and females respectively", citing
    Thompson et al.'s "approximately 44% and 56% of all mailed invitations went to males
    and females respectively": one value for two groups, each number found in the passage.
    """
    said = _RESPECTIVELY.search(sentence)
    if said is None:
        return []
    claimed = [n.value for n in numbers(sentence[: said.start()])]
    if not claimed:
        return []
    for source in sources:
        for text in sentences(source, 0):
            there = _RESPECTIVELY.search(text)
            if there is None:
                continue
            listed = [n.value for n in numbers(text[: there.start()])]
            # the values listed together before "respectively" (up to the claim's last)
            if len(claimed) < len(listed) and claimed == listed[: len(claimed)]:
                return [_figure(v) for v in listed[len(claimed) :]]
    return []
