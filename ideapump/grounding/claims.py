"""Claim checking: is a sentence a model wrote supported by the passages it rests on?

A sentence that states a number, a test statistic or a direction must be
supported by its sources (the passages it cites):

* **numbers** - every number it states occurs in a source, compared as values
  (:func:`~ideapump.grounding.normalize.numbers`: ``0.022``/``.022``,
  ``1,445``/``1445``, ``18%``/``18 percent``/``0.18``, minus signs, ranges, and a
  source's numbers in words, "Sixty volunteers"); a rounding of a source's number
  counts ("55%" for "55.25%"), a one-digit rounding does not ("2" for "2.4").
  Citation markers and labels ("Figure 3", "Table 1", "Experiment 2") are no numbers.
* **statistics** - every test it reports (``t(40) = 2.92``, ``F(2, 54) = 6.72``,
  read by the auditor's own extractor) is a test of a source with the same
  kind, degrees of freedom and value, not the numbers of two tests mixed; and a
  value it names by a statistic ("d = 2.92") is not one its sources give only
  under another name (there, t).
* **direction** - the directions it states (:mod:`~ideapump.grounding.directions`)
  do not contradict the source sentence closest to it in content (at least two
  content words in common, direction words aside): "reduced" against "no drug
  effect", "increased" against "attenuated".
  Nor does it state a change for a thing the source says had none ("attenuated under
  amisulpride" against "... under propranolol, but not under amisulpride";
  :mod:`~ideapump.grounding.no_effect`).
* **named works** (where the caller gives the cited documents' years) - a work
  the sentence names ("Silvetti et al. (2018)", "Wilson and Collins, 2019") is
  named in a source, or has the year of a cited document (the paper itself):
  the 1.5B model credited Dubois' own abstract to "Silvetti et al. (2018)"
  (:mod:`~ideapump.grounding.works`).

Chat answers are held to a strict form (``strict=True``): a number must occur in a
source sentence about the same thing (two content words in common), not anywhere
in the chunk, numbers written as words included ("ten", "twenty-three"), and the
closest source sentence must state the same direction.

:func:`check_sentence` gives a :class:`Verdict` with the reasons a sentence
fails; :func:`check_text` keeps the sentences of a text that pass and says
which were removed. IdeaPump removes a failing sentence everywhere (chat, the
OpenAI route, propose, critique and the digest) and counts it in
``unsupported_removed``: a number that appears in no source is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ideapump.grounding.directions import (
    FLIP,
    compared_the_other_way,
    conflict,
    directions,
    said_of,
    without_directions,
)
from ideapump.grounding.lists import cut_respectively, omitted_alternatives
from ideapump.grounding.no_effect import affirms_denied, names_denied
from ideapump.grounding.normalize import Number, content_words, fold, number_in, numbers, terms
from ideapump.grounding.quotes import sentence_spans, tidy
from ideapump.grounding.works import unsupported_works

#: Content words a source sentence must share with a claim to be "about the same thing".
MIN_SHARED_TERMS = 2
_MARKER = re.compile(r"\s*\[\s*\d+(?:\s*,\s*\d+)*\s*\]")


@dataclass
class Verdict:
    ok: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Checked:
    """A text with its unsupported sentences removed."""

    text: str
    kept: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (sentence, reason)


def strip_markers(text: str) -> str:
    """``text`` without "[2]" / "[1, 3]" citation markers."""
    return _MARKER.sub("", text)


def marker_numbers(text: str) -> list[int]:
    """The numbers of ``text``'s citation markers, in order: "[1, 3] ... [2]" gives 1, 3, 2."""
    return [int(n) for m in _MARKER.finditer(text) for n in re.findall(r"\d+", m.group())]


@lru_cache(maxsize=512)
def _source_numbers(source: str) -> tuple[Number, ...]:
    return tuple(numbers(source, words=True))


@lru_cache(maxsize=512)
def _source_tests(source: str) -> tuple[tuple[str, float | None, float | None, str], ...]:
    from ideapump.stats.extract import extract

    return tuple((r.test_type, r.df1, r.df2, r.stat_text) for r in extract(fold(source)))


