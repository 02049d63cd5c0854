"""Paper-level flags on small synthetic papers: each fires when it should and only then."""

from __future__ import annotations

from ideapump.stats import check_text
from ideapump.stats.flags import MANY_TESTS


def codes(text: str) -> list[str]:
    return [f.code for f in check_text(text).flags]


def many_tests(n: int = MANY_TESTS) -> str:
    return " ".join(f"Test {i}: t(40) = {3 + i / 10:.2f}, p < .01." for i in range(n))


def test_many_tests_without_correction() -> None:
    assert "no_multiple_comparison_correction" in codes(many_tests())
    assert "no_multiple_comparison_correction" not in codes(many_tests(MANY_TESTS - 1))
    corrected = many_tests() + " All p-values were Bonferroni-corrected."
    assert "no_multiple_comparison_correction" not in codes(corrected)
    # Adjusting for covariates is not a multiple-comparison correction.
    covariates = many_tests() + " Findings were corrected for IQ and mood."
    assert "no_multiple_comparison_correction" in codes(covariates)


def test_explicitly_uncorrected_tests() -> None:
    text = many_tests() + " Further analysis (not corrected for multiple comparisons) showed more."
    flag = next(f for f in check_text(text).flags if f.code == "no_multiple_comparison_correction")
    assert "not corrected" in flag.message
    assert flag.evidence


def test_p_bunching_below_05() -> None:
    bunched = " ".join(f"effect {i} (p = .04{i + 1})" for i in range(6))
    assert "p_bunching_below_05" in codes(bunched)
    spread = bunched + " " + " ".join(f"other {i} (p = .03{i + 1})" for i in range(6))
    assert "p_bunching_below_05" not in codes(spread)
    assert "p_bunching_below_05" not in codes("a (p = .041) b (p = .049)")


def test_df_contradicting_stated_n() -> None:
    text = "We tested N = 20 participants. The groups differed, t(38) = 2.50, p = .017."
    flag = next(f for f in check_text(text).flags if f.code == "df_contradicts_n")
    assert "t(38) = 2.50" in flag.evidence[0]
    fine = "We tested N = 40 participants. The groups differed, t(38) = 2.50, p = .017."
    assert "df_contradicts_n" not in codes(fine)
    assert "df_contradicts_n" in codes("χ2(3, N = 3) = 8.1, p = .044")


def test_small_groups() -> None:
    flag = next(f for f in check_text("t(7) = 5.19, p = .0013").flags if f.code == "small_groups")
    assert "df 7" in flag.evidence[0]
    assert "small_groups" in codes("Control (n = 5) and exercise (n = 6) groups.")
    assert "small_groups" not in codes(
        "Control (n = 25) and exercise (n = 26), t(49) = 2.1, p = .041"
    )


def test_p_reported_as_zero_even_without_a_statistic() -> None:
    flag = next(f for f in check_text("The model was significant, p = .000.").flags)
    assert flag.code == "p_reported_as_zero"
    assert "p = .000" in flag.evidence[0]


def test_clean_paper_has_no_flags() -> None:
    assert codes("We found an effect, t(48) = 2.20, p = .033, in N = 50 adults.") == []
