"""Random-effects pooling of one effect per paper (statsmodels ``combine_effects``).

Effects are signed toward the claim before pooling: the magnitude comes from
the paper's numbers, the sign from the checked stance of the passage that
reports it (supports: +, contradicts: -). A t-test's sign depends on which
group was subtracted from which and an F has none, so the text's own sign
cannot say whether a result is for or against the claim; the stance can.
Effects in passages judged "neither" are listed but not pooled.

Only effects of one family are pooled (:data:`ideapump.evidence.models.Family`);
the family with the most papers wins (ties: smd, ratio, correlation). Each paper
contributes its first poolable effect in its most relevant passage, so a paper
reporting ten tests is not counted ten times. DerSimonian-Laird is the main
fit; Paule-Mandel (statsmodels' "iterated") is the alternative. With any
effect flagged by the audit, the fit is repeated without the flagged ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ideapump.evidence.models import FAMILY_LABEL, Effect, Family, LeaveOneOut, Pooled, PoolFit

_ORDER: tuple[Family, ...] = ("smd", "ratio", "correlation")


def orient(effect: Effect, stance: str) -> Effect:
    """``effect`` with ``oriented`` set from its passage's stance (None for 'neither')."""
    sign = {"supports": 1.0, "contradicts": -1.0}.get(stance)
    return effect.model_copy(update={"oriented": None if sign is None else sign * abs(effect.yi)})


def fit(yi: Sequence[float], vi: Sequence[float], method: str = "dl") -> PoolFit:
    """One random-effects fit; ``method`` 'dl' (DerSimonian-Laird) or 'pm' (Paule-Mandel)."""
    from statsmodels.stats.meta_analysis import combine_effects

    y, v = np.asarray(yi, float), np.asarray(vi, float)
    if len(y) < 2:
        raise ValueError("pooling needs at least two effects")
    res = combine_effects(y, v, method_re="chi2" if method == "dl" else "iterated", use_t=False)
    lo, hi = res.conf_int(use_t=False)[1]
    return PoolFit(
        method="DerSimonian-Laird" if method == "dl" else "Paule-Mandel",
        estimate=float(res.mean_effect_re),
        ci_low=float(lo),
        ci_high=float(hi),
        tau2=float(max(res.tau2, 0.0)),
        i2=float(max(res.i2, 0.0)) if math.isfinite(res.i2) else 0.0,
        q=float(res.q),
        k=len(y),
    )


def choose(effects: Sequence[Effect]) -> tuple[Family | None, list[Effect], str]:
    """The family to pool, one effect per paper from it, and a note on what was left out.

    ``effects`` come in order of relevance; only oriented effects with a variance
    count. The note says why nothing is pooled when fewer than two papers share
    a family.
    """
    per_family: dict[Family, dict[str, Effect]] = {}
    for e in effects:
        if e.oriented is None or e.vi is None or e.vi <= 0 or e.family == "md":
            continue
        per_family.setdefault(e.family, {}).setdefault(e.doc_id, e)
    best = max(_ORDER, key=lambda f: (len(per_family.get(f, {})), -_ORDER.index(f)))
    chosen = list(per_family.get(best, {}).values())
    if len(chosen) < 2:
        counts = ", ".join(
            f"{len(per_family[f])} {FAMILY_LABEL[f]}" for f in _ORDER if per_family.get(f)
        )
        mds = sum(1 for e in effects if e.family == "md")
        why = (
            "Effects are not comparable: fewer than two papers report an effect of one kind "
            f"with its uncertainty ({counts or 'none with a stance and a variance'}"
            + (f"; {mds} raw mean difference(s), each on its own scale" if mds else "")
            + "), so the verdict counts papers by design instead."
        )
        return None, [], why
    others = sum(
        len(v)
        for f, v in per_family.items()
        if f != best and not set(v) <= {e.doc_id for e in chosen}
    )
    note = (
        f"Pooled {len(chosen)} papers' {FAMILY_LABEL[best]}"
        + (
            f"; {others} effect(s) of other kinds are not comparable and are listed only"
            if others
            else ""
        )
        + "."
    )
    return best, chosen, note


def pool(effects: Sequence[Effect]) -> tuple[Pooled | None, str]:
    """The pooled estimate over ``effects`` (see the module docstring), or None and why not."""
    family, chosen, note = choose(effects)
    if family is None:
        return None, note
    yi = [float(e.oriented) for e in chosen]  # type: ignore[arg-type]
    vi = [float(e.vi) for e in chosen]  # type: ignore[arg-type]
    dl = fit(yi, vi, "dl")
    loo: list[LeaveOneOut] = []
    if len(chosen) >= 3:
        for i, e in enumerate(chosen):
            rest = fit(yi[:i] + yi[i + 1 :], vi[:i] + vi[i + 1 :], "dl")
            loo.append(
                LeaveOneOut(
                    doc_id=e.doc_id,
                    title=e.title,
                    estimate=rest.estimate,
                    ci_low=rest.ci_low,
                    ci_high=rest.ci_high,
                )
            )
    clean = [i for i, e in enumerate(chosen) if not e.flagged]
    flagged = len(chosen) - len(clean)
    without = None
    if flagged and len(clean) >= 2:
        without = fit([yi[i] for i in clean], [vi[i] for i in clean], "dl")
    elif flagged:
        note += " Without the flagged effects fewer than two remain, so no audited estimate."
    return (
        Pooled(
            family=family,
            label=FAMILY_LABEL[family],
            k=len(chosen),
            dl=dl,
            alternative=fit(yi, vi, "pm"),
            leave_one_out=loo,
            without_flagged=without,
            flagged=flagged,
            effects=list(chosen),
        ),
        note,
    )


def loo_robust(pooled: Pooled) -> bool:
    """True when no single paper, left out, moves the CI across the null."""
    side = _side(pooled.dl.ci_low, pooled.dl.ci_high)
    return all(_side(x.ci_low, x.ci_high) == side for x in pooled.leave_one_out)


def _side(lo: float, hi: float) -> int:
    return 1 if lo > 0 else -1 if hi < 0 else 0


def ci_side(fit_: PoolFit) -> int:
    """+1: the CI lies above the null (for the claim); -1: below (against); 0: spans it."""
    return _side(fit_.ci_low, fit_.ci_high)
