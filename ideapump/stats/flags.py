"""Paper-level flags: patterns across results that a careful reviewer would ask about.

None of these proves an error; each is a question with its evidence attached.
Thresholds are module constants so a reader can see (and a test can pin) what
"many", "bunched" and "small" mean here.
"""

from __future__ import annotations

import re

from scipy import stats as sps

from ideapump.stats.extract import BareP
from ideapump.stats.models import CheckKind, CrossCheck, FlagCode, MeanCheck, PaperFlag, StatsResult

#: From this many reported tests on, an absent correction is worth a question.
MANY_TESTS = 10
#: Exact p-values in (.04, .05] at least this many, and outnumbering (.03, .04].
BUNCH_MIN = 3
#: ... and the one-sided caliper (binomial) test below this.
CALIPER_ALPHA = 0.10
#: Groups smaller than this, or tests with fewer df, count as very small.
SMALL_N = 10
#: Most evidence lines kept per flag; the message still gives the full count.
MAX_EVIDENCE = 8

_CORRECTION = re.compile(
    r"bonferroni|holm|hochberg|benjamini|false discovery|\bFDR\b|[sš]id[aá]k|tukey|scheff|"
    r"dunnett|games-howell|multiple comparison|multiple testing|multiplicity|family-?wise|"
    r"(?:corrected|adjusted) (?:p|alpha|α|significance)|p\.adjust|post[- ]hoc correction",
    re.IGNORECASE,
)
_CORRECTION_KEYS = (
    "bonferroni",
    "holm",
    "hochberg",
    "benjamini",
    "false discovery",
    "fdr",
    "idak",
    "idák",
    "tukey",
    "scheff",
    "dunnett",
    "games-howell",
    "multiple comparison",
    "multiple testing",
    "multiplicity",
    "family",
    "corrected",
    "adjusted",
    "p.adjust",
)
_NEGATION = re.compile(r"\b(?:not|no|without|uncorrected|un-corrected)\b[^.;]*$", re.IGNORECASE)
_TOTAL_N = re.compile(
    r"(?=[N\d])(?:(?<![\w.])N\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d.])"
    r"|(?<![\w.,])(?P<n2>\d[\d,]*) (?:participants|subjects|patients|students|"
    r"children|adults|volunteers|respondents|individuals|people|infants|adolescents)\b)"
)
_GROUP_N = re.compile(r"(?=n)(?<![\w.])n\s*=\s*(?P<n>\d+)(?![\d.,]\d)")


def _where(page: int | None, quote: str) -> str:
    return f"p. {page}: {quote}" if page is not None else quote


def _capped(lines: list[str]) -> list[str]:
    return lines[:MAX_EVIDENCE] + (
        [f"... and {len(lines) - MAX_EVIDENCE} more"] if len(lines) > MAX_EVIDENCE else []
    )


def multiple_comparisons(results: list[StatsResult], full_text: str) -> PaperFlag | None:
    if len(results) < MANY_TESTS:
        return None
    lowered = full_text.lower()
    # A cheap substring screen first: the full regex costs ~20 ms per paper.
    if not any(k in lowered for k in _CORRECTION_KEYS):
        mentions = []
    else:
        mentions = list(_CORRECTION.finditer(full_text))
    # "not corrected for multiple comparisons" is a mention that makes the concern stronger.
    negated = [
        m for m in mentions if _NEGATION.search(full_text[max(0, m.start() - 30) : m.start()])
    ]
    if len(negated) < len(mentions):
        return None
    if negated:
        message = (
            f"{len(results)} tests are reported and the text says (some) were not corrected for "
            "multiple comparisons."
        )
        evidence = [full_text[max(0, m.start() - 60) : m.end() + 20].strip() for m in negated]
    else:
        message = (
            f"{len(results)} tests are reported and the text never mentions a correction "
            "for multiple comparisons (Bonferroni, Holm, FDR, Tukey ...)."
        )
        evidence = []
    return PaperFlag(
        code="no_multiple_comparison_correction", message=message, evidence=_capped(evidence)
    )


def p_bunching(p_values: list[BareP]) -> PaperFlag | None:
    exact = [p for p in p_values if p.comparator == "="]
    upper = [p for p in exact if 0.04 < p.value <= 0.05]
    lower = [p for p in exact if 0.03 < p.value <= 0.04]
    if len(upper) < BUNCH_MIN or len(upper) <= len(lower):
        return None
    # Caliper test: with a smooth p-curve the two bins are at best equally likely.
    caliper = sps.binomtest(len(upper), len(upper) + len(lower), 0.5, alternative="greater").pvalue
    if caliper >= CALIPER_ALPHA:
        return None
    return PaperFlag(
        code="p_bunching_below_05",
        message=f"{len(upper)} exact p-values fall in (.04, .05] against {len(lower)} in "
        f"(.03, .04]; evidential p-values thin out towards .05, so this bunching "
        f"(caliper test p = {caliper:.3f}) suggests selective reporting or p-hacking.",
        evidence=_capped([_where(p.page, p.text) for p in upper]),
    )


