"""Real papers (tests/data, see ATTRIBUTION.md): the formatting quirks of the published text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideapump.config import get_settings
from ideapump.stats import StatsReport, check_path

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def yardley() -> StatsReport:
    return check_path(DATA / "yardley2011_jmir_hand_hygiene_web_intervention.pdf", get_settings())


@pytest.fixture(scope="module")
def thompson() -> StatsReport:
    return check_path(DATA / "thompson2015_trials_smoker_recruitment.pdf", get_settings())


@pytest.fixture(scope="module")
def mathot() -> StatsReport:
    return check_path(DATA / "mathot2014_manuscript_pupillary_light_response.pdf", get_settings())


def test_yardley_subscript_df_and_correlations_without_df(yardley: StatsReport) -> None:
    by_quote = {r.quote: r for r in yardley.results}
    f = by_quote["F2,407 = 12.61, P < .001"]
    assert (f.test_type, f.df1, f.df2, f.verdict) == ("F", 2, 407, "consistent")
    t = by_quote["t272 = 3.19, P = .002"]
    assert (t.test_type, t.df1, t.verdict) == ("t", 272, "consistent")
    assert by_quote["F1,375.4 = 11.71, P = .001"].df2 == 375.4
    r = by_quote["r = .23, P = .002"]
    assert r.verdict == "not_checkable" and "degrees of freedom" in r.explanation
    counts = yardley.counts
    assert counts["not_checkable"] == 10  # ten correlations printed without df
    assert counts["inconsistent"] == counts["decision_error"] == 0
    assert counts["consistent"] == 16


def test_thompson_capital_x2_and_capital_p(thompson: StatsReport) -> None:
    assert [r.quote for r in thompson.results] == [
        "X2 (1, N=93) = 6.43, P =0.01",
        "X2 (1, N=93) = 26.35, P <0.01",
        "X2 (1, N=93) =8.23, P <0.01",
        "X2 (1, N=93) = 4.45, P =0.035",
        "X2 (1, N=92) = 4.45, P =0.035",
    ]
    assert all(r.test_type == "chi2" and r.df1 == 1 for r in thompson.results)
    assert [r.n for r in thompson.results] == [93, 93, 93, 93, 92]
    assert all(r.verdict == "consistent" for r in thompson.results)


def test_mathot_t_with_space_and_line_breaks(mathot: StatsReport) -> None:
    assert len(mathot.results) == 10
    assert all(r.test_type == "t" and r.df1 == 7 for r in mathot.results)
    # The one mismatch: t = 1.66 allows p in [.1399, .1421], never the printed .1396.
    (bad,) = [r for r in mathot.results if r.verdict != "consistent"]
    assert bad.quote == "t (7) = 1.66, p = .1396" and bad.verdict == "inconsistent"
    assert bad.page is not None and bad.page > 1
    assert "small_groups" in [f.code for f in mathot.flags]


@pytest.fixture(scope="module")
def dubois() -> StatsReport:
    return check_path(DATA / "dubois2021_elife_exploration_noradrenaline.pdf", get_settings())


def test_dubois_repeats_and_one_pooled_df_cause(dubois: StatsReport) -> None:
    # Results are printed in the text, again in figure legends and the appendix.
    assert dubois.counts["inconsistent"] == 41
    assert dubois.distinct_counts["inconsistent"] == 17
    by_cause = {g.cause: g for g in dubois.causes}
    pooled = by_cause["pooled_df"]
    # Pairwise t-tests printed with 38 or 40 df whose p-values fit larger df.
    assert (pooled.occurrences, len(pooled.finding_ids)) == (35, 11)
    assert "printed 38/40" in pooled.message
    typo = by_cause["df_typo"]
    assert "F(2, 5) = 2.313, p = 0.109 fits F(2, 54)" in typo.message
    assert "t(40) = -3.525, p = 0.01 fits p = .001" in by_cause["p_typo"].message
    # A critique reads six lines, not forty-one.
    problems = [p for p in dubois.grouped_problems() if p.kind in ("cause", "result")]
    assert len(problems) == 6
    # Beyond statcheck: an effect size that its t cannot give.
    (d,) = [c for c in dubois.checks if c.kind == "effect_size"]
    assert d.page == 29 and "t(59) = 0.364" in d.quote and "d = 0.909" in d.quote


@pytest.fixture(scope="module")
def peach() -> StatsReport:
    return check_path(DATA / "peach2017_hpbm_implementation_intentions.pdf", get_settings())


def test_peach_typos_in_df_and_p(peach: StatsReport) -> None:
    by_cause = {g.cause: g for g in peach.causes}
    assert by_cause["df_typo"].finding_ids and "fits F(2, 70)" in by_cause["df_typo"].message
    assert len(by_cause["df_typo"].finding_ids) == 2
    assert "p = .62 fits p = .062" in by_cause["p_typo"].message
    assert all(r.cause for r in peach.results if r.is_problem)


def test_new_checks_stay_quiet_where_the_paper_agrees(yardley: StatsReport) -> None:
    # Yardley prints intervals with p, percentages with counts and partial η² with F:
    # all of them agree.
    assert yardley.checks == []
