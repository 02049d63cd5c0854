"""Effects from a passage's text, converted onto a common scale by
:mod:`ideapump.evidence.conversions`.

Extraction reuses the statistics auditor's parser (:mod:`ideapump.stats.extract`)
for test statistics and its recomputation for the audit of each one; ratios,
d / g and mean differences with their intervals are read by the patterns below.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ideapump.evidence.conversions import (
    d_from_ci,
    d_from_f,
    d_from_n,
    d_from_t,
    fisher_z,
    log_ratio_from_ci,
    log_ratio_from_p,
    md_from_ci,
    r_from_chi2,
)
from ideapump.evidence.labels import comparison_at, factor_at
from ideapump.evidence.models import Effect
from ideapump.stats.extract import RawResult, extract, normalize

_NUM = r"-?\d+(?:\.\d+)?|-?\.\d+"
_CI = (
    rf"\s*[,;(\[]?\s*(?:95\s?%\s*(?:CI|C\.I\.|confidence intervals?|CrI)?\s*(?:was|of|:|=|,)?\s*)?"
    rf"[(\[]?\s*(?P<lo>{_NUM})\s*(?:-|–|to|,)\s*(?P<hi>{_NUM})\s*[)\]]?"
)
_P_AFTER = r"(?:(?:[^.]|\.(?=\d)){0,40}?\bp\s*(?P<pcmp>=|<)\s*(?P<p>\d*\.\d+))?"
_RATIO_NAMES = {
    "odds ratio": r"(?:adjusted\s+)?odds\s+ratios?|a?ORs?",
    "risk ratio": r"(?:relative\s+risks?|risk\s+ratios?|a?RRs?)",
    "hazard ratio": r"(?:adjusted\s+)?hazard\s+ratios?|a?HRs?",
}
_RATIO = re.compile(
    r"(?<![\w.])(?P<name>"
    + "|".join(f"(?P<{k.split()[0]}>{v})" for k, v in _RATIO_NAMES.items())
    + r")\s*(?:\([A-Za-z]{2,3}\)\s*)?(?:of|was|were|is|:|=|,)?\s*(?:=\s*)?"
    + rf"(?P<est>\d+(?:\.\d+)?|\.\d+)(?:{_CI})?{_P_AFTER}",
)
_SMD = re.compile(
    r"(?<![\w.])(?P<name>Cohen'?s\s+d|Hedges'?\s*g|d|g|SMD|standardi[sz]ed mean difference)"
    rf"\s*(?:\(SMD\)\s*)?(?:=|:|of|was)\s*(?P<est>{_NUM})(?:{_CI})?",
)
_MD = re.compile(
    r"(?<![\w.])(?P<name>mean difference|MD|difference in means)\s*(?:\(MD\)\s*)?"
    rf"(?:=|:|of|was)?\s*(?P<est>{_NUM})(?:{_CI})",
    re.IGNORECASE,
)
_BARE_R = re.compile(rf"(?<![\w.])r\s*=\s*(?P<est>{_NUM})(?![\d.])")


def _f(text: str) -> float:
    return float(text.replace(" ", ""))


def _audit_ratio(est: float, lo: float | None, hi: float | None, p: float | None, pcmp: str | None):
    """Consistency of a ratio with its CI and p (what the auditor does for tests)."""
    if lo is None or hi is None:
        return "not_checked", ""
    if not lo <= est <= hi:
        return "inconsistent", f"the ratio {est:g} lies outside its own CI {lo:g}-{hi:g}"
    if p is None or pcmp is None or est <= 0 or lo <= 0:
        return "consistent", "ratio inside its CI"
    # p from the CI: z = ln(est) / se, allowing for the rounding of the printed bounds.
    excludes = lo > 1 or hi < 1
    significant = p < 0.05 if pcmp == "=" else p <= 0.05
    if excludes != significant and not (lo == 1 or hi == 1):
        return (
            "decision_error",
            f"the CI {lo:g}-{hi:g} {'excludes' if excludes else 'includes'} 1 but p {pcmp} {p:g}",
        )
    return "consistent", "ratio inside its CI; CI and p agree"


# What a t or F(1, df) is converted to: shown as "t(40) 0.92", the d read as the t.
_D = {False: "Cohen's d", True: "d_z"}


def _from_raw(raw: RawResult, paired: bool, alpha: float) -> Effect | None:
    """An effect from one test the auditor's parser found (t, F(1, df), r, chi2(1, N))."""
    from ideapump.stats.recompute import check

    try:
        stat = _f(raw.stat_text)
    except ValueError:
        return None
    if raw.stat_comparator != "=":
        return None
    try:
        if raw.test_type == "t" and raw.df1:
            yi, vi = d_from_t(stat, raw.df1, paired=paired)
            how = "dz = t / sqrt(df + 1)" if paired else "d = 2t / sqrt(df)"
            measure, family, value, n = _D[paired], "smd", yi, None
        elif raw.test_type == "F" and raw.df1 == 1 and raw.df2:
            yi, vi = d_from_f(stat, 1, raw.df2, paired=paired)
            how = "dz = sqrt(F) / sqrt(df2 + 1)" if paired else "d = 2 sqrt(F) / sqrt(df2)"
            measure, family, value, n = _D[paired], "smd", yi, None
        elif raw.test_type == "r" and raw.df1:
            n = int(raw.df1 + 2)
            yi, vi = fisher_z(stat, n)
            how, measure, family, value = (
                "z = atanh(r), v = 1/(n - 3), n = df + 2",
                "r",
                "correlation",
                stat,
            )
        elif raw.test_type == "chi2" and raw.df1 == 1 and raw.n:
            n = raw.n
            value = r_from_chi2(stat, n)
            yi, vi = fisher_z(value, n)
            how, measure, family = "phi = sqrt(chi2 / N), z = atanh(phi)", "phi", "correlation"
        else:
            return None
    except ValueError:
        return None
    checked = check(raw, alpha)
    audit = checked.verdict if checked.verdict != "not_checkable" else "not_checked"
    return Effect(
        measure=measure,
        family=family,
        reported=raw.quote,
        value=round(value, 6),
        yi=yi,
        vi=vi,
        derivation=how,
        n=n,
        audit=audit,
        audit_note=checked.explanation,
        page=raw.page,
    )


