"""The tokenizer: statistics, drug and gene names as a researcher types them."""

from __future__ import annotations

from ideapump.retrieval import tokenize


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
