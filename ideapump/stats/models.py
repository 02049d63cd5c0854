"""Data models of the statistics auditor: results, grouped findings, causes, cross-checks.

The report is what both the CLI and the registry keep. ``StatsResult`` carries
everything a reviewer needs to retrace a verdict (the range of p the reported
statistic allows, whether the one-tailed reading was used); the public JSON
contract (``StatsResult.contract``) is a fixed ten-key subset of it plus three
keys that only ever add information (``finding_id`` always; ``pages`` when the
same result is printed more than once; ``cause`` when one is inferred), so
scripts can rely on it while the model grows.

A paper that prints one result in its text, a figure legend and an appendix
has one *finding* (``Finding``) with several pages, not three problems; and
findings that share a probable cause (p computed with a pooled error df, a
one-tailed p, a truncated p, a typo in df) are listed once under that cause
(``CauseGroup``). ``StatsReport.grouped_problems()`` is that reviewer's view.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

TestType = Literal["t", "F", "r", "chi2", "z", "Q"]
Comparator = Literal["=", "<", ">", "ns"]
StatComparator = Literal["=", "<", ">"]
Verdict = Literal["consistent", "inconsistent", "decision_error", "not_checkable"]
MeanVerdict = Literal["consistent", "inconsistent", "not_checkable"]
FlagCode = Literal[
    "no_multiple_comparison_correction",
    "p_bunching_below_05",
    "df_contradicts_n",
    "small_groups",
    "p_reported_as_zero",
    "impossible_means",
    "ci_contradicts_p",
    "effect_size_contradicts_statistic",
    "impossible_percentages",
]
#: Probable causes of an inconsistency, most specific first (ties go to the earlier one).
CauseCode = Literal[
    "p_zero",
    "one_tailed",
    "df_typo",
    "p_typo",
    "pooled_df",
    "welch_df",
    "p_rounded_down",
    "statistic_truncated",
]
CAUSE_PRIORITY: tuple[CauseCode, ...] = get_args(CauseCode)
CheckKind = Literal["df_vs_n", "ci_vs_p", "effect_size", "percentage"]
#: Flags that summarise cross-checks (each check is also a finding of its own).
CHECK_FLAG_CODES: frozenset[str] = frozenset(
    {
        "df_contradicts_n",
        "ci_contradicts_p",
        "effect_size_contradicts_statistic",
        "impossible_percentages",
    }
)

VERDICTS: tuple[Verdict, ...] = ("decision_error", "inconsistent", "not_checkable", "consistent")
# The exact keys of one result in the JSON contract, in their documented order.
CONTRACT_KEYS: tuple[str, ...] = (
    "test_type",
    "df1",
    "df2",
    "statistic",
    "reported_comparator",
    "reported_p",
    "computed_p",
    "verdict",
    "page",
    "quote",
)
#: Keys a contract object may carry besides CONTRACT_KEYS, after them and in this order:
#: ``finding_id`` always, ``pages`` only for a result printed more than once, ``cause``
#: only where one is inferred.
EXTRA_KEYS: tuple[str, ...] = ("finding_id", "pages", "cause")
#: Bumped when the audit finds more than before, so stored reports are redone from the text.
AUDIT_VERSION = 2


class StatsResult(BaseModel):
    """One reported test (statistic plus p-value) and what recomputing it showed."""

    test_type: TestType
    df1: float | None = Field(None, description="Only df for t, r, chi2, Q; numerator df for F.")
    df2: float | None = Field(None, description="Denominator df for F; null otherwise.")
    n: int | None = Field(
        None, description="Sample size stated with the test, e.g. chi2(1, N = 93)."
    )
    statistic: float
    statistic_comparator: StatComparator = "="
    statistic_text: str = Field(..., description="The statistic as printed, e.g. '2.20'.")
    reported_comparator: Comparator
    reported_p: float | None = Field(None, description="Null when the paper only says 'ns'.")
    reported_p_text: str | None = None
    computed_p: float | None = Field(
        None, description="p recomputed from the statistic as printed."
    )
    computed_p_low: float | None = Field(
        None, description="Smallest p the rounded statistic allows."
    )
    computed_p_high: float | None = Field(
        None, description="Largest p the rounded statistic allows."
    )
    one_tailed: bool = Field(
        False, description="computed_p is one-tailed because the text says so."
    )
    one_tailed_mentioned: bool = Field(
        False, description="The text near the result says one-tailed."
    )
    p_zero: bool = Field(False, description="The paper printed p = .000, which cannot be.")
    verdict: Verdict
    explanation: str
    page: int | None = None
    quote: str
    offset: int = Field(
        0, description="Character offset of the quote in the page's normalized text."
    )
    finding_id: str | None = Field(
        None, description="The finding this result belongs to; repeats share one."
    )
    pages: list[int] = Field(
        default_factory=list,
        description="Every page printing this same result, set only when it is printed more "
        "than once (possibly twice on one page).",
    )
    cause: CauseCode | None = Field(None, description="Probable cause of an inconsistency.")
    # The "would fit df ..." sentence of the explanation, replaced by the cause when one
    # is found; recomputed on every judgement, so not stored.
    df_hint: str = Field("", exclude=True)

    def contract(self) -> dict[str, Any]:
        """The JSON object promised to scripts: CONTRACT_KEYS, then EXTRA_KEYS that apply."""
        data = self.model_dump(mode="json")
        out = {key: data[key] for key in CONTRACT_KEYS}
        out["finding_id"] = self.finding_id
        if self.pages:
            out["pages"] = self.pages
        if self.cause is not None:
            out["cause"] = self.cause
        return out

    @property
    def is_problem(self) -> bool:
        return self.verdict in ("inconsistent", "decision_error")


class Finding(BaseModel):
    """One distinct reported result: its repeats (same test, df, value and p) merged."""

    finding_id: str
    test: str = Field(..., description="The result as one canonical line, e.g. 't(40) = 2.923'.")
    verdict: Verdict
    page: int | None = Field(None, description="Page of the first occurrence.")
    pages: list[int] = Field(default_factory=list, description="Pages of every occurrence.")
    occurrences: int = 1
    quote: str = Field(..., description="The first occurrence as printed.")
    explanation: str
    cause: CauseCode | None = None

    @property
    def is_problem(self) -> bool:
        return self.verdict in ("inconsistent", "decision_error")


class CauseGroup(BaseModel):
    """Findings that share one probable cause, explained once."""

    cause: CauseCode
    message: str
    finding_ids: list[str]
    occurrences: int = Field(0, description="Printed results behind these findings.")
    decision_errors: int = Field(0, description="Findings among them that change a conclusion.")
    pages: list[int] = Field(default_factory=list)
    quote: str = Field("", description="The first finding's quote, as an example.")


class CrossCheck(BaseModel):
    """Two numbers a paper reports that cannot both be right (beyond statcheck).

    ``df_vs_n``: a t or F df that the N stated for that analysis cannot give;
    ``ci_vs_p``: a confidence interval that excludes the null while p says not
    significant, or the reverse; ``effect_size``: Cohen's d, η², partial η² or r
    that the statistic and df beside it do not imply; ``percentage``: a percentage
    no whole count of the stated N gives (GRIM for proportions).
    """

    kind: CheckKind
    message: str
    page: int | None = None
    pages: list[int] = Field(
        default_factory=list, description="Every page printing it (a repeated result)."
    )
    quote: str
    offset: int = 0


class MeanCheck(BaseModel):
    """A GRIM (mean) and, where an SD is given, GRIMMER (SD) check of a reported mean."""

    mean: float
    mean_text: str
    sd: float | None = None
    sd_text: str | None = None
    n: int
    items: int = Field(1, description="Items averaged per participant (1 unless the text says).")
    grim: MeanVerdict
    grimmer: MeanVerdict | None = None
    explanation: str
    page: int | None = None
    quote: str


class PaperFlag(BaseModel):
    """A paper-level concern: not an error on its own, but what a careful reviewer would ask about."""

    code: FlagCode
    message: str
    evidence: list[str] = Field(default_factory=list)


class Problem(BaseModel):
    """One line of the grouped audit, as a critique or a digest shows it."""

    kind: Literal["cause", "result", "check", "mean"]
    verdict: str = Field(..., description="decision_error, inconsistent, or the check's kind.")
    page: int | None = None
    pages: list[int] = Field(default_factory=list)
    quote: str = ""
    message: str
    finding_ids: list[str] = Field(default_factory=list)


class StatsReport(BaseModel):
    doc_id: str | None = None
    title: str | None = None
    source: str | None = None
    alpha: float = 0.05
    p_zero_is_error: bool = True
    version: int = Field(1, description="AUDIT_VERSION of the code that made the report.")
    pages: int = 0
    results: list[StatsResult] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    causes: list[CauseGroup] = Field(default_factory=list)
    checks: list[CrossCheck] = Field(default_factory=list)
    means: list[MeanCheck] = Field(default_factory=list)
    flags: list[PaperFlag] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"total": len(self.results)}
        for verdict in VERDICTS:
            counts[verdict] = sum(1 for r in self.results if r.verdict == verdict)
        counts["means_checked"] = sum(1 for m in self.means if m.grim != "not_checkable")
        counts["impossible_means"] = sum(
            1 for m in self.means if "inconsistent" in (m.grim, m.grimmer)
        )
        return counts

    def problems(self) -> list[StatsResult]:
        """Decision errors first, then inconsistencies, each in reading order."""
        order = {"decision_error": 0, "inconsistent": 1}
        flagged = [r for r in self.results if r.is_problem]
        return sorted(flagged, key=lambda r: (order[r.verdict], r.page or 0, r.offset))

    @property
    def distinct_counts(self) -> dict[str, int]:
        """Counts of distinct findings (repeats merged), by verdict, plus the cause groups."""
        counts = {"findings": len(self.findings)}
        for verdict in VERDICTS:
            counts[verdict] = sum(1 for f in self.findings if f.verdict == verdict)
        counts["causes"] = len(self.causes)
        counts["checks"] = len(self.checks)
        return counts

    def grouped_problems(self) -> list[Problem]:
        """What a reviewer reads: each cause once, then the problems no cause explains.

        Order: cause groups (largest first), then uncaused decision errors and
        inconsistencies in reading order, cross-checks, impossible means.
        """
        out = [
            Problem(
                kind="cause",
                verdict="decision_error" if g.decision_errors else "inconsistent",
                page=g.pages[0] if g.pages else None,
                pages=g.pages,
                quote=g.quote,
                message=g.message,
                finding_ids=g.finding_ids,
            )
            for g in self.causes
        ]
        grouped = {fid for g in self.causes for fid in g.finding_ids}
        order = {"decision_error": 0, "inconsistent": 1}
        loose = [f for f in self.findings if f.is_problem and f.finding_id not in grouped]
        loose.sort(key=lambda f: (order[f.verdict], f.page or 0))
        for f in loose:
            also = (
                f" Printed {f.occurrences} times (pp. {_pages(f.pages)})."
                if len(f.pages) > 1
                else ""
            )
            out.append(
                Problem(
                    kind="result",
                    verdict=f.verdict,
                    page=f.page,
                    pages=f.pages,
                    quote=f.quote,
                    message=f.explanation + also,
                    finding_ids=[f.finding_id],
                )
            )
        out += [
            Problem(
                kind="check",
                verdict=c.kind,
                page=c.page,
                pages=[c.page] if c.page is not None else [],
                quote=c.quote,
                message=c.message,
            )
            for c in self.checks
        ]
        out += [
            Problem(
                kind="mean",
                verdict="impossible_mean",
                page=m.page,
                pages=[m.page] if m.page is not None else [],
                quote=m.quote,
                message=m.explanation,
            )
            for m in self.means
            if "inconsistent" in (m.grim, m.grimmer)
        ]
        return out

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of ``ideapump check-stats --json``.

        ``results`` holds contract objects only (CONTRACT_KEYS, then the
        EXTRA_KEYS that apply); ``explanations`` is parallel to it, so the
        plain-English reason for results[i] is explanations[i]. Cross-checks
        reach scripts as ``flags`` (code, message, evidence lines that give page
        and quote); causes as each result's ``cause``.
        """
        return {
            "document": {
                "doc_id": self.doc_id,
                "title": self.title,
                "source": self.source,
                "pages": self.pages,
            },
            "alpha": self.alpha,
            "results": [r.contract() for r in self.results],
            "explanations": [r.explanation for r in self.results],
            "means": [m.model_dump(mode="json") for m in self.means],
            "flags": [f.model_dump(mode="json") for f in self.flags],
            "counts": self.counts,
        }


def _pages(pages: list[int]) -> str:
    return ", ".join(str(p) for p in pages)