def _ci(m: re.Match[str]) -> tuple[float | None, float | None]:
    lo, hi = m.groupdict().get("lo"), m.groupdict().get("hi")
    if lo is None or hi is None:
        return None, None
    a, b = _f(lo), _f(hi)
    return (a, b) if a <= b else (None, None)


def extract_effects(
    text: str,
    *,
    page: int | None = None,
    n: int | None = None,
    paired: bool = False,
    alpha: float = 0.05,
) -> list[Effect]:
    """Every effect ``text`` reports that can be put on a pooling scale, in reading order.

    ``n``: the study's total sample size (from its methods), used where an effect
    comes without its interval or df (a d or an r alone). ``paired``: the study is
    within-subject, so t and F(1, df) convert to dz.
    """
    text = normalize(text)
    found: list[tuple[int, Effect]] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    for raw in extract(text, page=page, normalized=True):
        eff = _from_raw(raw, paired, alpha)
        if eff is not None:
            found.append((raw.offset, eff))
            taken.append((raw.offset, raw.offset + len(raw.quote)))
    for m in _RATIO.finditer(text):
        if not free(m.span()):
            continue
        kind = next(k for k in _RATIO_NAMES if m.group(k.split()[0]))
        est = _f(m["est"])
        lo, hi = _ci(m)
        p = _f(m["p"]) if m["p"] else None
        try:
            if lo is not None and hi is not None:
                yi, vi = log_ratio_from_ci(est, lo, hi)
                how = "y = ln(ratio), se = (ln hi - ln lo) / 3.92"
            elif p is not None and m["pcmp"] == "=":
                yi, vi = log_ratio_from_p(est, p)
                how = "y = ln(ratio), se = |y| / z(1 - p/2)"
            else:
                continue
        except ValueError:
            continue
        audit, note = _audit_ratio(est, lo, hi, p, m["pcmp"])
        found.append(
            (
                m.start(),
                Effect(
                    measure=kind,
                    family="ratio",
                    reported=m.group(0).strip(),
                    value=est,
                    ci_low=lo,
                    ci_high=hi,
                    yi=yi,
                    vi=vi,
                    derivation=how,
                    audit=audit,
                    audit_note=note,
                    page=page,
                ),
            )
        )
        taken.append(m.span())
    for m in _SMD.finditer(text):
        if not free(m.span()):
            continue
        est = _f(m["est"])
        lo, hi = _ci(m)
        name = m["name"]
        if abs(est) > 5:  # "d = 12" is a day, a dose, a count: not a standardized effect
            continue
        g = name.lower().startswith(("g", "hedges"))
        if lo is not None and hi is not None:
            yi, vi = d_from_ci(est, lo, hi)
            how, used_n = "se = (hi - lo) / 3.92", None
        elif n and n > 3:
            yi, vi = d_from_n(est, n)
            how, used_n = "v = 4/N + d^2 / (2N), N from the paper's methods", n
        else:
            continue
        found.append(
            (
                m.start(),
                Effect(
                    measure="Hedges' g" if g else "Cohen's d",
                    family="smd",
                    reported=m.group(0).strip(),
                    value=est,
                    ci_low=lo,
                    ci_high=hi,
                    yi=yi,
                    vi=vi,
                    derivation=how,
                    n=used_n,
                    page=page,
                ),
            )
        )
        taken.append(m.span())
    for m in _MD.finditer(text):
        if not free(m.span()):
            continue
        lo, hi = _ci(m)
        if lo is None or hi is None:
            continue
        est = _f(m["est"])
        yi, vi = md_from_ci(est, lo, hi)
        found.append(
            (
                m.start(),
                Effect(
                    measure="mean difference",
                    family="md",
                    reported=m.group(0).strip(),
                    value=est,
                    ci_low=lo,
                    ci_high=hi,
                    yi=yi,
                    vi=vi,
                    derivation="se = (hi - lo) / 3.92 (raw units)",
                    page=page,
                ),
            )
        )
        taken.append(m.span())
    if n and n > 3:
        for m in _BARE_R.finditer(text):
            est = _f(m["est"])
            if not free(m.span()) or not -1 < est < 1:
                continue
            yi, vi = fisher_z(est, n)
            found.append(
                (
                    m.start(),
                    Effect(
                        measure="r",
                        family="correlation",
                        reported=m.group(0).strip(),
                        value=est,
                        yi=yi,
                        vi=vi,
                        derivation="z = atanh(r), v = 1/(N - 3), N from the paper's methods",
                        n=n,
                        page=page,
                    ),
                )
            )
            taken.append(m.span())
    return [
        e.model_copy(
            update={"comparison": comparison_at(text, offset), "factor": factor_at(text, offset)}
        )
        for offset, e in sorted(found, key=lambda x: x[0])
    ]


