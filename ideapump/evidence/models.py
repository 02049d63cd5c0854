"""What the evidence code hands out: one effect, one pooled estimate.

An :class:`Effect` keeps both scales: ``value`` / ``ci_low`` / ``ci_high`` as the
paper reports it (a d, an odds ratio, an r), and ``yi`` / ``vi`` on the scale
effects are pooled on (d, log ratio, Fisher z), with the formula that got there.
``oriented`` is ``yi`` signed toward the claim (see :mod:`ideapump.evidence.pool`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

#: Effects are pooled only within one family: standardized mean differences (d, g,
#: and t or F(1, df) converted to d), ratios (odds, risk, hazard; on the log scale),
#: correlations (r, and phi from chi2(1); as Fisher z). Raw mean differences are on
#: each paper's own scale and are listed, never pooled.
Family = Literal["smd", "ratio", "correlation", "md"]
Audit = Literal["consistent", "inconsistent", "decision_error", "not_checked"]

FAMILY_LABEL: dict[str, str] = {
    "smd": "standardized mean difference (d)",
    "ratio": "ratio (odds / risk / hazard)",
    "correlation": "correlation (r)",
    "md": "mean difference (raw units)",
}


class Effect(BaseModel):
    """One reported effect, as printed and on the pooling scale."""

    measure: str = Field(
        description="What the value is, e.g. 'odds ratio', \"Cohen's d\" (also one converted "
        "from a t or F, whose text is in reported), 'd_z', 'phi'."
    )
    family: Family
    reported: str = Field(description="The text the effect was read from, as printed.")
    value: float = Field(description="The effect on its reported scale (d, OR, r, MD).")
    ci_low: float | None = None
    ci_high: float | None = None
    yi: float = Field(description="The effect on the pooling scale: d, log ratio, Fisher z, MD.")
    vi: float | None = Field(None, description="Its variance on that scale; None: not poolable.")
    derivation: str = Field(description="The formula that gave yi and vi.")
    n: int | None = Field(None, description="Sample size the variance assumed, when it needed one.")
    source: Literal["text", "model"] = Field(
        "text", description="'text': read by code; 'model': proposed by the model, checked by code."
    )
    audit: Audit = "not_checked"
    audit_note: str = ""
    comparison: str = Field(
        "", description="The two arms the text names for it ('placebo vs propranolol'), if any."
    )
    factor: str = Field(
        "",
        description="The factor the text names it by ('horizon' in 'horizon main effect'), if any.",
    )
    doc_id: str = ""
    title: str = ""
    page: int | None = None
    chunk_id: str = ""
    oriented: float | None = Field(
        None, description="yi signed toward the claim (+ supports, - contradicts); None: unsigned."
    )

    @property
    def flagged(self) -> bool:
        """The auditor found the reported numbers inconsistent."""
        return self.audit in ("inconsistent", "decision_error")


class PoolFit(BaseModel):
    """One random-effects fit (on the pooling scale)."""

    method: str
    estimate: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float = Field(description="Share of variation due to heterogeneity, 0-1.")
    q: float
    k: int


class LeaveOneOut(BaseModel):
    doc_id: str
    title: str
    estimate: float
    ci_low: float
    ci_high: float


class Pooled(BaseModel):
    """A random-effects estimate over one effect per paper, all of one family."""

    family: Family
    label: str
    k: int
    dl: PoolFit = Field(description="DerSimonian-Laird.")
    alternative: PoolFit = Field(description="Paule-Mandel (iterated tau2).")
    leave_one_out: list[LeaveOneOut] = []
    without_flagged: PoolFit | None = Field(
        None, description="The same fit without effects the auditor flagged (None: none flagged)."
    )
    flagged: int = 0
    effects: list[Effect] = Field(default_factory=list, description="The pooled effects, in order.")

    def display(self, x: float) -> float:
        """A pooling-scale number on the scale people read (ratio: exp, correlation: tanh)."""
        import math

        if self.family == "ratio":
            return math.exp(x)
        if self.family == "correlation":
            return math.tanh(x)
        return x

    @property
    def null(self) -> float:
        return 0.0

    @property
    def headline(self) -> PoolFit:
        """The fit verdicts rest on: without flagged effects when any were flagged."""
        return self.without_flagged or self.dl
