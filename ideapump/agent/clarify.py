"""One question back, when a message is too vague to act on.

A critique without a paper is asked which paper. A message that states an interest and
asks nothing ("I want to do something on exploration.") is met with the papers the
library has on that topic (or the word that none of them uses) and a question on where
to start; anything else too short to act on ("ideas?") with what the chat can do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ideapump.agent.answer import floats_idea
from ideapump.agent.grounding import relevance, retrieve
from ideapump.grounding.normalize import terms
from ideapump.grounding.vocabulary import not_in_library

if TYPE_CHECKING:
    from ideapump.agent.events import Intent
    from ideapump.library import Library

#: Cosine of a paper's best passage to a topic for the paper to be named in a clarifying
#: question, and the lower cosine that will do when the passage has every word of the
#: topic. Set on 18 one- to four-word topics over the 12 corpus papers.
MIN_TOPIC = 0.40
MIN_TOPIC_WORDS = 0.25


# "I want to do something on exploration." (this session's first message of a chat): an
# interest, not yet a question. Answered as a question, it got four sentences of Dubois
# et al.'s methods.
_INTEREST = re.compile(
    r"^\W*(?:I|we)(?:'d| would| will)?\s+(?:really\s+)?(?:want|like|wish|hope|plan|need)\s+to\s+"
    r"(?:do|work|start|look|think|learn|know|study|research)\b|"
    r"^\W*(?:I|we)(?:'m| am| are)\s+(?:interested|curious)\b|"
    r"^\W*let'?s\s+(?:talk|think|look)\b",
    re.I,
)
# What the interest is in: the rest of the message, without "something on", "more about".
_LEAD = re.compile(
    r"^\s*(?:(?:something|some work|a (?:study|project|paper)|more|research)\s+)?"
    r"(?:(?:on|about|into|in|at|with|regarding)\s+)?",
    re.I,
)
#: An interest said in more words than this has its question in it.
INTEREST_WORDS = 14


def interest_only(message: str) -> bool:
    """True when ``message`` states an interest and asks nothing: no question mark, no idea
    to weigh ("I'm thinking of ..."), a few words."""
    return (
        "?" not in message
        and not floats_idea(message)
        and len(message.split()) <= INTEREST_WORDS
        and bool(_INTEREST.search(message))
    )


def _topic(message: str) -> str:
    found = _INTEREST.search(message)
    if not found:
        return ""
    rest = re.split(r"[.?!;]", message[found.end() :])[0]
    return _LEAD.sub("", rest).strip(" ,")


def _papers_on(library: Library, topic: str) -> list[str]:
    """Titles of the papers whose best passage is on ``topic``: by meaning, or by meaning
    less strongly and every word of the topic ("statistics": Hartgerink et al., cosine
    0.29; "exploration" is also a word of the bed rest paper, cosine 0.03)."""
    near = retrieve(library, topic, 3, per_paper_cap=1)
    wanted = terms(topic)
    return [
        p.title
        for p, score in zip(near, relevance(library, topic, near), strict=True)
        if score >= MIN_TOPIC
        or (score >= MIN_TOPIC_WORDS and wanted <= terms(f"{p.title} {p.quote}"))
    ]


def _shelf(library: Library) -> str:
    titles = [d.title for d in library.papers()][:6]
    return "; ".join(titles) if titles else "nothing yet"


def clarifying_question(library: Library, intent: Intent, message: str = "") -> str:
    """One question back: which paper to critique, or what the researcher is after. An
    interest in a topic ("I want to do something on exploration") is met with the papers
    the library has on it."""
    topic = _topic(message) if intent == "clarify" else ""
    if topic:
        titles = [] if not_in_library(library, topic) else _papers_on(library, topic)
        if titles:
            return (
                f"Happy to think about {topic} with you. The library has work on it: "
                f"{'; '.join(titles)}. Where would you like to start: what these papers found "
                "on a particular question, a claim to weigh against them, or an experiment to "
                "draft? And which subjects and which manipulation do you have in mind?"
            )
        return (
            f"I found nothing in the library on {topic}. It holds: {_shelf(library)}. Could "
            "you point me to papers on it, or say which of these you would like to build on?"
        )
    shelf = _shelf(library)
    if intent == "critique":
        return (
            "Happy to critique a paper - which one? Give its document id or a few words of its "
            f"title. The library holds: {shelf}."
        )
    return (
        "Could you say a little more about what you are after - a question about the papers, "
        "an experiment to propose, a paper to critique or a claim to weigh? The library "
        f"holds: {shelf}."
    )