def largest_stated_n(pages: list[tuple[int | None, str]]) -> tuple[int, int | None] | None:
    """The largest sample the paper states ("N = 60", "60 participants") and its page."""
    best: tuple[int, int | None] | None = None
    for page, text in pages:
        for m in _TOTAL_N.finditer(text):
            digits = (m.group("n") or m.group("n2")).replace(",", "")
            if digits.isdigit() and (best is None or int(digits) > best[0]):
                best = (int(digits), page)
    return best


_CHECK_FLAGS: list[tuple[CheckKind, FlagCode, str]] = [
    (
        "df_vs_n",
        "df_contradicts_n",
        "{n} test(s) have more degrees of freedom than the stated sample allows: a typo, a "
        "different sample than described, or observations (trials) analysed as if they were "
        "independent participants.",
    ),
    (
        "ci_vs_p",
        "ci_contradicts_p",
        "{n} confidence interval(s) and the p-value beside them disagree about significance "
        "(an interval excluding the null with p above alpha, or the reverse).",
    ),
    (
        "effect_size",
        "effect_size_contradicts_statistic",
        "{n} effect size(s) do not follow from the test statistic and df printed with them.",
    ),
    (
        "percentage",
        "impossible_percentages",
        "{n} percentage(s) no whole count of the stated N gives (GRIM for proportions).",
    ),
]


def check_flags(checks: list[CrossCheck]) -> list[PaperFlag]:
    """One flag per kind of cross-check that found something, with page and quote as evidence."""
    flags = []
    for kind, code, message in _CHECK_FLAGS:
        found = [c for c in checks if c.kind == kind]
        if found:
            flags.append(
                PaperFlag(
                    code=code,
                    message=message.format(n=len(found)),
                    evidence=_capped([_where(c.page, c.quote) for c in found]),
                )
            )
    return flags


def small_groups(
    results: list[StatsResult], pages: list[tuple[int | None, str]]
) -> PaperFlag | None:
    evidence = []
    for r in results:
        df = r.df2 if r.test_type == "F" else r.df1
        if r.test_type in ("t", "r", "F") and df is not None and df < SMALL_N - 1:
            evidence.append(_where(r.page, f"{r.quote} (df {df:g})"))
    for page, text in pages:
        for m in _GROUP_N.finditer(text):
            if 2 <= int(m.group("n")) < SMALL_N:
                evidence.append(_where(page, text[max(0, m.start() - 40) : m.end()].strip()))
    if not evidence:
        return None
    return PaperFlag(
        code="small_groups",
        message=f"{len(evidence)} place(s) show groups or tests with fewer than {SMALL_N} "
        "observations: estimates are imprecise, normality assumptions untestable and "
        "significant effects likely inflated.",
        evidence=_capped(evidence),
    )


def zero_p(p_values: list[BareP]) -> PaperFlag | None:
    zeros = [p for p in p_values if p.value == 0 and p.comparator in ("=", "<")]
    if not zeros:
        return None
    return PaperFlag(
        code="p_reported_as_zero",
        message=f"p is printed as zero {len(zeros)} time(s); a p-value cannot be zero "
        "(software output rounded to .000 should be reported as p < .001).",
        evidence=_capped([_where(p.page, p.text) for p in zeros]),
    )


def impossible_means(means: list[MeanCheck]) -> PaperFlag | None:
    bad = [m for m in means if "inconsistent" in (m.grim, m.grimmer)]
    if not bad:
        return None
    return PaperFlag(
        code="impossible_means",
        message=f"{len(bad)} reported mean(s)/SD(s) cannot arise from integer data with the "
        "stated n (GRIM/GRIMMER); check whether the measure is integer-valued.",
        evidence=_capped([_where(m.page, m.quote) for m in bad]),
    )


def paper_flags(
    results: list[StatsResult],
    pages: list[tuple[int | None, str]],
    p_values: list[BareP],
    means: list[MeanCheck],
    checks: list[CrossCheck] | None = None,
) -> list[PaperFlag]:
    """Every paper-level flag that applies, in a fixed order (cross-checks after the rest)."""
    full_text = " ".join(text for _, text in pages)
    candidates = [
        multiple_comparisons(results, full_text),
        p_bunching(p_values),
        small_groups(results, pages),
        zero_p(p_values),
        impossible_means(means),
    ]
    return [flag for flag in candidates if flag is not None] + check_flags(checks or [])
