"""Where the auditor follows statcheck's method (Nuijten et al. 2016; the statcheck manual).

Cases written here from the method's description: p = .000 is an error by
default, p < .000 always; inequalities are strict at their bound; PDF text
variants of χ², of df and of the layout are still found.
"""

from __future__ import annotations

import pytest
from scipy import stats

from ideapump.config import Settings
from ideapump.stats import check_path, check_text, rejudge
from ideapump.stats.extract import extract


def only(text: str, p_zero_is_error: bool = True) -> str:
    results = check_text(text, p_zero_is_error=p_zero_is_error).results
    assert len(results) == 1, results
    return results[0].verdict


# -- p = .000 and p < .000 ------------------------------------------------------------


def test_p_equal_zero_follows_the_setting(tmp_path) -> None:
    text = "The effect was large, t(28) = 5.20, p = .000."
    assert only(text) == "inconsistent"
    assert only(text, p_zero_is_error=False) == "consistent"
    paper = tmp_path / "paper.txt"
    paper.write_text(text, encoding="utf-8")
    strict = check_path(paper, Settings(home=tmp_path))
    lenient = check_path(paper, Settings(home=tmp_path, stats={"p_zero_is_error": False}))
    assert [r.verdict for r in strict.results] == ["inconsistent"]
    assert [r.verdict for r in lenient.results] == ["consistent"]
    assert not lenient.p_zero_is_error
    # A stored report can be read either way without extracting again.
    assert rejudge(strict, 0.05, p_zero_is_error=False).results[0].verdict == "consistent"
    assert rejudge(lenient, 0.05, p_zero_is_error=True).results[0].verdict == "inconsistent"


@pytest.mark.parametrize("reading", [True, False])
def test_p_below_zero_is_always_an_error(reading: bool) -> None:
    r = check_text("t(28) = 5.20, p < .000", p_zero_is_error=reading).results[0]
    assert r.verdict == "inconsistent"
    assert "cannot be below zero" in r.explanation
    # And a decision error when the test is not significant.
    assert only("t(28) = 0.20, p < .000", p_zero_is_error=reading) == "decision_error"


# -- strict bounds ----------------------------------------------------------------------
# F(2, d) has a closed form, p = (1 + 2F/d)^(-d/2), so the bounds below are exact:
# F(2, 4) printed as 1 stands for [0.5, 1.5], whose largest p is (1 + 0.25)^-2 = .64;
# F(2, 2) = 1 stands for p in [1/2.5, 1/1.5] = [.4, .667]; F(2, 2) = 1 exactly gives .5.


def test_closed_forms_behind_the_bound_cases() -> None:
    assert stats.f.sf(0.5, 2, 4) == pytest.approx(0.64)
    assert stats.f.sf(1.5, 2, 2) == pytest.approx(0.4)
    assert stats.f.sf(1.0, 2, 2) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # p > the largest p the rounded statistic gives: nothing is left above it.
        ("F(2, 4) = 1, p > .64", "inconsistent"),
        ("F(2, 4) = 1, p > .63", "consistent"),
        # p < the smallest p the rounded statistic gives.
        ("F(2, 2) = 1, p < .4", "inconsistent"),
        ("F(2, 2) = 1, p < .41", "consistent"),
        # A statistic printed with < or > bounds p by an open interval.
        ("F(2, 2) > 1, p > .5", "inconsistent"),
        ("F(2, 2) > 1, p > .49", "consistent"),
        ("F(2, 2) < 1, p < .5", "inconsistent"),
        ("F(2, 2) < 1, p < .51", "consistent"),
        ("F(2, 2) > 1, p = .55", "inconsistent"),
        ("F(2, 2) < 1, p = .5", "consistent"),
    ],
)
def test_inequalities_are_strict_at_their_bound(text: str, expected: str) -> None:
    assert only(text) == expected


