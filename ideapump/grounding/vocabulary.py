"""Words a question uses that the library never does, and whether such a word is rare.

A question about something the library never mentions ("What is the effect of caffeine
on working memory?" on the 12 corpus papers) still finds sentences that share its other
words ("the effect of glutathione on memory performance", evidence score 0.43, over the
0.40 that makes a question answerable), and the model answered from them. The words
alone tell: "caffeine" is in no chunk of the library, and it is a word that names one
thing. A word common in English ("waiting", "land") that the library happens not to use
says nothing about the topic.

Rare here means outside the whole words of the MiniLM tokenizer's vocabulary (the
WordPiece vocabulary of BERT, about 22,000 whole words, the most frequent of English
Wikipedia and BookCorpus), which ships with the package for the embeddings.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ideapump.library import Library

#: Shorter words are names too rarely ("rat", "dog" are common; "BDNF" is an acronym the
#: library would spell out if it studied it, so it counts).
MIN_LETTERS = 4


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    raw = files("ideapump.assets").joinpath("minilm_tokenizer.json").read_text(encoding="utf-8")
    vocab = json.loads(raw)["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and w.isascii())


def rare_in_english(word: str) -> bool:
    """True when ``word`` (lower case) is not among the common whole words of English."""
    return len(word) >= MIN_LETTERS and not _forms(word) & _common_words()


def _forms(word: str) -> set[str]:
    """``word`` and the words it may be a form of: "phoning" is "phone", "swished" "swish"."""
    forms = {word, f"{word}s"}
    for end in ("s", "es", "ed", "ing", "ly"):
        if word.endswith(end) and len(word) > len(end) + 2:
            base = word[: -len(end)]
            forms |= {base, f"{base}e", base[:-1] if base[-1:] == base[-2:-1] else base}
    return forms


def not_in_library(library: Library, text: str) -> list[str]:
    """The rare words of ``text`` that no document of ``library`` uses."""
    return [w for w in library.unused_words(text) if rare_in_english(w)]
