"""Which sentences of a passage report the paper's own results, and which one is its
finding on a claim.

A stance, a passage choice or an extractive answer must rest on a result: not an aim,
a hypothesis, a conjecture, a field's trend, an abstract's background or another
study's result the paper cites. :func:`states_result` and :func:`plans_or_supposes`
read one sentence; :func:`reports_no_result` a whole passage; :func:`finding_of`
picks the passage's sentence that states its result on a claim (code, not the model).
"""

from __future__ import annotations

import math
import re

from ideapump.evidence.directions import directions, without_directions
from ideapump.evidence.properties import GENERIC, property_of
from ideapump.grounding.claims import closest_sentences
from ideapump.grounding.works import cites_others

# A sentence that says what was planned, supposed, hoped or left for later is not a result:
# "we hypothesized that horses would show lower cortisol", "it has been suggested that
# dogs have become more attentive than wolves", "the results could be important for
# increasing awareness".
_NOT_A_RESULT = re.compile(
    r"\b(?:aim\w*|objectives?|purpose|hypothes\w*|whether|expect\w*|could(?!\s*(?:not|n't))|"
    r"might|may|(?:it is|it's) possible that|speculat\w*|"
    r"should|would|will|future|further research|(?:is|are) needed|to date|sought|"
    r"to (?:assess|evaluate|examine|investigate|test|determine|explore|compare)|"
    r"we (?:here )?(?:investigated|examined|assessed|evaluated|explored|studied|tested)|"
    # "it has been argued that these changes allowed dogs to ..." (Range et al.)
    r"been suggested|been proposed|been argued|been (?:also )?(?:reported|observed|shown|found)|"
    # a field's trend, not a result: "Exercise has gained increasing interest as ..."
    r"(?:increasing|growing|renewed|considerable|great)\s+(?:interest|attention)|"
    r"(?:has|have)\s+(?:gained|attracted|received)\b|"
    # a purpose: "an intervention to promote behavior intended to reduce transmission"
    r"intended to|designed to|in order to|so as to|"
    # what a study set out to do: "The U@Uni RCT assessed the efficacy of ..." (Epton et
    # al.'s discussion opens so), "Overall, this research has explored in a unique way
    # ..." (Lhakhang et al.'s, quoted as an extractive answer); 16 PubMedQA sentences,
    # each under an aim, background or methods label
    r"(?:RCT|trial|study|research|project|experiment|programme|program|paper|work)\s+"
    r"(?:will\s+|has\s+|have\s+)?"
    r"(?:assess|evaluat|examin|investigat|test|determin|explor|compar)\w*|"
    # what is not yet known: "Few theory- and evidence-based interventions to improve
    # regular handwashing are available." (Lhakhang et al.'s abstract); 17 PubMedQA
    # sentences, each under a background, objective or rationale label
    r"(?:few|little|limited|scarce)\s+(?:[\w-]+\s+){0,9}?(?:are|is|have been|has been|"
    r"exists?)\s+(?:currently\s+|yet\s+)?(?:available|known|published|developed|reported|"
    r"understood)|"
    r"(?:remains?|is|are)\s+(?:unclear|unknown|poorly understood|controversial|debated))\b",
    re.IGNORECASE,
)
# A structured abstract's sentence under a label that sets the study up:
# "Background: Frequent handwashing can prevent infections".
_SETUP_OPENING = re.compile(
    r"^\W*(?:background|introduction|objectives?|aims?|purpose|rationale)\s*[.:]", re.IGNORECASE
)


# What the aim turned up, said after it in the same sentence: "We next assessed whether
# novelty exploration was sensitive to our drug manipulation, but found no drug effects
# on the novel bandit (F(2, 54) = 1.498, ...)" (Dubois et al.) reports a result.
_FOUND = re.compile(
    r"\b(?:(?:we|but|and|yet)\s+(?:found|observed|saw|detected|obtained)|"
    r"(?:this|which|analysis|analyses|results?)\s+(?:revealed|showed|indicated))\b",
    re.IGNORECASE,
)


def plans_or_supposes(sentence: str) -> bool:
    """True when ``sentence`` states an aim, a purpose, a hypothesis, a conjecture, someone
    else's suggestion or result (it cites them), a field's trend or an abstract's
    background: whatever its words, not a result of its own. An aim followed by what
    was found ("we tested whether ..., but found no ...") is a result."""
    if _SETUP_OPENING.search(sentence) or cites_others(sentence):
        return True
    aim = _NOT_A_RESULT.search(sentence)
    return aim is not None and not _FOUND.search(sentence, aim.end())


