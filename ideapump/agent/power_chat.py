"""A sample-size question in the chat, answered by a power analysis on the library's effect.

"Could we test this with a smaller sample, say 12 people?" was answered by the 1.5B
model with its previous answer again: a question of power is arithmetic, not reading.
:func:`asks_power` tells such a message (with the sample size it names, if any), and
:func:`power_reply` answers it by code: the effect is the first one weigh's machinery
reads for the conversation's topic (the most relevant papers, each paper's passages
that report a result, the comparison the topic names against a control first;
:mod:`.weigh_papers`, :func:`.weigh.about_claim`), not flagged by the statistics
audit; its power at that sample size and the sample size for 80% power, between and
within subjects, come from statsmodels; the sentence that reports the effect is
cited. Without such an effect the reply says so and uses Cohen's medium effect.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from statsmodels.stats.power import TTestIndPower, TTestPower

from ideapump.agent.answer import NOT_COVERED
from ideapump.agent.design import CONTROL_ARM
from ideapump.agent.events import content_words
from ideapump.agent.grounding import AgentOptions, Evidence, closest_sentence
from ideapump.agent.papers import paper_profile
from ideapump.agent.power import DEFAULT_D, MAX_D, MIN_D, POWER
from ideapump.agent.weigh import about_claim
from ideapump.agent.weigh_papers import WeighOptions, find_papers, paper_passages
from ideapump.evidence.effects import extract_effects
from ideapump.grounding.claims import strip_markers
from ideapump.grounding.normalize import terms
from ideapump.grounding.quotes import sentences
from ideapump.results import Citation

if TYPE_CHECKING:
    from ideapump.evidence.models import Effect
    from ideapump.library import Library
    from ideapump.models import Passage

_SAMPLE = re.compile(
    r"\b(?:n\s*=\s*(?P<n>\d{1,4})|(?P<m>\d{1,4})\s+(?:people|participants|subjects|"
    r"volunteers|patients|animals|rats|mice|students))\b",
    re.I,
)
# A question of power looks ahead: what a test would need or could do. "How many people
# were in the long-duration bed rest study?" (bench/faithfulness.py) asks what a study had.
_AHEAD = re.compile(
    r"\b(?:power\w*|enough|need\w*|require\w*|recruit|detect|could|would|should|can|"
    r"smaller|larger|bigger|fewer)\b",
    re.I,
)
_HOW_MANY = re.compile(
    r"\bhow many (?:people|participants|subjects|animals|patients|volunteers)\b", re.I
)


def asks_power(message: str) -> tuple[bool, int | None]:
    """Whether ``message`` asks how many participants a test needs, and the number it names."""
    m = _SAMPLE.search(message)
    n = int(m["n"] or m["m"]) if m else None
    asks = (n is not None or bool(_HOW_MANY.search(message))) and bool(_AHEAD.search(message))
    return asks, n if asks else None


# Words of a power question that name no topic: "How many participants would we need?"
_POWER_WORDS = re.compile(
    rf"{_AHEAD.pattern}|{_HOW_MANY.pattern}|\b(?:sample|size|test|this|that|it|say|we|us|"
    r"participants?|people|subjects?|study|experiment|alpha|per|group|groups)\b|\d+",
    re.I,
)


def topic_of(history: Sequence[tuple[str, str]]) -> str | None:
    """What "this" is in the last message of ``history``: the last answer (unless it said
    the library does not cover it), else the last question before, else the message's
    own words when they name something; None when nothing does."""
    earlier, message = history[:-1], history[-1][1]
    said = [t for role, t in earlier if role == "assistant" and not t.startswith(NOT_COVERED[:30])]
    asked = [t for role, t in earlier if role == "user"]
    if said or asked:
        return strip_markers((said or asked)[-1])
    own = content_words(_POWER_WORDS.sub(" ", message))
    return message if len(own) >= 2 else None


def _effect(
    library: Library, topic: str, options: AgentOptions
) -> tuple[Effect, Passage, list[str]] | None:
    """The first unflagged standardized effect on ``topic`` in the most relevant papers."""
    wo = WeighOptions(max_papers=3)
    wanted = terms(topic)
    for row in (r for r in find_papers(library, topic, options, wo, None) if r.used):
        profile = paper_profile(library, row.doc_id, Evidence([], library))
        paired = "within-subject" in profile.design
        usable = [
            (e, p)
            for p in paper_passages(library, topic, row.doc_id, options, wo)
            for e in about_claim(
                extract_effects(p.quote, page=p.page, n=profile.sample_size, paired=paired), topic
            )
            if e.family == "smd" and not e.flagged and MIN_D <= abs(e.value) <= MAX_D
        ]
        # An effect of an arm the topic names against a control before any other: the
        # first one read in Dubois et al. was a horizon effect within the amisulpride group.
        usable.sort(
            key=lambda ep: (
                not (CONTROL_ARM.search(ep[0].comparison) and terms(ep[0].comparison) & wanted),
                not terms(ep[0].comparison) & wanted,
            )
        )
        if usable:
            return usable[0][0], usable[0][1], profile.design
    return None


def power_reply(
    library: Library, topic: str, n: int | None, options: AgentOptions
) -> tuple[str, list[Citation]]:
    """The answer's text (citing "[1]" where an effect was found) and its citations."""
    alpha = library.settings.stats.alpha
    found = _effect(library, topic, options)
    citations: list[Citation] = []
    if found is None:
        d = DEFAULT_D
        lines = [
            "None of the most relevant papers reports an effect on this that I can use as a "
            f"standardized difference, so this assumes Cohen's medium effect, d = {d:g}."
        ]
    else:
        effect, passage, design = found
        d = abs(effect.value)
        citation = Evidence([], library).cite_passage(passage, _sentence_of(passage, effect))
        citations = [citation] if citation is not None else []
        arms = f" ({effect.comparison})" if effect.comparison else ""
        # A d converted from a t or F says how (its n is None); a printed d needs nothing.
        how = f" ({effect.derivation})" if effect.n is None else ""
        lines = [
            f'The closest effect in the library is d = {d:.2f}{arms}, from "{effect.reported}"{how} in '
            f"{passage.title}, p. {passage.page}"
            + (" [1]." if citations else ".")
            + (f" That study was {', '.join(design)}." if design else "")
        ]
    need_between = TTestIndPower().solve_power(effect_size=d, alpha=alpha, power=POWER)
    need_within = TTestPower().solve_power(effect_size=d, alpha=alpha, power=POWER)
    if n is not None:
        half = n // 2
        between = TTestIndPower().power(effect_size=d, nobs1=max(half, 2), alpha=alpha)
        within = TTestPower().power(effect_size=d, nobs=max(n, 2), alpha=alpha)
        lines.append(
            f"With {n} participants in two groups of {half} (between subjects), a two-sample "
            f"t-test has {between:.0%} power to detect it at alpha = {alpha:g}; with all {n} "
            f"in both conditions (within subject), a paired t-test has {within:.0%}."
        )
    lines.append(
        f"For {POWER:.0%} power: {math.ceil(need_between)} per group "
        f"({2 * math.ceil(need_between)} in all) between subjects, or {math.ceil(need_within)} "
        "within subject."
    )
    lines.append(
        "Within subject, d is taken as d_z, which holds for a correlation of 0.5 between "
        "conditions; published effects tend to be inflated, so treat these numbers as the "
        "best case (computed with statsmodels, not by the language model)."
    )
    return " ".join(lines), citations


def _sentence_of(passage: Passage, effect: Effect) -> str:
    """The passage's sentence that prints the effect ("... p = 0.005, d=0.654; ...")."""
    printed = re.sub(r"\s+", "", effect.reported)
    for sentence in sentences(passage.quote, 1):
        if printed in re.sub(r"\s+", "", sentence):
            return sentence
    return closest_sentence(passage.quote, effect.reported)
