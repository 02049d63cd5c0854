"""The tokenizer: statistics, drug and gene names as a researcher types them."""

from __future__ import annotations

from ideapump.retrieval import LexicalIndex, tokenize
from ideapump.retrieval.lexical import numeric_share


def test_statistics_tokenize_the_same_however_they_are_spaced() -> None:
    assert "t(40)" in tokenize("t (40) = -3.525")
    assert "t(40)" in tokenize("t(40)=3.177")
    assert "f(2,378)" in tokenize("F (2, 378) = 128.12")
    assert "f(2,407)" in tokenize("F2,407 = 12.61")  # subscript df run into the number
    assert "chi2(1,93)" in tokenize("X2 (1, N=93) = 6.43")
    assert "0.001" in tokenize("p < .001") and "128.12" in tokenize("= 128.12,")


def test_names_keep_their_compound_and_parts() -> None:
    tokens = tokenize("IL-6 and 5-HTTLPR under Propranolol; Mathôt's pupils")
    assert {"il-6", "il", "5-httlpr", "httlpr", "propranolol", "pupil"} <= set(tokens)
    assert "and" not in tokens


def test_numbers_spelt_out_find_the_same_passages_as_digits() -> None:
    index = LexicalIndex()
    index.add_document(
        "d",
        [
            ("digits", "On average the students washed their hands 10 times a day in the study"),
            ("vague", "Hands were washed many times a day"),
        ],
    )
    index.rebuild()
    assert next(iter(index.search("ten times a day", 2))) == "digits"
    assert list(index.search("three groups", 2)) == []  # only a number, and not this one
    assert tokenize("three drug groups") == tokenize("3 drug groups")


def test_a_question_with_a_number_in_words_is_still_a_question_in_words() -> None:
    # Weight moves to BM25 for pasted statistics, not for "three groups".
    assert numeric_share("Did the three drug groups differ?") == 0.0
    assert numeric_share("F(2, 378) = 128.12") == 1.0


def test_the_words_of_a_question_no_chunk_holds() -> None:
    index = LexicalIndex()
    index.add_document("d", [("d:0", "Caffeinated coffee and tail-swishing horses.")])
    index.add_document("e", [("e:0", "Zebrafish larvae.")])
    index.rebuild()
    asked = "Does caffeine make zebrafish swish? Ketamine-treated rats, 2 of 3, t(40)."
    # "caffeine" meets "caffeinated", "swish" a compound's part; no numbers or statistics
    assert index.unused(asked) == ["make", "ketamine", "treated", "rat"]
    del index.docs["e"]  # a document removed: its words are no longer the library's
    index.rebuild()
    assert "zebrafish" in index.unused(asked)