def supposed_only(claim: str, sources: list[str]) -> str | None:
    """The source sentence that only supposes what ``claim`` states as a result, or None.

    ``claim`` states a result (:func:`states_result`); the source sentences closest to it
    (:func:`~ideapump.grounding.claims.closest_sentences`, as the direction checks read
    them) are all aims, hypotheses or conjectures of
    the paper's own. The chat answered "What showed that going to a novel environment
    alone was a negative experience for the horses?" with "The study found that horses
    showed lower cortisol variation in the negative condition ..." citing Phelipon et
    al.'s "We hypothesized that horses would show lower cortisol variation in the
    positive condition ...": a hypothesis shown as a finding (with its sides swapped).
    Another study's result the paper cites is not this case: it was found.
    """
    if not states_result(claim):
        return None
    closest = closest_sentences(claim, sources)
    if closest and all(_supposes_first(t) for t in closest):
        return closest[0]
    return None


def _supposes_first(sentence: str) -> bool:
    """True when ``sentence`` is an aim, hypothesis or conjecture of the paper's own
    before it states any direction: "We hypothesized that horses would show lower ...",
    not "The drug reduced scores, which could reflect ..." (a result, then a thought)."""
    if cites_others(sentence):
        return False
    # (unlike plans_or_supposes, a "Background:" label does not count: what a background
    # asserts, the paper asserts too)
    aim = _NOT_A_RESULT.search(sentence)
    if aim is None or _FOUND.search(sentence, aim.end()):
        return False
    first = next(
        (m.start() for m in _A_WORD.finditer(sentence) if directions(m[0]) - {"effect"}), None
    )
    return first is None or aim.start() < first


_A_WORD = re.compile(r"[A-Za-z][\w-]*")


#: A p-value as papers print it: "p = .03", "P < 0.001".
P_VALUE = re.compile(r"\b[pP]\s*[<=>\u2264\u2265]\s*0?\.\d")


def states_result(sentence: str) -> bool:
    """True when ``sentence`` reports a result: a direction or a p-value, not an aim or
    a conjecture (what a stance can rest on; see :func:`finding_of`)."""
    if plans_or_supposes(sentence):
        return False
    return bool(directions(sentence) - {"effect"}) or bool(P_VALUE.search(sentence))


_NUMBER = re.compile(r"\d")
# A measured outcome: a percentage, a rate or a ratio, "n of N", "n/N".
_MEASURED = re.compile(
    r"\d\s*(?:%|percent\b)|\b(?:rate|ratio|sensitivity|specificity|kappa|accuracy)\b.{0,40}\d"
    r"|\b\d+\s+(?:of|out of)\s+\d+\b|\b\d+\s*/\s*\d+\b",
    re.IGNORECASE,
)
# A structured abstract's results label: "**Results.**", "RESULTS:".
_RESULTS_LABEL = re.compile(r"(?:\*\*|^)\s*results?\s*[.:]|\bRESULTS?\s*:", re.IGNORECASE | re.M)
# Its labels for what sets a study up: "**Design.**", "SETTING:".
_SETUP_LABEL = re.compile(
    r"(?:\*\*|^)\s*(?:objectives?|aims?|purpose|background|introduction|design|setting|"
    r"methods?|subjects|participants|patients|materials)\s*[.:]",
    re.IGNORECASE | re.M,
)


def reports_no_result(passage: str, title: str = "") -> str | None:
    """Why ``passage`` cannot support or contradict a claim when it evidently reports no
    result, else None.

    It reports one when it carries a results label ("**Results.**"), or a sentence that
    :func:`states_result`, names an effect with a number ("PET changed management in
    17 of 46 patients") or gives a measured outcome (a percentage, a rate, "n of N").
    What is left is aims, design, setting and background: "**Objectives.** To compare
    ... **Setting.** 2 large nursing homes". The 1.5B model answered "yes" to such
    passages on most PubMedQA questions, and their "support" outvoted the result
    passage's "no". Only a passage that shows it sets a study up (an aim, a
    hypothesis, or a label such as "**Design.**") is judged so; results in words
    alone ("the pupil constricts to bright light in our pilot") go to the model.
    """
    if _RESULTS_LABEL.search(passage):
        return None
    setup = bool(_SETUP_LABEL.search(passage))
    for sentence in _own_sentences(passage, title):
        if plans_or_supposes(sentence):
            setup = True
            continue
        if (
            states_result(sentence)
            or _MEASURED.search(sentence)
            or ("effect" in directions(sentence) and _NUMBER.search(sentence))
        ):
            return None
    return "the passage reports no result (aims, methods or background only)" if setup else None