# -- PDF text variants ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "df1", "df2", "n"),
    [
        # χ² whose Greek letter a font maps to another letter, then the squared 2.
        ("B2(2, N = 90) = 7.10, p = .029", "chi2", 2, None, 90),
        ("c2(1) = 4.10, p = .043", "chi2", 1, None, None),
        ("V2 (3, N = 1,204) = 9.20, p = .027", "chi2", 3, None, 1204),
        ("Χ2(2) = 7.10, p = .029", "chi2", 2, None, None),  # Greek capital chi
        # Likelihood-ratio chi-square.
        ("G2(3) = 9.20, p = .027", "chi2", 3, None, None),
        ("G²(3) = 9.20, p = .027", "chi2", 3, None, None),
        # The letter l (or I) for the digit 1 as an F's numerator df.
        ("F(l, 40) = 4.20, p = .047", "F", 1, 40, None),
        ("F(I, 40) = 4.20, p = .047", "F", 1, 40, None),
        # By-subjects and by-items analyses.
        ("F1(1, 40) = 4.20, p = .047", "F", 1, 40, None),
        ("t2(31) = 2.30, p = .028", "t", 31, None, None),
    ],
)
def test_statistic_variants_are_extracted_and_checked(text, kind, df1, df2, n) -> None:
    (raw,) = extract(text)
    assert (raw.test_type, raw.df1, raw.df2, raw.n) == (kind, df1, df2, n)
    assert only(text) == "consistent"


@pytest.mark.parametrize(
    "text",
    [
        "R2(2) = .44, p = .03",  # R squared is not a chi-square
        "T2(1) = 4.4, p = .03",
        "D2(4) = 9.3, p = .05",
        "I2 = 45%, p = .03",
    ],
)
def test_other_letters_with_a_2_are_not_chi_square(text: str) -> None:
    assert extract(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "t(28) =\n2.20, p\n= .036",
        "t\n(28) = 2.20, p = .036",
        "t(28) = 2.\n20, p = .036",  # the value itself broken after its point
        "t(28) = -\n2.20, p = .036",
        "t(28) = 2.20^, p = .036",  # stray glyphs after the statistic or p
        "t(28) = 2.20**, p = .036^",
        "t(28) = 2.20, p = .036†",
    ],
)
def test_line_breaks_and_stray_glyphs(text: str) -> None:
    (raw,) = extract(text)
    assert (raw.df1, raw.stat_text.lstrip("-"), raw.p_text) == (28, "2.20", ".036")


def test_stray_glyph_after_an_inequality_p() -> None:
    (raw,) = extract("(F(1, 40) = 8.08, p < .01^)")
    assert (raw.p_comparator, raw.p_text) == ("<", ".01")
    assert only("(F(1, 40) = 8.08, p < .01^)") == "consistent"


HEADER = "Journal of Imaginary Results 12 (2020) 100-120"
FILLER = "Some sentence of the body text that carries no statistic at all."


def _pages(bodies: list[str]) -> str:
    """Pages separated by form feeds, each with the journal's running header on top."""
    return "\f".join(f"{HEADER}\n{body}\n{i + 1}" for i, body in enumerate(bodies))


def test_running_header_inside_a_result_is_skipped() -> None:
    split = f"The effect held, F(1,\n{HEADER}\n40) = 4.20, p = .047, as before."
    report = check_text(_pages([FILLER, split, FILLER, FILLER]))
    (r,) = report.results
    assert (r.test_type, r.df1, r.df2, r.page, r.verdict) == ("F", 1, 40, 2, "consistent")


def test_result_split_by_a_page_break_belongs_to_the_first_page() -> None:
    first = f"{FILLER}\nThe groups differed, t(28) = 2.20, p"
    second = "= .036, in line with the prediction.\n" + FILLER
    report = check_text(_pages([FILLER, first, second, FILLER]))
    (r,) = report.results
    assert (r.page, r.df1, r.statistic_text, r.reported_p_text) == (2, 28, "2.20", ".036")
    assert r.verdict == "consistent"
    assert r.quote.startswith("t(28) = 2.20, p") and r.quote.endswith(".036")


def test_a_result_wholly_on_one_page_is_not_found_twice() -> None:
    text = _pages(["t(28) = 2.20, p = .036", "t(28) = 2.30, p = .029", FILLER])
    assert [r.page for r in check_text(text).results] == [1, 2]
