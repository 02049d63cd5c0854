"""Effect extraction and conversion, each case computed here from the textbook formula."""

from __future__ import annotations

import math

import pytest

from ideapump.evidence.conversions import (
    d_from_f,
    d_from_t,
    fisher_z,
    hedges_j,
    log_ratio_from_ci,
    log_ratio_from_p,
)
from ideapump.evidence.effects import check_proposal, extract_effects


def test_t_to_d_between_and_paired() -> None:
    # two groups of 15 (df = 28): d = 2 * 2.20 / sqrt(28) = 0.83152
    d, v = d_from_t(2.20, 28)
    assert d == pytest.approx(4.40 / math.sqrt(28))
    assert v == pytest.approx(30 / 225 + d * d / 60)  # (n1+n2)/(n1 n2) + d^2/(2(n1+n2))
    # paired, n = 29: dz = t / sqrt(n)
    dz, vz = d_from_t(2.20, 28, paired=True)
    assert dz == pytest.approx(2.20 / math.sqrt(29))
    assert vz == pytest.approx(1 / 29 + dz * dz / 58)


def test_f_with_one_numerator_df_is_a_t() -> None:
    d, _ = d_from_f(9.0, 1, 40)  # t = 3
    assert d == pytest.approx(2 * 3 / math.sqrt(40))
    with pytest.raises(ValueError):
        d_from_f(9.0, 2, 40)
    assert hedges_j(40) == pytest.approx(1 - 3 / 159)


def test_odds_ratio_ci_to_log_scale() -> None:
    y, v = log_ratio_from_ci(2.10, 1.30, 3.40)
    assert y == pytest.approx(math.log(2.1))
    assert math.sqrt(v) == pytest.approx((math.log(3.4) - math.log(1.3)) / (2 * 1.959964), 1e-6)
    y, v = log_ratio_from_p(2.0, 0.05)  # z = 1.96 -> se = ln 2 / 1.96
    assert math.sqrt(v) == pytest.approx(math.log(2) / 1.959964, 1e-5)


def test_r_to_fisher_z() -> None:
    z, v = fisher_z(0.30, 50)
    assert z == pytest.approx(0.5 * math.log(1.3 / 0.7))
    assert v == pytest.approx(1 / 47)


def test_extraction_reads_each_form_and_converts() -> None:
    text = (
        "Exploration rose, t(28) = 2.20, p = .036. The group effect was F(1, 40) = 9.00, "
        "p = .005. Scores correlated, r(48) = .30, p = .034. Mortality fell "
        "(adjusted odds ratio 0.55, 95% CI 0.31-0.98). Cohen's d = 0.45, 95% CI [0.10, 0.80]. "
        "chi2(1, N = 100) = 6.25, p = .012."
    )
    got = extract_effects(text)
    assert [e.measure for e in got] == [
        "Cohen's d",  # from t(28): what was printed is in reported
        "Cohen's d",
        "r",
        "odds ratio",
        "Cohen's d",
        "phi",
    ]
    t, f, r, o, d, chi = got
    assert t.yi == pytest.approx(4.4 / math.sqrt(28)) and t.family == "smd"
    assert f.yi == pytest.approx(6 / math.sqrt(40))
    assert r.yi == pytest.approx(math.atanh(0.3)) and r.vi == pytest.approx(1 / 47)
    assert o.family == "ratio" and o.yi == pytest.approx(math.log(0.55))
    assert (o.ci_low, o.ci_high) == (0.31, 0.98)
    assert d.vi == pytest.approx(((0.80 - 0.10) / 3.919928) ** 2, 1e-5)
    assert chi.value == pytest.approx(0.25) and chi.vi == pytest.approx(1 / 97)
    assert all(e.audit == "consistent" for e in (t, f, r, chi))


def test_the_audit_flags_numbers_that_do_not_add_up() -> None:
    bad_t, bad_or, bad_p = extract_effects(
        "t(28) = 1.20, p = .03. OR 5.0 (95% CI 1.2-3.0). OR 2.0 (95% CI 1.2-3.3), p = 0.40."
    )
    assert bad_t.audit == "decision_error" and bad_t.flagged  # the auditor's own recomputation
    assert bad_or.audit == "inconsistent" and "outside its own CI" in bad_or.audit_note
    assert bad_p.audit == "decision_error" and "excludes 1" in bad_p.audit_note


def test_a_bare_d_or_r_needs_the_papers_n() -> None:
    assert extract_effects("d = 0.5 and r = .40") == []
    d, r = extract_effects("d = 0.5 and r = .40", n=40)
    assert d.vi == pytest.approx(4 / 40 + 0.25 / 80)
    assert r.vi == pytest.approx(1 / 37)
    assert extract_effects("on d = 12 after surgery", n=40) == []  # a day, not an effect


def test_a_model_proposal_counts_only_with_its_numbers_in_the_passage() -> None:
    passage = "Smokers had higher odds of relapse (OR 1.8, 95% CI 1.1 to 2.9)."
    good = check_proposal("odds ratio", 1.8, 1.1, 2.9, passage)
    assert good is not None and good.source == "model"
    assert good.yi == pytest.approx(math.log(1.8))
    assert check_proposal("odds ratio", 1.9, 1.1, 2.9, passage) is None  # invented value
    assert check_proposal("hazard ratio", 1.8, 1.1, 2.9, passage) is None  # wrong measure


def test_each_effect_carries_the_comparison_its_clause_names() -> None:
    # Dubois et al. 2021, p. 28, word for word ("vs." as one of its tables writes it)
    text = (
        "(F(2, 52) = 4.014, p = 0.024, h2 = 0.134; Pairwise comparisons:placebo vs "
        "propranolol: t(40) = 2.923, p = 0.005, d=0.654; amisulpride vs propranolol: "
        "t(38) = 2.171, p = 0.034, d = 0.496; placebo vs. amisulpride: t(38) = -0.587, "
        "p = 0.559, d = 0.133). Exploration rose, t(28) = 2.20, p = .036."
    )
    got = extract_effects(text, n=60)
    assert [(e.reported, e.comparison) for e in got] == [
        ("t(40) = 2.923, p = 0.005", "placebo vs propranolol"),
        ("d=0.654", "placebo vs propranolol"),
        ("t(38) = 2.171, p = 0.034", "amisulpride vs propranolol"),
        ("d = 0.496", "amisulpride vs propranolol"),
        ("t(38) = -0.587, p = 0.559", "placebo vs amisulpride"),
        ("d = 0.133", "placebo vs amisulpride"),
        ("t(28) = 2.20, p = .036", ""),  # a new sentence names no arms
    ]


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("horizon main effect: F(1, 54) = 1.333, p = 0.253", "horizon"),
        ("drug-by-horizon interaction: F(1, 54) = 3.352, p = 0.042", "drug-by-horizon"),
        ("There was a main effect of horizon, F(1, 54) = 4.20, p = 0.045", "horizon"),
        ("We found a significant main effect (F(1, 20) = 5.10, p = 0.035)", ""),
        ("placebo vs propranolol: t(40) = 2.923, p = 0.005", ""),
    ],
)
def test_an_effect_knows_the_factor_the_text_names_it_by(text: str, factor: str) -> None:
    (effect,) = extract_effects(text, n=60)
    assert effect.factor == factor