@lru_cache(maxsize=512)
def _source_sentences(source: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    out = []
    for a, b in sentence_spans(source):
        s = tidy(source[a:b])
        out.append((s, frozenset(terms(without_directions(s))), frozenset(directions(s))))
    return tuple(out)


def states_something(sentence: str) -> bool:
    """True when ``sentence`` states a number, a test or a direction: what must be checked."""
    plain = strip_markers(sentence)
    return bool(numbers(plain)) or bool(directions(plain))


def _same_value(claimed: str, stated: str) -> bool:
    a, b = (
        Number(abs(float(claimed)), False, claimed.lstrip("-"), _decimals(claimed)),
        abs(float(stated)),
    )
    return number_in(a, [Number(b, False, stated, _decimals(stated))])


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@lru_cache(maxsize=512)
def _sentence_numbers(source: str) -> tuple[tuple[frozenset[str], tuple[Number, ...]], ...]:
    out = []
    for a, b in sentence_spans(source):
        s = tidy(source[a:b])
        out.append((frozenset(terms(s)), tuple(numbers(s, words=True))))
    return tuple(out)


def unsupported_numbers(
    sentence: str, sources: Sequence[str], *, near: bool = False, words: bool = False
) -> list[str]:
    """The numbers ``sentence`` states that occur in none of ``sources``.

    ``near``: only in a source sentence about the same thing (at least
    ``MIN_SHARED_TERMS`` content words in common with ``sentence``), so that "10
    observers" is not supported by "360 trials across 10 blocks" in the same chunk.
    ``words``: numbers written as words count too ("with ten from the CTR group", where
    the passage says "CTR, n = 9"), except "one", which prose uses for "a".
    """
    plain = strip_markers(sentence)
    if near:
        about = terms(plain)
        stated = [
            n
            for src in sources
            for t, nums in _sentence_numbers(src)
            if len(about & t) >= MIN_SHARED_TERMS
            for n in nums
        ]
    else:
        stated = [n for s in sources for n in _source_numbers(s)]
    claimed = [n for n in numbers(plain, words=words) if n.text.lower() not in _NOT_COUNTS]
    return [n.text for n in claimed if not number_in(n, stated)]


# "one of three groups", "at least one": a word, not a count to check.
_NOT_COUNTS = frozenset(["one", "zero"])


# The word a number counts or measures: "18 to 157 minutes" gives "minutes".
_UNIT_AFTER = r"\s*(?:(?:to|and|or|-|\u2013)\s*[\d.,]+\s*)?%?\s*([A-Za-z]{3,})"


def _unit(text: str, number: str) -> str | None:
    m = re.search(rf"(?<![\d.]){re.escape(number)}{_UNIT_AFTER}", text)
    return m[1].lower() if m else None


def misplaced_numbers(sentence: str, sources: Sequence[str]) -> list[str]:
    """Numbers ``sentence`` gives to what another source sentence measures.

    "The researcher time to recruit one smoker through community outreach was 18 to 157
    minutes" (the 1.5B model), citing "... researcher time to recruit one participant
    varying from 18 to 157 minutes" (through primary care) and "... other
    community-based approaches, with an associated researcher time of 469 minutes": every
    number occurs, but "community" is the other sentence's, and so is its own number of
    minutes. A number is misplaced when the words the sentence adds to the source
    sentence that gives it belong to another source sentence, which gives the same unit
    a different number.
    """
    plain = strip_markers(sentence)
    about = terms(plain)
    found = [
        (t, nums, text)
        for src in sources
        for (t, nums), (text, _, _) in zip(
            _sentence_numbers(src), _source_sentences(src), strict=True
        )
    ]
    out = []
    for n in numbers(plain):
        unit = _unit(plain, n.text)
        giving = [f for f in found if number_in(n, list(f[1]))]
        if unit is None or not giving:
            continue
        best = max(giving, key=lambda f: len(about & f[0]))
        added = about - best[0]
        for t, nums, text in found:
            if not (added & t) or any(number_in(n, [m]) for m in nums):
                continue
            if any(_unit(fold(text), m.text) == unit for m in nums):
                out.append(n.text)
                break
    return out


def mismatched_tests(sentence: str, sources: Sequence[str]) -> list[str]:
    """The tests ``sentence`` reports that no source reports with the same df and value."""
    from ideapump.stats.extract import extract

    stated = [t for s in sources for t in _source_tests(s)]
    bad = []
    for r in extract(fold(strip_markers(sentence))):
        if not any(
            kind == r.test_type
            and (r.df1 is None or df1 == r.df1)
            and (r.df2 is None or df2 == r.df2)
            and _same_value(r.stat_text, value)
            for kind, df1, df2, value in stated
        ):
            bad.append(r.quote)
    return bad


# A value named by its statistic: "d = 0.91", "Cohen's d of 0.91", "r was .42",
# "t(40) = 2.92", "odds ratio 1.8", "η2 = .06". Single letters are case-sensitive
# (t is not T, r is not R2); the named ratios are not.
_LABELLED = re.compile(
    r"(?<![\w.])(?P<label>d|g|r|t|F|z|OR|RR|HR|R2|R\u00b2|\u03b7p?2|\u03b7p?\u00b2|\u03b2|"
    r"(?i:beta|odds ratio|risk ratio|hazard ratio))"
    r"\s*(?:\([^()]{0,20}\))?\s*(?:=|:|\bof\b|\bwas\b|\bis\b|\bwere\b)?\s*"
    r"(?P<value>-?\d*\.?\d+)(?![\d.]*\d)"
)
_LABEL_NAMES = {
    "odds ratio": "OR",
    "risk ratio": "RR",
    "hazard ratio": "HR",
    "beta": "\u03b2",
    "R\u00b2": "R2",
}


def _labelled(text: str) -> list[tuple[str, str]]:
    """(statistic, value) pairs ``text`` states, the statistic's name canonical."""
    out = []
    for m in _LABELLED.finditer(fold(text)):
        label = m["label"]
        label = _LABEL_NAMES.get(label.casefold(), _LABEL_NAMES.get(label, label))
        out.append((label.replace("\u00b2", "2"), m["value"]))
    return out


def mislabelled_values(sentence: str, sources: Sequence[str]) -> list[str]:
    """Values ``sentence`` gives under one statistic that its sources give only under another.

    The 1.5B model wrote "a d of 2.923 (t(40) = 2.923)": the number is in the passage,
    as a t. A value the sources state without a name, or not at all, is left to
    :func:`unsupported_numbers`.
    """
    stated = [pair for src in sources for pair in _labelled(src)]
    bad = []
    for label, value in _labelled(strip_markers(sentence)):
        names = {lab for lab, v in stated if _same_value(value, v)}
        if names and label not in names:
            bad.append(
                f"{label} = {value} (the passage gives {value} as {', '.join(sorted(names))})"
            )
    return bad


def _scored(plain: str, sources: Sequence[str]) -> list[tuple[int, str, frozenset[str]]]:
    """Each source sentence with the content words it shares with ``plain`` and its
    directions, said of ``plain``'s side of a comparison: "wolves clearly outperformed
    the dogs" is down for "dogs did better than wolves"."""
    about = terms(without_directions(plain))
    stated = [n for n in numbers(plain) if n.text.lower() not in _NOT_COUNTS]

    def shared(t: frozenset[str], given: tuple[Number, ...]) -> int:
        # A number the claim gives says which sentence it is about more than any word:
        # "the bed rest group without exercise was delayed by 0.69 hours" is about "CTR
        # showed a phase delay of 0.69 h", not the next sentence on the exercise groups.
        return len(about & t) + NUMBER_WEIGHT * sum(number_in(n, list(given)) for n in stated)

    return [
        (shared(t, given), s, frozenset(FLIP.get(x, x) for x in d))
        if compared_the_other_way(plain, s)
        else (shared(t, given), s, d)
        for src in sources
        for (s, t, d), (_, given) in zip(
            _source_sentences(src), _sentence_numbers(src), strict=True
        )
    ]


#: What a number the claim and a source sentence share counts for, in content words.
NUMBER_WEIGHT = 2


def closest_sentences(sentence: str, sources: Sequence[str]) -> list[str]:
    """The source sentences closest to ``sentence`` as the direction checks read them: the
    most content words in common (a shared number counting ``NUMBER_WEIGHT``), at least
    ``MIN_SHARED_TERMS``; [] when none is that close."""
    scored = _scored(strip_markers(sentence), sources)
    best = max((n for n, _, _ in scored), default=0)
    return [s for n, s, _ in scored if n == best] if best >= MIN_SHARED_TERMS else []


def contradicted(sentence: str, sources: Sequence[str]) -> str | None:
    """The source sentence whose direction the claim contradicts, or None.

    The claim is compared with the source sentences that share most content words
    with it (at least ``MIN_SHARED_TERMS``); it is contradicted when every one of
    them that states a direction states another.
    """
    plain = strip_markers(sentence)
    claimed = directions(plain)
    if not claimed:
        return None
    scored = _scored(plain, sources)
    best = max((n for n, _, _ in scored), default=0)
    if best < MIN_SHARED_TERMS:
        return None
    closest = [(s, d) for n, s, d in scored if n == best and d]
    if closest and all(conflict(claimed, d) for _, d in closest):
        if claimed == {"none"} and any(names_denied(plain, s) for s, _ in closest):
            return None  # "amisulpride had no effect" beside "..., but not under amisulpride"
        return closest[0][0]
    return None


# Where a sentence sets one side against another: "A worked better than B".
_AGAINST = re.compile(r"\b(?:than|compared\s+(?:to|with)|relative\s+to|versus|vs\.?)\s+", re.I)
# The end of the other side's name: "than the self-regulatory module (SelfR) [1]".
_SIDE_END = re.compile(
    r"[,;:.()\[]|\b(?:in|at|on|during|for|after|before|when|while|and|but|with|by|from)\b", re.I
)
# Words every side of a study has, which tell none apart.
_SIDE_WORDS = frozenset(
    terms(
        "group groups condition conditions module modules arm arms participants subjects "
        "people study trial intervention interventions those ones one other"
    )
)


def sides(sentence: str) -> tuple[set[str], set[str]] | None:
    """The two sides ``sentence`` compares ("A ... than B"), each as the content words
    only it has; None when it compares none."""
    plain = strip_markers(sentence)
    m = _AGAINST.search(plain)
    if not m:
        return None
    other = _SIDE_END.split(plain[m.end() :], maxsplit=1)[0]
    drop = _SIDE_WORDS | _FRAMING
    b = content_words(without_directions(other)) - drop
    a = content_words(without_directions(plain[: m.start()])) - drop - b
    return (a, b) if a and b else None


def swapped_sides(sentence: str, sources: Sequence[str]) -> str | None:
    """The source sentence that names both sides ``sentence`` compares and says the
    opposite of its first side, or None.

    The chat answered "which module worked better, the motivational or the
    self-regulatory?" with "The motivational intervention (Mot) worked better than the
    self-regulatory module (SelfR)", citing "... brief self-regulatory skill training
    appears to be promising, whereas an educational program that provides information to
    build motivation seems to be less effective": the direction words of the sentences
    closest in words agreed, the sides did not.
    """
    compared = sides(sentence)
    if compared is None:
        return None
    a, b = compared
    claimed = said_of(strip_markers(sentence), a, b)
    if not claimed:
        return None
    first, second = {w[:5] for w in a}, {w[:5] for w in b}
    for src in sources:
        for s, t, _ in _source_sentences(src):
            named = {w[:5] for w in t}
            if not (first & named and second & named):
                continue
            said = said_of(s, a, b)
            if said and not said & claimed:
                return s
    return None


def direction_supported(sentence: str, sources: Sequence[str]) -> bool:
    """True when a source sentence close to ``sentence`` (at least ``MIN_SHARED_TERMS``
    content words in common, the most of any) states a direction it states too.

    The strict test, for sentences the code itself attaches to evidence: not
    contradicting a passage is not enough to be supported by it.
    """
    plain = strip_markers(sentence)
    claimed = directions(plain)
    if not claimed:
        return True
    scored = _scored(plain, sources)
    best = max((n for n, _, _ in scored), default=0)
    return best >= MIN_SHARED_TERMS and any(
        n == best and (d & claimed or (claimed == {"none"} and names_denied(plain, s)))
        for n, s, d in scored
    )


# Words an answer adds around what a passage says, not content taken from one.
_FRAMING = frozenset(
    terms(
        "according authors evidence document documents passage passages library paper "
        "papers researchers study studies research finding findings found suggest suggests "
        "suggested indicate indicates indicated state states stated described describes "
        "mentioned mentions conclude concluded observed shown showed reported respectively "
        "however therefore overall specifically particular answer question yes "
        "experiment experiments experimental condition conditions subjects sample"
    )
)


# "(SelfR)" after "self-regulatory module": the sentence names its own abbreviation.
_DEFINED = re.compile(r"\(\s*[A-Za-z][\w-]{0,9}\s*\)")


def borrowed_words(
    sentence: str, cited: Sequence[str], others: Sequence[str], question: str = ""
) -> list[str]:
    """Content words of ``sentence`` that none of the ``cited`` texts has but one of
    the ``others`` (evidence it does not cite) has: the sentence mixes two sources.
    Pass what the model was shown (an evidence item's title and sentence), not the
    whole chunk: a word the chunk has but the model was not shown came from elsewhere.

    The 1.5B model answered "The rat study used methamphetamine" citing the passage
    that says "we used a pharmacological method", methamphetamine coming from another
    piece of evidence; and "the CTR group trained three times per week" citing "The
    exercise was scheduled three times per week", CTR (the group without exercise) from
    another. Words of the question, words that frame an answer ("the study
    found"), and an abbreviation the sentence defines in parentheses are not counted.
    """
    said = _DEFINED.sub(" ", strip_markers(sentence))
    extra = content_words(said) - _said_by(cited) - content_words(question) - _FRAMING
    if not extra:
        return []
    return sorted(extra & _said_by(others))


#: Words a sentence may add to what it was shown before it says something nothing said.
MAX_UNSAID = 2
# Verbs that carry an answer, whatever it is about: "It took 469 minutes", "The study used".
_CARRIERS = frozenset(terms("took take takes used using uses receive received given"))


def unsaid_words(sentence: str, shown: Sequence[str], question: str = "") -> list[str]:
    """Content words of ``sentence`` that nothing the model was ``shown`` and not the
    ``question`` has, when there are more than ``MAX_UNSAID`` of them: the sentence
    says what no evidence says.

    The 1.5B model answered "How was core body temperature measured in the head-down
    tilt bed rest study?" with "Core body temperature was measured using a thermocouple
    placed on the skin of the subject's arm", citing Mendt et al.'s aim; and said "CHX
    induces oxidative stress by disrupting the balance between glutathione and other
    antioxidants in the body". Every number and direction checked out, for there were
    none. Over 150 shown sentences of saved bench answers, the four with more than two
    such words were all words of the model's own; a paraphrase adds one or two.
    """
    said = _DEFINED.sub(" ", strip_markers(sentence))
    extra = content_words(said) - _said_by(shown) - content_words(question) - _FRAMING
    extra -= _CARRIERS
    return _words_for(sentence, extra) if len(extra) > MAX_UNSAID else []


def restated_question(sentence: str, cited: Sequence[str], question: str) -> list[str]:
    """The question's words ``sentence`` asserts and no ``cited`` text has, where the
    sentence says nothing but the question's words (direction words aside, which the
    direction check reads).

    Asked "Does exercise during bed rest prevent the circadian phase delay?", the 1.5B
    model answered "The study found that exercise during bed rest prevents the circadian
    phase delay", citing a sentence on other bed-rest studies that never names exercise:
    the question turned into a statement, which no check read because "prevents" is no
    direction word and every word came from the question.
    """
    said = content_words(without_directions(_DEFINED.sub(" ", strip_markers(sentence)))) - _FRAMING
    if not said or not said <= content_words(question):
        return []
    return _words_for(sentence, said - _said_by(cited))


# "The atomoxetine study found ...": a study named by what it is about.
_STUDY_NAMED = re.compile(
    r"\b(?:the|this|that|an?)\s+(?P<what>(?:[\w-]+\s+){1,3}?)"
    r"(?:study|studies|trial|experiment|paper|article|work|analysis)\b",
    re.I,
)
# What says which of the studies at hand, not what one is about: "the present study".
_WHICH = frozenset(
    terms(
        "present current same previous above cited original first second third recent new "
        "following latter former other earlier later whole entire main own last one another "
        "large small larger smaller"
    )
)


# ... or by the intervention it tested: "Was the web-based hand-washing intervention equally
# effective for men and women?" was answered from the cross-over study's "the
# interventions were equally effective in men and women", not the web-based trial's.
_INTERVENTION_NAMED = re.compile(
    r"\b(?:the|this|that)\s+(?P<what>(?:[\w-]+\s+){1,3}?)"
    r"(?:interventions?|programmes?|programs?)\b",
    re.I,
)


def study_named_by(text: str, interventions: bool = False) -> list[tuple[set[str], str]]:
    """Each study ``text`` names by what it is about ("the atomoxetine study"), and with
    ``interventions`` by what it tested ("the web-based hand-washing intervention"): its
    content words, and the words as written."""
    found = []
    plain = strip_markers(text)
    named = [*_STUDY_NAMED.finditer(plain)]
    if interventions:
        named += _INTERVENTION_NAMED.finditer(plain)
    for m in named:
        words = content_words(m["what"]) - _FRAMING - _WHICH
        if words:
            found.append((words, m["what"].strip()))
    return found


def misnamed_study(sentence: str, cited: Sequence[str]) -> list[str]:
    """The words ``sentence`` names a study by ("the atomoxetine study") that no ``cited``
    text (pass each cited passage whole, with its paper's title) has.

    To "What did the atomoxetine study find about random exploration?" the 1.5B model
    answered "The atomoxetine study found that random exploration was sensitive to
    neuromodulatory influences", citing Dubois et al., whose drugs were propranolol and
    amisulpride: the question's premise, shown as the paper's.
    """
    named = set().union(*(words for words, _ in study_named_by(sentence)))
    return _words_for(sentence, named - _said_by(cited))


def endorses_idea(sentence: str, cited: Sequence[str], idea: str) -> list[str]:
    """The words of the researcher's ``idea`` that ``sentence`` asserts and no ``cited``
    text has, where there are two or more: the sentence endorses the idea, it does not
    report what the passages found.

    To "I wonder whether we could use ear position as a welfare marker. What do you
    think?" the 1.5B model answered "Ear position can be a welfare marker, as it can
    indicate the level of arousal and stress in horses", citing a sentence on *neck*
    positions and arousal. Over factual questions the same test removed sound sentences
    ("Follow-up data was collected at 4 weeks", asked "When were follow-up data
    collected ...?"), so it applies to ideas only.
    """
    said = content_words(_DEFINED.sub(" ", strip_markers(sentence))) - _FRAMING
    missing = (said & content_words(idea)) - _said_by(cited)
    return _words_for(sentence, missing) if len(missing) >= 2 else []


def _said_by(texts: Sequence[str]) -> set[str]:
    """The content words of ``texts`` together."""
    return set().union(*(content_words(t) for t in texts)) if texts else set()


def _words_for(sentence: str, missing: set[str]) -> list[str]:
    """The words of ``sentence`` (once each, in order) whose content is in ``missing``."""
    words = re.findall(r"[A-Za-z][\w-]+", strip_markers(sentence))
    return list(dict.fromkeys(w for w in words if content_words(w) & missing))


def check_sentence(
    sentence: str,
    sources: Sequence[str],
    *,
    direction: bool = True,
    strict: bool = False,
    years: Iterable[int] | None = None,
) -> Verdict:
    """Whether ``sentence`` is supported by ``sources``, with the reasons when it is not.

    ``strict``: a direction must be stated by the closest source sentence
    (:func:`direction_supported`), not only left uncontradicted, and a number by a
    source sentence about the same thing, in words too (:func:`unsupported_numbers`
    ``near`` and ``words``).
    ``years``: the publication years of the cited documents; given, every work the
    sentence names must be one of them or named in a source (:func:`unsupported_works`).
    """
    reasons = []
    if years is not None:
        works = unsupported_works(strip_markers(sentence), sources, years)
        if works:
            reasons.append(f"names {'; '.join(works)}, which the cited passage does not")
    missing = unsupported_numbers(sentence, sources, near=strict, words=strict)
    if missing:
        reasons.append(f"{', '.join(missing)} in no cited passage")
    else:
        misplaced = misplaced_numbers(sentence, sources)
        if misplaced:
            reasons.append(
                f"gives {', '.join(misplaced)} to what another sentence of the passage measures"
            )
    left_out = omitted_alternatives(strip_markers(sentence), sources)
    if left_out:
        reasons.append(
            f"gives its alternatives as the whole choice, but the passage also lists "
            f"{', '.join(left_out)}"
        )
    cut = cut_respectively(strip_markers(sentence), sources)
    if cut:
        reasons.append(
            f"gives part of a list the passage gives respectively, without {', '.join(cut)}"
        )
    tests = mismatched_tests(sentence, sources)
    if tests:
        reasons.append(f"{'; '.join(tests)} is not a test the cited passage reports")
    renamed = mislabelled_values(sentence, sources)
    if renamed:
        reasons.append(f"calls a value by another statistic's name: {'; '.join(renamed)}")
    if direction:
        against = contradicted(sentence, sources) or swapped_sides(sentence, sources)
        denying = affirms_denied(strip_markers(sentence), sources)
        if against is not None:
            reasons.append(f"its direction contradicts the passage: {against[:120]!r}")
        elif denying is not None:
            reasons.append(f"the passage says there was no such effect: {denying[:120]!r}")
        elif strict and not direction_supported(sentence, sources):
            reasons.append("no sentence of the cited passage states its direction")
    return Verdict(ok=not reasons, reasons=reasons)


# A sentence that draws on the one before it: "This suggests that noradrenaline may have a
# significant impact on value-free random exploration." was the whole rationale of a final
# quick start's proposal once the sentence it followed had failed the check.
_CONCLUDES = re.compile(
    r"^\W*(?:this|these|that|those|such|it|they)\b(?:\s+[a-z][\w-]*){0,2}?\s+"
    r"(?:(?:also|further|therefore|thus)\s+)?"
    r"(?:suggest|indicat|impl|mean|show|support|demonstrat|confirm|highlight|point|"
    r"reveal|underscor|emphasi[sz]|is consistent|are consistent|is in line|are in line)\w*",
    re.I,
)


# A sentence that goes on from the one before it: "The authors argue, however, that these
# characteristics of wolves likely provided a good basis ..." was a whole answer once the
# sentence naming the characteristics had been set aside (a chat read of this session).
_GOES_ON = re.compile(
    r"^\W*(?:(?:[\w-]+\s+){0,3}?[\w-]+\s*,\s*)?(?:however|in contrast|by contrast|therefore|"
    r"thus|hence|moreover|furthermore|consequently|nevertheless|in addition|additionally)\b|"
    r"^\W*(?:[\w-]+\s+){0,6}?(?:these|those|such)\s+[a-z]",
    re.I,
)


def concludes_from_before(sentence: str) -> bool:
    """True when ``sentence`` draws its conclusion from the sentence before it ("This
    suggests ...", "These findings indicate ...") or goes on from it ("However, ...",
    "... that these characteristics ..."): shown without that sentence, it says nothing
    the reader can check."""
    plain = strip_markers(sentence)
    return bool(_CONCLUDES.search(plain) or _GOES_ON.search(plain))


def split_sentences(text: str) -> list[str]:
    """The sentences of a model's text (markers stay with their sentence)."""
    return [tidy(text[a:b]) for a, b in sentence_spans(text) if text[a:b].strip()]


def check_text(
    text: str,
    sources: Sequence[str],
    *,
    direction: bool = True,
    years: Iterable[int] | None = None,
) -> Checked:
    """``text`` without the sentences :func:`check_sentence` rejects, and without a
    sentence that draws on a removed one (:func:`concludes_from_before`).

    A text that loses nothing comes back exactly as it was written.
    """
    years = None if years is None else tuple(years)
    out = Checked(text="")
    spans = [(a, b) for a, b in sentence_spans(text) if text[a:b].strip()]
    kept_spans = []
    after_removed = False
    for a, b in spans:
        s = tidy(text[a:b])
        if after_removed and concludes_from_before(s):
            out.removed.append((s, "draws on the sentence before it, which was removed"))
            continue
        verdict = check_sentence(s, sources, direction=direction, years=years)
        after_removed = not verdict.ok
        if verdict.ok:
            out.kept.append(s)
            kept_spans.append((a, b))
        else:
            out.removed.append((s, "; ".join(verdict.reasons)))
    out.text = text.strip() if not out.removed else " ".join(text[a:b] for a, b in kept_spans)
    return out