# A keywords or abbreviations line names topics, it reports nothing: "Keywords:
# Antimicrobial, Proliferative, Ocimum micranthum, ..." read as Caamal-Herrera et al.'s
# finding for "Tulsi extracts have antimicrobial activity", whose abstract says they had none.
_INDEX_LINE = re.compile(r"^\W*(?:key\s*words?|abbreviations)\b", re.IGNORECASE)


def _own_sentences(passage: str, title: str) -> list[str]:
    """The passage's sentences without its title page run on (a sentence that opens with
    the paper's title is title, authors and affiliations without a full stop) and
    without a keywords line."""
    from ideapump.agent.grounding import sentences
    from ideapump.grounding.normalize import quote_key

    head = quote_key(title)[:40]
    return [
        s
        for s in sentences(passage)
        if not (head and quote_key(s).startswith(head)) and not _INDEX_LINE.match(s)
    ]


_EXCLUDED = re.compile(r"\b(?:without|non-?|absence of)\s*((?:\w+\s+)?\w+)", re.IGNORECASE)
# Which summary of a measure a sentence gives: a claim on the peak heart rate is not
# answered by the sentence on the mean, though both name "heart rate".
_SUMMARIES = {
    "peak": r"peak|maxim(?:um|al)",
    "lowest": r"minim(?:um|al)|trough|nadir",
    "mean": r"mean|average",
    "median": r"median",
}
_SUMMARY = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in _SUMMARIES.items()}


def _summaries(text: str) -> set[str]:
    return {k for k, pattern in _SUMMARY.items() if pattern.search(text)}


def finding_of(passage: str, claim: str, title: str = "") -> str:
    """The passage's sentence that states a result on the claim (code, not the model).

    Among sentences with direction words, the one sharing most of the claim's content
    words (word stems, so "reduced" meets "reduction"), counted against the square root
    of its length; a sentence that states an aim, a hypothesis, a conjecture or someone
    else's suggestion counts half, so the result beside it wins. The whole sentence:
    a long one's result can come after its first 40 words ("Those who collected hand
    gel were more likely to report using hand gel ..., but ... this did not result in
    significantly higher rates of daily hand-washing").

    ``title``: a sentence that opens with the paper's title is its title page run on
    (title, authors, affiliations without a full stop), not a finding: "Regular
    exercise counteracts circadian shifts ... Stefan Mendt 1, Hanns-Christian ...".
    """
    from ideapump.agent.grounding import closest_sentence
    from ideapump.grounding.normalize import terms

    own = _own_sentences(passage, title)
    passage = " ".join(own) or passage
    # For a claim that its subject has a property, a sentence naming the property states
    # it, with or without a direction word: Kalagatur et al.'s "the antifungal and
    # antimycotoxic effects of OSEO" for "Tulsi essential oil has antimicrobial
    # (antibacterial / antifungal) activity", not the MIC sentence before it.
    named = terms(GENERIC.sub(" ", prop)) if (prop := property_of(claim)) else set()
    stated = [s for s in own if directions(s) - {"effect"} or named & terms(s)]
    if not stated:
        return closest_sentence(passage, claim, max_words=10_000)
    # The sentence is chosen by what it is about; its direction is what gets compared.
    # Counting the claim's direction word ("delays") picked "CTR showed a phase delay"
    # for a claim on the exercise groups, and the check then agreed with itself.
    topic = without_directions(claim)
    # "bed rest without exercise ...": a sentence on the exercise groups is about the
    # other arm, so those words count against it.
    negated = set().union(*(terms(m) for m in _EXCLUDED.findall(topic)))
    wanted = terms(topic) - negated
    summary = _summaries(claim)

    def score(sentence: str) -> float:
        words = terms(sentence)
        said = _summaries(sentence)
        # the claim's summary, in any of its words ("peak", "maximal"), counts one word
        # more; another summary instead of it, one word less
        same = bool(summary & said)
        other = bool(summary and said and not same)
        shared = (len(wanted & words) - len(negated & words) + same - other) / math.sqrt(
            len(sentence.split())
        )
        return shared * 0.5 if shared > 0 and plans_or_supposes(sentence) else shared

    return max(stated, key=score)  # ties: the earlier sentence
