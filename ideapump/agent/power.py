"""Sample size by a real power analysis (statsmodels), effect size from a cited paper.

The effect size comes, where possible, from a statistic that the deterministic
auditor (:mod:`ideapump.stats`) extracted from a paper the proposal cites:

* t(df) = t                 d = 2t / sqrt(df)                (two independent groups)
* F(1, df2) = F             d = 2 sqrt(F) / sqrt(df2)
* F(df1 > 1, df2) = F       eta2_p = F df1 / (F df1 + df2),  f = sqrt(eta2_p / (1 - eta2_p))
* r(df) = r                 d = 2r / sqrt(1 - r^2)
* chi2(1, N = n) = x        phi = sqrt(x / n),  d = 2 phi / sqrt(1 - phi^2)

Only results the auditor judged consistent are used, and only plausible sizes
(0.1 <= d <= 3). Results on a cited page come first (else the first cited
paper's), significant ones (p < .05) before the rest; the median effect is taken. Without one, Cohen's conventional medium effect
(d = 0.5, f = 0.25) is assumed and labelled as such.

The test follows the design: between subjects, two conditions are a
two-sample t-test (TTestIndPower) and more a one-way ANOVA (FTestAnovaPower),
with one group per condition; within subjects (every participant in every
condition) a paired t-test (TTestPower on d_z), and with more than two
conditions paired t-tests for every pair at a Bonferroni-corrected alpha. A
published between-groups d is taken as d_z, which holds for a correlation of
0.5 between conditions; that assumption is stated in the note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from statsmodels.stats.power import FTestAnovaPower, TTestIndPower, TTestPower

from ideapump.agent.grounding import Evidence, quote_occurs
from ideapump.agent.subjects import same_kind, studied_in
from ideapump.errors import IdeaPumpError
from ideapump.results import Citation, PowerAnalysis

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.stats import StatsResult

POWER = 0.8
DEFAULT_D = 0.5
MIN_D, MAX_D = 0.1, 3.0


@dataclass
class EffectCandidate:
    result: StatsResult
    doc_id: str
    title: str
    metric: str  # "d" or "f"
    value: float
    formula: str
    on_cited_page: bool
    studied: str = ""  # who the paper studies (:func:`.subjects.studied_in`)

    @property
    def as_d(self) -> float:
        return self.value if self.metric == "d" else 2 * self.value


def effect_from_result(r: StatsResult) -> tuple[str, float, str] | None:
    """(metric, value, formula) for one audited result, or None when it cannot be converted."""
    s = abs(r.statistic)
    if r.test_type == "t" and r.df1:
        d = 2 * s / math.sqrt(r.df1)
        return "d", d, f"d = 2t/sqrt(df) = 2*{s:g}/sqrt({r.df1:g}) = {d:.3f}"
    if r.test_type == "F" and r.df1 and r.df2:
        if r.df1 == 1:
            d = 2 * math.sqrt(s) / math.sqrt(r.df2)
            return "d", d, f"d = 2*sqrt(F)/sqrt(df2) = 2*sqrt({s:g})/sqrt({r.df2:g}) = {d:.3f}"
        eta = s * r.df1 / (s * r.df1 + r.df2)
        f = math.sqrt(eta / (1 - eta))
        return (
            "f",
            f,
            (
                f"eta2_p = F*df1/(F*df1+df2) = {s:g}*{r.df1:g}/({s:g}*{r.df1:g}+{r.df2:g}) = "
                f"{eta:.3f}; f = sqrt(eta2_p/(1-eta2_p)) = {f:.3f}"
            ),
        )
    if r.test_type == "r" and s < 1:
        d = 2 * s / math.sqrt(1 - s * s)
        return "d", d, f"d = 2r/sqrt(1-r^2) = 2*{s:g}/sqrt(1-{s:g}^2) = {d:.3f}"
    if r.test_type == "chi2" and r.df1 == 1 and r.n:
        phi = math.sqrt(s / r.n)
        if phi >= 1:
            return None
        d = 2 * phi / math.sqrt(1 - phi * phi)
        return (
            "d",
            d,
            (
                f"phi = sqrt(chi2/N) = sqrt({s:g}/{r.n}) = {phi:.3f}; d = 2phi/sqrt(1-phi^2) = {d:.3f}"
            ),
        )
    return None


def effect_candidates(library: Library, cited: Sequence[Citation]) -> list[EffectCandidate]:
    """Convertible, consistent results from the cited papers, in citation order.

    Only cited papers: another retrieved paper's statistic (a bed-rest study's, for
    a proposal on rats) would power the experiment on the wrong effect.
    """
    from ideapump.stats import check_document

    cited_pages = {(c.doc_id, c.page) for c in cited}
    order = list(dict.fromkeys(c.doc_id for c in cited))
    out: list[EffectCandidate] = []
    for doc_id in order:
        try:
            report = check_document(library, doc_id)
        except IdeaPumpError:
            continue  # a data table has no text to audit
        studied = studied_in(" ".join(c.quote for c in library.chunks(doc_id)))
        for r in report.results:
            if r.verdict != "consistent" or r.statistic_comparator != "=":
                continue
            converted = effect_from_result(r)
            if converted is None:
                continue
            metric, value, formula = converted
            cand = EffectCandidate(
                r, doc_id, report.title or doc_id, metric, value, formula, False, studied
            )
            if not MIN_D <= cand.as_d <= MAX_D:
                continue
            cand.on_cited_page = (doc_id, r.page) in cited_pages
            out.append(cand)
    return out


def pick_effect(cands: list[EffectCandidate], unit: str = "") -> EffectCandidate | None:
    """The effect to power on: from a paper on ``unit``'s kind of subject where one has
    a result (the quick start's rat experiment was powered on a study of volunteers),
    then by the rules in the module docstring."""
    if not cands:
        return None
    if unit:
        cands = [c for c in cands if same_kind(c.studied, unit)] or cands
    pool = [c for c in cands if c.on_cited_page] or [
        c for c in cands if c.doc_id == cands[0].doc_id
    ]
    significant = [
        c for c in pool if c.result.computed_p is not None and c.result.computed_p < 0.05
    ]
    pool = significant or pool
    pool.sort(key=lambda c: c.as_d)
    return pool[(len(pool) - 1) // 2]


def source_citation(library: Library, evidence: Evidence, cand: EffectCandidate) -> Citation | None:
    """The chunk that holds the statistic, added to this answer's evidence and checked."""
    for chunk in library.chunks(cand.doc_id):
        page_ok = cand.result.page is None or chunk.page <= cand.result.page <= chunk.page_end
        if page_ok and quote_occurs(cand.result.quote, chunk.quote):
            return evidence.cite_passage(chunk, cand.result.quote)
    return None


def solve_n(metric: str, value: float, groups: int, alpha: float, power: float) -> int:
    """Participants per group for the design."""
    if groups <= 2:
        d = value if metric == "d" else 2 * value
        n = TTestIndPower().solve_power(effect_size=d, alpha=alpha, power=power, ratio=1.0)
        return math.ceil(float(n))
    f = value if metric == "f" else value / 2
    total = FTestAnovaPower().solve_power(effect_size=f, alpha=alpha, power=power, k_groups=groups)
    return math.ceil(float(total) / groups)


def solve_paired_n(d: float, conditions: int, alpha: float, power: float) -> tuple[int, float]:
    """Participants for a within-subject design, and the (Bonferroni) alpha per paired test."""
    pairs = conditions * (conditions - 1) // 2
    per_test = alpha / max(1, pairs)
    n = TTestPower().solve_power(effect_size=d, alpha=per_test, power=power)
    return max(2, math.ceil(float(n))), per_test


def _within(
    library: Library,
    evidence: Evidence,
    cand: EffectCandidate | None,
    conditions: int,
    alpha: float,
    power: float,
) -> PowerAnalysis:
    conditions = max(2, conditions)
    d = DEFAULT_D if cand is None else cand.as_d
    n, per_test = solve_paired_n(d, conditions, alpha, power)
    test = (
        "paired t-test (within subject)"
        if conditions == 2
        else f"paired t-tests for each of {conditions * (conditions - 1) // 2} pairs of "
        f"{conditions} conditions (within subject), Bonferroni alpha = {per_test:.4g}"
    )
    formula = "assumed d_z = 0.5" if cand is None else cand.formula + f"; d_z = d = {d:.3f}"
    if cand is not None and cand.metric == "f":
        formula = cand.formula + f"; d_z = 2f = {d:.3f}"
    return PowerAnalysis(
        test=test,
        effect_size=round(d, 3),
        effect_size_metric="d",
        effect_source=(
            "conventional default (Cohen 1988, medium effect): no usable statistic was found "
            "in the cited papers"
            if cand is None
            else f"{cand.result.quote} ({cand.title}, p. {cand.result.page})"
        ),
        formula=formula,
        source=None if cand is None else source_citation(library, evidence, cand),
        conventional_default=cand is None,
        alpha=alpha,
        power=power,
        n_per_group=n,
        groups=conditions,
        total_n=n,
        within_subject=True,
        note="Every participant takes part in every condition. A between-groups d is used "
        "as d_z, which assumes a correlation of 0.5 between conditions; treat this n as a "
        "lower bound.",
    )


def power_analysis(
    library: Library,
    evidence: Evidence,
    cited: Sequence[Citation],
    conditions: int,
    *,
    within: bool = False,
    unit: str = "participants",
    alpha: float | None = None,
    power: float = POWER,
) -> PowerAnalysis:
    """Power analysis for a design with ``conditions`` conditions, effect from the cited papers.

    ``within``: every participant is in every condition (see the module docstring).
    ``unit``: who the design counts ("rats"); an effect from a study of another kind of
    subject is used only when no cited paper on this kind has one, and the note says so.
    """
    alpha = library.settings.stats.alpha if alpha is None else alpha
    cand = pick_effect(effect_candidates(library, cited), unit)
    analysis = _sized(library, evidence, cand, conditions, within, alpha, power)
    note = analysis.note
    if cand is not None and cand.studied and not same_kind(cand.studied, unit):
        note = (
            f"{note} The effect comes from a study of {cand.studied}, not {unit}: a rough "
            "guide at best."
        ).strip()
    return analysis.model_copy(update={"unit": unit, "note": note})


def _sized(
    library: Library,
    evidence: Evidence,
    cand: EffectCandidate | None,
    conditions: int,
    within: bool,
    alpha: float,
    power: float,
) -> PowerAnalysis:
    if within:
        return _within(library, evidence, cand, conditions, alpha, power)
    groups = max(2, conditions)
    test = "two-sample t-test" if groups == 2 else f"one-way ANOVA, {groups} groups"
    if cand is None:
        metric, value = ("d", DEFAULT_D) if groups == 2 else ("f", DEFAULT_D / 2)
        n = solve_n(metric, value, groups, alpha, power)
        return PowerAnalysis(
            test=test,
            effect_size=value,
            effect_size_metric=metric,
            effect_source="conventional default (Cohen 1988, medium effect): no usable "
            "statistic was found in the cited papers",
            formula=f"assumed {metric} = {value:g}",
            conventional_default=True,
            alpha=alpha,
            power=power,
            n_per_group=n,
            groups=groups,
            total_n=n * groups,
        )
    metric, value = cand.metric, cand.value
    formula = cand.formula
    if groups == 2 and metric == "f":
        metric, value = "d", 2 * cand.value
        formula += f"; d = 2f = {value:.3f}"
    elif groups > 2 and metric == "d":
        metric, value = "f", cand.value / 2
        formula += f"; f = d/2 = {value:.3f}"
    n = solve_n(metric, value, groups, alpha, power)
    r = cand.result
    return PowerAnalysis(
        test=test,
        effect_size=round(value, 3),
        effect_size_metric=metric,
        effect_source=f"{r.quote} ({cand.title}, p. {r.page})",
        formula=formula,
        source=source_citation(library, evidence, cand),
        alpha=alpha,
        power=power,
        n_per_group=n,
        groups=groups,
        total_n=n * groups,
        note="Published effects tend to be inflated and the conversion assumes independent "
        "groups; treat this n as a lower bound.",
    )
