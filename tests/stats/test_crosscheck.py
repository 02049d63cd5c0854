"""Checks beyond statcheck: df vs N, CI vs p, effect size vs statistic, GRIM on percentages."""

from __future__ import annotations

import pytest
from scipy import stats

from ideapump.stats import check_text
from ideapump.stats.effects import effect_size_of, find_effect_sizes, find_intervals
from ideapump.stats.extract import extract, normalize
from ideapump.stats.recompute import fmt_p


def checks(text: str, kind: str) -> list[str]:
    report = check_text(text)
    return [c.message for c in report.checks if c.kind == kind]


# -- df vs N -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("In this sample (N = 20), the groups differed, t(38) = 2.50, p = .017.", True),
        ("In this sample (N = 40), the groups differed, t(38) = 2.50, p = .017.", False),
        # Two group sizes in the sentence: the analysis has at most their sum.
        ("Patients (n = 12) and controls (n = 10) differed, t(28) = 2.50, p = .019.", True),
        ("Patients (n = 15) and controls (n = 15) differed, t(28) = 2.50, p = .019.", False),
        # One group size alone may be a subgroup of the analysis: no check.
        ("Among smokers (n = 12) the effect held, t(28) = 2.50, p = .019.", False),
        # F: a within-subject effect may have up to (N - 1) * df1 error df, not more.
        ("Each of the N = 20 people did all three, F(2, 38) = 3.50, p = .040.", False),
        ("Each of the N = 20 people did all three, F(2, 60) = 3.50, p = .036.", True),
        ("Pearson's r(48) = .30, p = .034 in N = 40 pairs.", True),
        ("χ2(3, N = 3) = 8.1, p = .044", True),
    ],
)
def test_df_against_the_n_of_the_analysis(text: str, flagged: bool) -> None:
    found = checks(text, "df_vs_n")
    assert bool(found) is flagged, found
    if flagged and "χ2" not in text:
        assert "allows" in found[0]


def test_df_against_the_largest_sample_the_paper_states() -> None:
    text = "We tested 30 participants in two groups.\fThe groups differed, t(48) = 2.50, p = .016."
    report = check_text(text)
    (check,) = [c for c in report.checks if c.kind == "df_vs_n"]
    assert check.page == 2 and check.quote == "t(48) = 2.50, p = .016"
    assert "largest sample the paper states is N = 30 (p. 1)" in check.message
    assert "df_contradicts_n" in [f.code for f in report.flags]


def test_a_sentence_boundary_keeps_a_neighbour_sentences_n_away() -> None:
    text = (
        "Overall N = 120 took part. The first analysis found F(2, 103) = .065, p = .937. "
        "The completers (N = 20) then."
    )
    assert checks(text, "df_vs_n") == []


# -- CI vs p -------------------------------------------------------------------------


def test_interval_excluding_zero_with_p_not_significant() -> None:
    (msg,) = checks("The difference was 0.30 (95% CI 0.04 to 0.55, p = .21).", "ci_vs_p")
    assert "excludes 0" in msg and "not significant" in msg
    # Altman & Bland: SE from the width, z = estimate / SE.
    se = (0.55 - 0.04) / (2 * stats.norm.ppf(0.975))
    assert f"p ≈ {fmt_p(2 * stats.norm.sf(0.30 / se))}" in msg


def test_ratio_interval_including_one_with_p_significant() -> None:
    (msg,) = checks("Smoking was rarer (OR = 1.92, 95% CI [0.85, 4.30], p = .02).", "ci_vs_p")
    assert "includes 1" in msg and "ratio" in msg
    assert checks("Smoking was rarer (OR = 1.92, 95% CI [1.15, 3.20], p = .01).", "ci_vs_p") == []


@pytest.mark.parametrize(
    "text",
    [
        # The interval touches the null once its rounding is allowed for.
        "The difference was 0.50 (95% CI [0.00, 1.00], p = .05).",
        "The difference was 0.50 (95% CI [0.00, 1.00], p = .06).",
        # A mean's interval says nothing about a null of 0.
        "The mean was 5.2 (95% CI [4.1, 6.3], p = .20).",
        # Two intervals in one bracket: which p is whose is a guess.
        "(difference 0.3, 95% CI [0.1, 0.5]; ratio 1.2, 95% CI [0.9, 1.5]; p = .01)",
        # Agreeing pairs.
        "mean group difference = 0.30, 95% CI, 0.04-0.55 (t360 = 2.28, P = .02)",
        "(mean group difference = 0.43, 95% CI, 0.67-0.18, P = .001)",
    ],
)
def test_interval_and_p_that_agree_or_cannot_be_compared(text: str) -> None:
    assert checks(text, "ci_vs_p") == []


def test_the_interval_level_sets_alpha() -> None:
    (msg,) = checks("The difference was 0.5 (99% CI [0.02, 0.98], p = .03).", "ci_vs_p")
    assert "α = 0.01" in msg