# -- a model's proposal, checked against the passage -----------------------------------------

_MEASURE_WORDS = {
    "odds ratio": r"odds|\bOR\b|\baOR\b",
    "risk ratio": r"risk|\bRR\b",
    "hazard ratio": r"hazard|\bHR\b",
    "cohen's d": r"\bd\b|cohen|effect size|SMD",
    "r": r"\br\b|correlat",
}


def _numbers_near(text: str, keyword: str, window: int = 120) -> set[float]:
    out: set[float] = set()
    for m in re.finditer(keyword, text, re.IGNORECASE):
        near = text[m.start() : m.end() + window]
        out.update(float(x) for x in re.findall(r"-?\d+(?:\.\d+)?|-?\.\d+", near))
    return out


def check_proposal(
    measure: str,
    value: float,
    ci_low: float | None,
    ci_high: float | None,
    passage: str,
    *,
    n: int | None = None,
    page: int | None = None,
) -> Effect | None:
    """A model-proposed effect, kept only when its numbers occur in ``passage`` by its measure.

    The value and both CI bounds must be printed within a short window after a
    word for that measure (an invented or misread number is dropped); the
    conversion is then done here, never by the model.
    """
    key = measure.strip().lower()
    if key not in _MEASURE_WORDS:
        return None
    text = normalize(passage)
    near = _numbers_near(text, _MEASURE_WORDS[key])
    wanted = [value] + [b for b in (ci_low, ci_high) if b is not None]
    if not all(any(math.isclose(w, x, abs_tol=1e-9) for x in near) for w in wanted):
        return None
    lo, hi = ci_low, ci_high
    try:
        if key in ("odds ratio", "risk ratio", "hazard ratio"):
            if lo is None or hi is None or not lo <= value <= hi:
                return None
            yi, vi = log_ratio_from_ci(value, lo, hi)
            family, how = "ratio", "y = ln(ratio), se = (ln hi - ln lo) / 3.92"
        elif key == "cohen's d":
            if lo is not None and hi is not None:
                yi, vi = d_from_ci(value, lo, hi)
                how = "se = (hi - lo) / 3.92"
            elif n and n > 3:
                yi, vi = d_from_n(value, n)
                how = "v = 4/N + d^2 / (2N), N from the paper's methods"
            else:
                return None
            family = "smd"
        else:
            if not n or n <= 3:
                return None
            yi, vi = fisher_z(value, n)
            family, how = "correlation", "z = atanh(r), v = 1/(N - 3)"
    except ValueError:
        return None
    return Effect(
        measure=key,
        family=family,
        reported=f"{measure} {value:g}" + (f" ({lo:g} to {hi:g})" if lo is not None else ""),
        value=value,
        ci_low=lo,
        ci_high=hi,
        yi=yi,
        vi=vi,
        derivation=how,
        n=n if family != "ratio" else None,
        source="model",
        page=page,
    )


def with_source(effects: Iterable[Effect], **fields: object) -> list[Effect]:
    """Copies of ``effects`` with the citation fields (doc_id, title, chunk_id...) set."""
    return [e.model_copy(update=fields) for e in effects]
