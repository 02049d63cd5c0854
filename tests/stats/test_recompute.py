"""Verdicts: consistency with rounding, decision errors, one-tailed tests, p = .000."""

from __future__ import annotations

import pytest
from scipy import stats

from ideapump.stats import check_text
from ideapump.stats.models import CONTRACT_KEYS
from ideapump.stats.recompute import fmt_p, p_value


def verdict(text: str, alpha: float = 0.05) -> str:
    results = check_text(text, alpha=alpha).results
    assert len(results) == 1, results
    return results[0].verdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The cases named in the issue.
        ("t(28) = 2.20, p = .036", "consistent"),
        ("t(28) = 2.20, p = .03", "inconsistent"),
        ("t(28) = 2.20, p = .06", "decision_error"),
        ("t(28) = 2.2, p = .04", "consistent"),
        ("Z = -2.42, p = 0.016", "consistent"),
        ("F(1, 76) = 23.95, p < .001", "consistent"),
        # More of each form.
        ("t(28) = -2.20, p = .036", "consistent"),
        ("F(1, 76) = 2.95, p < .05", "decision_error"),
        ("F(1, 76) = 2.95, p = .09", "consistent"),
        ("F2,407 = 12.61, P < .001", "consistent"),
        ("F1, 14 = 6.19, p = 0.026", "consistent"),
        ("r(58) = .32, p = .013", "consistent"),
        ("r(58) = .32, p = .13", "decision_error"),
        ("χ2 (1, N = 1445) = 19.91, p < .001", "consistent"),
        ("X2 (1, N=93) = 6.43, P =0.01", "consistent"),
        ("χ2 (2, n = 107) = 5.564, p = .62", "inconsistent"),
        ("Q(5) = 12.3, p = .031", "consistent"),
        ("Q(5) = 12.3, p = .31", "decision_error"),
        ("t(20) = 0.80, ns", "consistent"),
        ("t(20) = 3.80, ns", "decision_error"),
        ("F(1, 20) < 1, p > .30", "consistent"),
        ("t(20) > 3.5, p < .01", "consistent"),
        ("t(20) = 2.1, p > .05", "consistent"),
        ("t(20) = 3.1, p > .05", "decision_error"),
        ("F(1, 201) = 3.37, p <.06", "inconsistent"),
        ("t(12) = 1,p = .337", "consistent"),
        ("χ2(126) = 155.2382, p = 0.039", "consistent"),
    ],
)
def test_verdicts(text: str, expected: str) -> None:
    assert verdict(text) == expected


def test_rounded_statistic_is_explained() -> None:
    r = check_text("t(28) = 2.2, p = .040").results[0]
    # t = 2.2 stands for [2.15, 2.25]; only that range reaches p = .040.
    assert r.computed_p is not None and r.computed_p_high is not None
    assert r.computed_p < 0.0395 < r.computed_p_high
    assert r.verdict == "consistent"
    assert "rounding" in r.explanation
    assert check_text("t(28) = 2.20, p = .040").results[0].verdict == "inconsistent"


def test_recomputed_p_matches_scipy() -> None:
    assert p_value("t", -2.2, 28, None) == pytest.approx(2 * stats.t.sf(2.2, 28))
    assert p_value("F", 23.95, 1, 76) == pytest.approx(stats.f.sf(23.95, 1, 76))
    assert p_value("chi2", 6.43, 1, None) == pytest.approx(stats.chi2.sf(6.43, 1))
    assert p_value("z", 2.42, None, None) == pytest.approx(2 * stats.norm.sf(2.42))
    r, df = 0.32, 58
    t = r * (df / (1 - r * r)) ** 0.5
    assert p_value("r", r, df, None) == pytest.approx(2 * stats.t.sf(t, df))


def test_alpha_is_configurable_and_p_equal_alpha_is_significant() -> None:
    # Computed p is about .036: significant at .05, not at .01.
    assert verdict("t(28) = 2.20, p = .01") == "inconsistent"
    assert verdict("t(28) = 2.20, p = .01", alpha=0.01) == "decision_error"
    # Computed p of F(1, 40) = 4.08 is .0501.. : p = .05 is reported significant and is consistent.
    assert verdict("F(1, 40) = 4.08, p = .05") == "consistent"
    # A claim of p = .05 against a computed p of .07 is a decision error (.05 counts as significant).
    assert verdict("F(1, 40) = 3.4, p = .05") == "decision_error"


def test_one_tailed_only_when_the_text_says_so() -> None:
    said = check_text("As predicted, a one-tailed t-test gave t(30) = 1.80, p = .04.").results[0]
    assert said.verdict == "consistent" and said.one_tailed
    assert "one-tailed" in said.explanation
    assert said.computed_p == pytest.approx(stats.t.sf(1.8, 30))
    unsaid = check_text("The t-test gave t(30) = 1.80, p = .04.").results[0]
    assert unsaid.verdict == "decision_error" and not unsaid.one_tailed
    assert "would fit a one-tailed test" in unsaid.explanation
    # F is one-sided by construction: no halving.
    assert verdict("a one-tailed F(1, 30) = 3.0, p = .047") == "decision_error"


def test_p_reported_as_zero_is_an_error_by_default_as_in_statcheck() -> None:
    zero = check_text("F(1, 76) = 23.95, p = .000").results[0]
    assert zero.p_zero and zero.verdict == "inconsistent"
    assert "cannot be zero" in zero.explanation and "p < .001" in zero.explanation
    # The other reading: a rounded p < .0005, only noted.
    lenient = check_text("F(1, 76) = 23.95, p = .000", p_zero_is_error=False).results[0]
    assert lenient.p_zero and lenient.verdict == "consistent"
    assert "cannot be zero" in lenient.explanation
    # Not significant at all: a decision error whichever reading.
    for reading in (True, False):
        bad = check_text("F(2, 54) = 1.625, p = .000", p_zero_is_error=reading).results[0]
        assert bad.p_zero and bad.verdict == "decision_error"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("r = .23, P = .002", "degrees of freedom"),
        ("t = 2.3, p = .02", "degrees of freedom"),
        ("F(2, 54) = 1.625, p = 0206", "not a probability"),
        ("r(20) = 1.3, p = .01", "outside [-1, 1]"),
    ],
)
def test_not_checkable_with_reason(text: str, reason: str) -> None:
    r = check_text(text).results[0]
    assert r.verdict == "not_checkable"
    assert reason in r.explanation
    assert r.computed_p is None


def test_df_hint_for_pooled_error_df() -> None:
    # Dubois et al. 2021: post-hoc t-tests printed with pairwise df but p from the pooled df.
    r = check_text("placebo vs propranolol: t(40) = 2.923, p = 0.005").results[0]
    assert r.verdict == "inconsistent"
    assert "would fit df 44" in r.explanation


def test_contract_has_exactly_the_promised_keys() -> None:
    report = check_text("t(28) = 2.20, p = .06 and r = .2, p = .04")
    objs = report.to_json()["results"]
    assert [list(o) for o in objs] == [[*CONTRACT_KEYS, "finding_id"]] * 2
    first = objs[0]
    assert first["test_type"] == "t" and first["df1"] == 28 and first["df2"] is None
    assert first["reported_comparator"] == "=" and first["reported_p"] == 0.06
    assert first["verdict"] == "decision_error" and first["page"] == 1
    assert objs[1]["computed_p"] is None


def test_fmt_p() -> None:
    assert fmt_p(0.0362) == ".036"
    assert fmt_p(0.0057) == ".0057"
    assert fmt_p(0.000001) == "< .0001"