@pytest.mark.parametrize(
    ("text", "bounds", "level"),
    [
        ("95% CI [0.12, 0.56]", (0.12, 0.56), 95),
        ("95% CI: -0.5 to -0.1", (-0.5, -0.1), 95),
        ("(95% confidence interval [CI], .08-.26)", (0.08, 0.26), 95),
        ("CI95% [-0.5; -0.1]", (-0.5, -0.1), 95),
        ("90% CI 0.67-0.18", (0.18, 0.67), 90),
    ],
)
def test_interval_forms(text: str, bounds: tuple[float, float], level: int) -> None:
    (interval,) = find_intervals(text)
    assert interval.bounds == bounds and interval.level == level


# -- effect size vs statistic --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # partial eta squared = F*df1 / (F*df1 + df2) = 14 / 68 = .206
        ("F(2, 54) = 7.00, p = .002, ηp² = .21", False),
        ("F(2, 54) = 7.00, p = .002, ηp² = .30", True),
        ("F(2, 54) = 7.00, p = .002, partial η2 = .21", False),
        ("F(2, 54) = 7.00, ηp2 = .30, p = .002", True),
        # classical or generalized eta squared is at most the partial one
        ("F(2, 54) = 7.00, p = .002, η² = .15", False),
        ("F(2, 54) = 7.00, p = .002, η² = .25", True),
        ("F(2, 54) = 7.00, p = .002, h2 = .25", True),  # a font's η
        # r = t / sqrt(t^2 + df) = 2.5 / sqrt(54.25) = .339
        ("t(48) = 2.50, p = .016, r = .34", False),
        ("t(48) = 2.50, p = .016, r = .50", True),
        # d can reach |t| * sqrt((df + 2) / (df + 1)) at most, whatever the design
        ("t(40) = 2.92, p = .006, d = 0.65", False),
        ("t(59) = 0.364, p = .717, d = 0.909", True),
        ("F(1, 59) = 0.13, p = .717, Cohen's d = 0.91", True),
    ],
)
def test_effect_size_against_its_statistic(text: str, flagged: bool) -> None:
    found = checks(text, "effect_size")
    assert bool(found) is flagged, found


def test_effect_size_check_allows_for_corrected_df_rounding() -> None:
    # Greenhouse-Geisser df printed with two decimals: partial η² can reach .0236.
    assert checks("F(1.36, 76.22) = 1.348, p = .259, h2 = .024", "effect_size") == []


def test_effect_size_of_a_result_never_borrows_the_next_one() -> None:
    text = normalize("t(20) = 2.10, p = .049; t(20) = 0.40, p = .69, d = 0.09")
    first, second = extract(text, normalized=True)
    assert effect_size_of(first, text, limit=second.offset) is None
    es = effect_size_of(second, text)
    assert es is not None and (es.kind, es.value) == ("d", 0.09)


def test_effect_size_kinds() -> None:
    found = find_effect_sizes("ηp² = .06, η²G = .03, ω2 = .02, Hedges' g = 0.4, dz = 0.3")
    assert [e.kind for e in found] == ["eta2_partial", "eta2", "omega2", "g", "d"]


# -- GRIM on percentages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Follow-up was good: 157/179 (87.7%) in the control group.", False),
        ("Follow-up was good: 157/179 (88.7%) in the control group.", True),
        ("Uptake was 52.5% (170/324).", False),
        ("Uptake was 55.5% (170/324).", True),
        ("12 of 40 (30%) relapsed.", False),
        ("12 of 40 (35%) relapsed.", True),
        # Cut instead of rounded (66.67% as 66%) is common in tables, not an error in the data.
        ("30/45 (66%) answered.", False),
        ("30/45 (65%) answered.", True),
        # Only N: some whole count must give the percentage.
        ("45.3% of 28 participants agreed.", True),
        ("46.4% of 28 participants agreed.", False),
        ("approximately 45% of 28 participants agreed.", False),
        # N too large for the precision: every percentage is possible.
        ("45.3% of 2800 participants agreed.", False),
    ],
)
def test_percentages_of_a_stated_n(text: str, flagged: bool) -> None:
    found = checks(text, "percentage")
    assert bool(found) is flagged, found


def test_each_cross_check_gives_page_quote_and_a_flag() -> None:
    text = "Intro.\fFollow-up: 157/179 (88.7%).\fF(2, 54) = 7.00, p = .002, ηp² = .30."
    report = check_text(text)
    assert [(c.kind, c.page) for c in report.checks] == [("percentage", 2), ("effect_size", 3)]
    assert all(c.quote for c in report.checks)
    codes = [f.code for f in report.flags]
    assert "impossible_percentages" in codes and "effect_size_contradicts_statistic" in codes
    assert {p.kind for p in report.grouped_problems()} == {"check"}


def test_a_repeated_result_gives_one_check_with_all_its_pages() -> None:
    report = check_text(
        "t(59) = 0.364, p = .717, d = 0.909.\f\ft(59) = 0.364, p = .717, d = 0.909."
    )
    (check,) = report.checks
    assert check.pages == [1, 3]
