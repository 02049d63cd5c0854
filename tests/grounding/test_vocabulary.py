"""Words a question uses that the library does not: no model."""

from __future__ import annotations

import pytest

from ideapump.grounding.vocabulary import rare_in_english


@pytest.mark.parametrize("word", ["caffeine", "zebrafish", "mindfulness", "myopia", "bdnf"])
def test_a_word_that_names_one_thing_is_rare(word: str) -> None:
    assert rare_in_english(word)


@pytest.mark.parametrize(
    # the 36 answerable questions of the faithfulness bench use words the corpus does not:
    # "waiting", "land"; forms of common words are common: "phoning", "stopped"
    "word",
    ["waiting", "land", "phoning", "stopped", "nurses", "horse", "rat"],
)
def test_common_words_and_their_forms_are_not(word: str) -> None:
    assert not rare_in_english(word)
