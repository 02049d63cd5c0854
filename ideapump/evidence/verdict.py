"""The verdict on a claim, by stated rules, from paper stances, designs, N and the pooled CI.

The rules (each verdict carries the lines of :data:`RULES` that decided it):

1. A paper's stance: ``supports`` if at least one of its passages supports the
   claim and none contradicts; ``contradicts`` the other way round; ``mixed``
   with both; ``neither`` with neither (after the direction-word cross-check).
   A passage that supports in part (its finding also states no effect in another
   clause, :func:`~ideapump.evidence.stance.no_effect_beside`) counts on both sides.
2. A paper's weight: 2 for a strong design (randomised, placebo-controlled,
   double-blind, meta-analysis), else 1; x1.5 when its stated N is 100 or more;
   halved when every effect it reports is flagged by the statistics audit.
3. No paper supports or contradicts: ``insufficient``.
4. A pooled estimate (>= 2 papers with comparable effects) decides first when
   the pooled papers carry at least half of the weight of the papers that take a
   side (otherwise rule 5 decides and the estimate is shown beside it); the
   audited fit (without flagged effects) when any effect is flagged. Its 95% CI
   above the null: ``supported``; below: ``contradicted``; across the null:
   ``mixed`` when papers weigh in on both sides, else ``insufficient`` (the
   effects are too imprecise to say).
5. Otherwise (no pooled estimate) the weights are counted: only support:
   ``supported``; only contradiction: ``contradicted``; both: the side with at
   least twice the other's weight wins, else ``mixed``.
6. Confidence: ``high`` with a pooled CI clear of the null, k >= 3, I^2 < 50%
   and no single paper able to move the CI across the null (leave-one-out), or
   without pooling >= 3 strong-design papers on the winning side and none
   against; ``medium`` with >= 2 papers on the winning side; ``low`` otherwise
   (a single paper, or a mixed picture).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ideapump.evidence.models import Effect, Pooled
from ideapump.evidence.pool import ci_side, loo_robust

Verdict = Literal["supported", "contradicted", "mixed", "insufficient"]
Confidence = Literal["low", "medium", "high"]
PaperStance = Literal["supports", "contradicts", "mixed", "neither"]

STRONG = (
    "randomized controlled trial",
    "randomized",
    "placebo-controlled",
    "double-blind",
    "meta-analysis",
)


@dataclass(frozen=True)
class PaperVote:
    """What one paper contributes to the verdict."""

    doc_id: str
    stance: PaperStance
    design: Sequence[str] = ()
    n: int | None = None
    effects: Sequence[Effect] = ()

    @property
    def strong(self) -> bool:
        return any(d in STRONG for d in self.design)

    @property
    def weight(self) -> float:
        w = 2.0 if self.strong else 1.0
        if self.n is not None and self.n >= 100:
            w *= 1.5
        if self.effects and all(e.flagged for e in self.effects):
            w /= 2
        return w


def paper_stance(stances: Sequence[str]) -> PaperStance:
    """Rule 1: a paper's stance from its passages' stances."""
    s, c = "supports" in stances, "contradicts" in stances
    return "mixed" if s and c else "supports" if s else "contradicts" if c else "neither"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    confidence: Confidence
    rules: list[str]


def decide(votes: Sequence[PaperVote], pooled: Pooled | None) -> Decision:
    """Rules 2-6 of the module docstring."""
    sup = [v for v in votes if v.stance == "supports"]
    con = [v for v in votes if v.stance == "contradicts"]
    ws, wc = sum(v.weight for v in sup), sum(v.weight for v in con)
    tally = (
        f"{len(sup)} paper(s) support (weight {ws:g}), {len(con)} contradict (weight {wc:g}), "
        f"{sum(1 for v in votes if v.stance == 'mixed')} mixed, "
        f"{sum(1 for v in votes if v.stance == 'neither')} neither."
    )
    if not sup and not con and not any(v.stance == "mixed" for v in votes):
        return Decision("insufficient", "low", [tally, "Rule 3: no paper supports or contradicts."])
    pooled_ids = {e.doc_id for e in pooled.effects} if pooled is not None else set()
    taking = [v for v in votes if v.stance != "neither"]
    share = sum(v.weight for v in taking if v.doc_id in pooled_ids) / (
        sum(v.weight for v in taking) or 1.0
    )
    if pooled is not None and share < 0.5:
        tally += f" The pooled papers carry {share:.0%} of the weight, under half: rule 5 decides."
    if pooled is not None and share >= 0.5:
        fit = pooled.headline
        which = "audited fit without flagged effects" if pooled.without_flagged else "DL fit"
        side = ci_side(fit)
        span = f"pooled {pooled.label} ({which}) 95% CI {fit.ci_low:.2f} to {fit.ci_high:.2f}"
        if side == 1:
            verdict: Verdict = "supported"
            rule = f"Rule 4: {span} lies above the null."
        elif side == -1:
            verdict = "contradicted"
            rule = f"Rule 4: {span} lies below the null."
        else:
            verdict = "mixed" if sup and con else "insufficient"
            rule = f"Rule 4: {span} spans the null" + (
                "; papers on both sides." if sup and con else "; too imprecise to say."
            )
        robust = loo_robust(pooled) if pooled.leave_one_out else False
        if side and fit.k >= 3 and fit.i2 < 0.5 and robust:
            conf: Confidence = "high"
        elif side and fit.k >= 2:
            conf = "medium"
        else:
            conf = "low"
        return Decision(verdict, conf, [tally, rule, _conf_rule(conf)])
    if ws and not wc:
        verdict, rule = "supported", "Rule 5: only supporting papers."
    elif wc and not ws:
        verdict, rule = "contradicted", "Rule 5: only contradicting papers."
    elif ws >= 2 * wc and ws:
        verdict, rule = "supported", "Rule 5: support outweighs contradiction at least 2:1."
    elif wc >= 2 * ws and wc:
        verdict, rule = "contradicted", "Rule 5: contradiction outweighs support at least 2:1."
    elif not ws and not wc:
        verdict, rule = "mixed", "Rule 5: the only papers that take a side are mixed."
    else:
        verdict, rule = "mixed", "Rule 5: papers on both sides, neither outweighs the other 2:1."
    winners = sup if verdict == "supported" else con if verdict == "contradicted" else []
    losers = con if verdict == "supported" else sup if verdict == "contradicted" else []
    if len([v for v in winners if v.strong]) >= 3 and not losers:
        conf = "high"
    elif len(winners) >= 2:
        conf = "medium"
    else:
        conf = "low"
    return Decision(verdict, conf, [tally, rule, _conf_rule(conf)])


def _conf_rule(conf: Confidence) -> str:
    return {
        "high": "Rule 6: high confidence (consistent, robust evidence from several papers).",
        "medium": "Rule 6: medium confidence (at least two papers on the winning side).",
        "low": "Rule 6: low confidence (a single paper, imprecise or mixed evidence).",
    }[conf]
