"""Extraction of every supported way of printing a test result."""

from __future__ import annotations

import pytest

from ideapump.stats.extract import bare_p_values, extract, normalize


def one(text: str):
    found = extract(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "df1", "df2", "stat", "p_cmp", "p_text"),
    [
        ("t(28) = 2.20, p = .036", "t", 28, None, "2.20", "=", ".036"),
        ("t (7) = 5.19, p = .0013", "t", 7, None, "5.19", "=", ".0013"),
        ("t\n(7) =\n5.19, \np\n = .0013", "t", 7, None, "5.19", "=", ".0013"),
        ("t(85) = 2.86,p = .005", "t", 85, None, "2.86", "=", ".005"),
        ("t(28) = \u22122.20, p = .036", "t", 28, None, "-2.20", "=", ".036"),
        ("t(28) = \u20132.20, p = .036", "t", 28, None, "-2.20", "=", ".036"),
        ("t(28) = /C02.20, p = .036", "t", 28, None, "-2.20", "=", ".036"),
        ("t(28) \u00bc 2.20, p \u00bc .036", "t", 28, None, "2.20", "=", ".036"),
        ("t(1,234) = 2.20, p = .028", "t", 1234, None, "2.20", "=", ".028"),
        ("t(40.5) = 2.1, p = .04", "t", 40.5, None, "2.1", "=", ".04"),
        ("t272 = 3.19, P = .002", "t", 272, None, "3.19", "=", ".002"),
        ("F(1, 76) = 23.95, p < .001", "F", 1, 76, "23.95", "<", ".001"),
        ("F (2, 404) = 199.59, p < .001", "F", 2, 404, "199.59", "<", ".001"),
        ("F(1,1397) = 5.73, p = .017", "F", 1, 1397, "5.73", "=", ".017"),
        ("F[1, 56] = 19.457, p<0.001", "F", 1, 56, "19.457", "<", "0.001"),
        ("F2,407 = 12.61, P < .001", "F", 2, 407, "12.61", "<", ".001"),
        ("F1, 14 = 6.19, p = 0.026", "F", 1, 14, "6.19", "=", "0.026"),
        ("F1,375.4 = 11.71, P = .001", "F", 1, 375.4, "11.71", "=", ".001"),
        ("F(1, 56) = 19.457, MSE = 0.12, p < .001", "F", 1, 56, "19.457", "<", ".001"),
        ("F(2, 54) = 1,234.5, p < .001", "F", 2, 54, "1,234.5", "<", ".001"),
        ("r(58) = .32, p = .013", "r", 58, None, ".32", "=", ".013"),
        ("r = .23, P = .002", "r", None, None, ".23", "=", ".002"),
        ("r = \u2013.01, P = .82", "r", None, None, "-.01", "=", ".82"),
        ("χ2 (1, N = 1445) = 19.91, p < .001", "chi2", 1, None, "19.91", "<", ".001"),
        ("χ² (2, n = 103) = 0.483, p = .786", "chi2", 2, None, "0.483", "=", ".786"),
        ("X2 (1, N=93) = 6.43, P =0.01", "chi2", 1, None, "6.43", "=", "0.01"),
        ("chi2(3) = 7.8, p = .05", "chi2", 3, None, "7.8", "=", ".05"),
        ("χ2 = 5.30, df = 2, p = .07", "chi2", 2, None, "5.30", "=", ".07"),
        ("χ2(15) = 1,094.911, p < .001", "chi2", 15, None, "1,094.911", "<", ".001"),
        ("Z = -2.42, p = 0.016", "z", None, None, "-2.42", "=", "0.016"),
        ("z = 1.96, p = .05", "z", None, None, "1.96", "=", ".05"),
        ("Q(5) = 12.3, p = .031", "Q", 5, None, "12.3", "=", ".031"),
        ("Qw(3) = 2.1, p = .55", "Q", 3, None, "2.1", "=", ".55"),
        ("Qb(1) = 4.1, p = .043", "Q", 1, None, "4.1", "=", ".043"),
        ("*t*(28) = 2.20, *p* = .036", "t", 28, None, "2.20", "=", ".036"),
        ("p-value follows: t(9) = 2.3, p-value = .047", "t", 9, None, "2.3", "=", ".047"),
        ("χ2(126) = 155.2382, p < 2.2 × 10-16", "chi2", 126, None, "155.2382", "<", "2.2 × 10-16"),
    ],
)
def test_forms(text, kind, df1, df2, stat, p_cmp, p_text):
    r = one(text)
    assert (r.test_type, r.df1, r.df2, r.stat_text, r.p_comparator, r.p_text) == (
        kind,
        df1,
        df2,
        stat,
        p_cmp,
        p_text,
    )


def test_sample_size_inside_chi2_brackets() -> None:
    assert one("χ2 (1, N = 1,445) = 19.91, p < .001").n == 1445
    assert one("X2 (1, N=93) = 6.43, P =0.01").n == 93


def test_statistic_with_inequality_and_ns() -> None:
    r = one("the interaction was not reliable (F < 1, ns)")
    assert (r.test_type, r.stat_comparator, r.p_comparator, r.p_text) == ("F", "<", "ns", None)
    r = one("(t(20) > 3.5, p < .01)")
    assert (r.stat_comparator, r.p_comparator) == (">", "<")
    assert one("t(12) = 1.5, n.s.").p_comparator == "ns"


def test_lists_and_parentheses_give_every_result_with_offsets() -> None:
    text = (
        "less reliable (Constant vs Onset: t (7) = 2.69, p = .0310; Swap vs Onset: "
        "t (7) = 1.66, p = .1396; Constant vs Swap: t (7) = 0.34, p = .7460)."
    )
    found = extract(text, page=11)
    assert [r.stat_text for r in found] == ["2.69", "1.66", "0.34"]
    assert all(r.page == 11 for r in found)
    assert found[0].offset < found[1].offset < found[2].offset
    assert found[1].quote == "t (7) = 1.66, p = .1396"


@pytest.mark.parametrize(
    "text",
    [
        "At T1 = 3 weeks the groups were similar.",
        "a 2x2 = 4 cell design, p = .03",
        "Age differences occurred (p<.05).",
        "t(28) = 2.20 and nothing else",
        "Figure 2F (mean 3.1)",
        "the effect (GLMM, p = 0.001)",
    ],
)
def test_no_false_results(text: str) -> None:
    assert extract(text) == []


def test_one_tailed_context_is_noticed_but_not_when_negated() -> None:
    assert one("A one-tailed test showed t(30) = 1.80, p = .04.").one_tailed_context
    assert one("A one sided test: z = 1.7, p = .045").one_tailed_context
    assert not one("A two-tailed test showed t(30) = 1.80, p = .04.").one_tailed_context
    assert not one("Non-directional: t(30) = 1.80, p = .04.").one_tailed_context


def test_normalize_joins_hyphenation_and_ligatures() -> None:
    assert normalize("signi\ufb01cant explo-\nration") == "significant exploration"
    assert normalize("χ²(1)") == "χ2(1)"


def test_bare_p_values_skip_invalid_ones() -> None:
    ps = bare_p_values(normalize("p = .049, p < .001, P = 0206 and p = .000"))
    assert [(p.comparator, p.value) for p in ps] == [("=", 0.049), ("<", 0.001), ("=", 0.0)]
