"""What a small model's draft text needs before a digest shows it.

The drafts come from a small local model under a JSON-schema grammar: a string
can be closed mid-word at its ``maxLength``, and the prompt's own fallback
phrase can come back as content. These helpers keep both out of the digest.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from ideapump.agent.grounding import sentences
from ideapump.grounding.quotes import ENDS_SENTENCE

# "the passages do not say" is what the summary prompt asks for instead of a guess;
# as a key finding it is no finding.
_NOT_SAID = re.compile(r"\b(?:passages?|documents?|text)\s+do(?:es)?\s+not\s+say\b", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s|$)")


def max_length(model: type[BaseModel], name: str) -> int | None:
    """The ``max_length`` a draft model sets on one of its string fields."""
    # pydantic keeps Field(max_length=...) as annotated_types.MaxLen in the metadata
    limits = [getattr(m, "max_length", None) for m in model.model_fields[name].metadata]
    return min((n for n in limits if isinstance(n, int)), default=None)


def whole_sentences(text: str, limit: int | None) -> str:
    """``text`` without the fragment a length cap cut off.

    llama.cpp enforces a schema's ``maxLength`` in its grammar: a model that
    copies a whole abstract into a summary has the string closed mid-word at the
    cap ("... We link ["). Text that reached the cap loses its unfinished last
    sentence; text with no sentence end at all gets an ellipsis. Shorter text
    is the model's own and is left as it is.
    """
    text = text.strip()
    if limit is None or len(text) < limit - 2 or ENDS_SENTENCE.search(text):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends else text.rstrip(" ,;:([") + "\u2026"


def says_nothing(text: str) -> bool:
    """True for a 'finding' that only says the passages do not say."""
    return bool(_NOT_SAID.search(text))


# Decimals carry a finding's statistics (3.37, .06, 184.32); whole numbers are too
# common (df, years, sample sizes) to tell a quote from its neighbour.
_DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+")


def decimals(text: str) -> set[float]:
    """The decimal numbers in ``text``, by value (.06, 0.06 and 0.060 are one number)."""
    return {float(m.group()) for m in _DECIMAL.finditer(text)}


def sentence_with(text: str, numbers: set[float]) -> str | None:
    """The first sentence of ``text`` (5 words or more) that shows every one of ``numbers``."""
    return next((" ".join(s.split()) for s in sentences(text) if numbers <= decimals(s)), None)
