"""Data models of the statistics auditor: one result, one mean check, one paper flag, one report.

The report is what both the CLI and the registry keep. ``StatsResult`` carries
everything a reviewer needs to retrace a verdict (the range of p the reported
statistic allows, whether the one-tailed reading was used); the public JSON
contract (``StatsResult.contract``) is a fixed ten-key subset of it, so scripts
can rely on it while the model grows.
"""

from __future__ import annotations

from typing import Any, Literal

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
]

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

    def contract(self) -> dict[str, Any]:
        """The ten-key JSON object promised to scripts (see CONTRACT_KEYS)."""
        data = self.model_dump(mode="json")
        return {key: data[key] for key in CONTRACT_KEYS}

    @property
    def is_problem(self) -> bool:
        return self.verdict in ("inconsistent", "decision_error")


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


class StatsReport(BaseModel):
    doc_id: str | None = None
    title: str | None = None
    source: str | None = None
    alpha: float = 0.05
    pages: int = 0
    results: list[StatsResult] = Field(default_factory=list)
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

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of ``ideapump check-stats --json``.

        ``results`` holds contract objects only (exactly CONTRACT_KEYS);
        ``explanations`` is parallel to it, so the plain-English reason for
        results[i] is explanations[i] without widening the contract.
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
