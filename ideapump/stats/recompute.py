"""Recompute p from a reported statistic and judge the reported p against it.

Rounding is taken seriously in both directions. A statistic printed as 2.2
stands for anything in [2.15, 2.25], so it implies a *range* of p; a p printed
as .04 stands for [.035, .045]. The result is consistent when the two can meet
(for "p < x": some p in the range is below x). A decision error is an
inconsistency where the whole recomputed range sits on the other side of alpha
from what the paper claims, so no amount of rounding rescues the conclusion.

Inequalities are strict at their bound, in both directions: "p < x" needs some
p in the range *below* x, so x equal to the smallest p the rounded statistic
allows is an error, and "p > x" likewise at the largest. A statistic printed
with an inequality ("t(20) > 3.5", "F < 1") bounds p by an open interval at the
printed value: "F(2, 2) > 1" means p < .5, never p = .5.

"p = .000" is an error by default, as in statcheck (a p-value is never zero; it
should read p < .001); ``p_zero_is_error=False`` reads it as a rounded
p < .0005 instead and only notes the misprint. "p < .000" is always an error.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from scipy import special

from ideapump.stats.extract import RawResult
from ideapump.stats.models import StatsResult

_EPS = 1e-12
# Two p-values this close (relatively) are the same number computed two ways:
# at an inequality's bound they count as equal, so the strict comparison fails.
_REL = 1e-9
_SCI = ("×", "x", "e", "E")


def p_value(test_type: str, value: float, df1: float | None, df2: float | None) -> float:
    """Two-tailed p for t, z, r; upper-tail p for F, chi2 and Q.

    scipy.special's distribution functions are used rather than scipy.stats:
    same numbers, without the ~0.5 ms of argument checking per call.
    """
    x = abs(value)
    if test_type == "z":
        return float(2 * special.ndtr(-x))
    if test_type == "t":
        return float(2 * special.stdtr(df1, -x))
    if test_type == "r":
        if x >= 1:
            return 0.0
        t = x * math.sqrt(float(df1 or 0) / (1 - x * x))
        return float(2 * special.stdtr(df1, -t))
    if test_type == "F":
        return float(special.fdtrc(df1, df2, value))
    return float(special.chdtrc(df1, value))  # chi2 and Q


def decimals(text: str) -> int:
    """Digits after the decimal point, ignoring an exponent part."""
    mantissa = re.split(r"[×xeE]", text, maxsplit=1)[0].strip()
    return len(mantissa.split(".", 1)[1]) if "." in mantissa else 0


def parse_p(text: str) -> tuple[float, float]:
    """A printed p and half a unit of its last digit, e.g. '.04' -> (0.04, 0.005)."""
    m = re.match(r"(\d*\.?\d+)(?:\s?[×x]\s?10\s?\^?\s?(-\s?\d+)|[eE](-?\d+))?$", text.strip())
    if not m:
        raise ValueError(text)
    exponent = int((m.group(2) or m.group(3) or "0").replace(" ", ""))
    scale = 10.0**exponent
    return float(m.group(1)) * scale, 0.5 * 10.0 ** -decimals(m.group(1)) * scale


def statistic_p_range(raw: RawResult) -> tuple[float, float, float]:
    """(p at the printed statistic, lowest p, highest p) the printed statistic allows.

    For "t < v" the range is (p(v), 1], for "t > v" it is [0, p(v)): open at
    the printed bound (see ``open_ends``).
    """
    value = abs(float(raw.stat_text.replace(",", "")))
    half = 0.5 * 10.0 ** -decimals(raw.stat_text)
    point = p_value(raw.test_type, value, raw.df1, raw.df2)
    if raw.stat_comparator == "<":
        return point, point, 1.0
    if raw.stat_comparator == ">":
        return point, 0.0, point
    high_stat = value + half
    if raw.test_type == "r":
        high_stat = min(high_stat, 1.0)
    low = p_value(raw.test_type, high_stat, raw.df1, raw.df2)
    high = p_value(raw.test_type, max(value - half, 0.0), raw.df1, raw.df2)
    return point, low, high


def open_ends(stat_comparator: str) -> tuple[bool, bool]:
    """Whether the low and the high end of statistic_p_range are excluded."""
    return stat_comparator == "<", stat_comparator == ">"


def _below(a: float, b: float) -> bool:
    """a < b, counting values within rounding noise of each other as equal."""
    return a < b - _REL * max(abs(a), abs(b), 1e-300)


def fits(
    comparator: str,
    p: float,
    half: float,
    low: float,
    high: float,
    alpha: float,
    ends: tuple[bool, bool] = (False, False),
) -> bool:
    """Can some p in the statistic's range [low, high] be what the paper reports?

    ``ends`` marks an open low or high end (a statistic printed with < or >).
    """
    low_open, high_open = ends
    if comparator == "ns":
        return _below(alpha, high)
    if comparator == "<":
        return _below(low, p)
    if comparator == ">":
        return _below(p, high)
    top, bottom = p + half, max(p - half, 0.0)
    low_ok = _below(low, top) if low_open else low <= top + _EPS
    high_ok = _below(bottom, high) if high_open else high + _EPS >= bottom
    return low_ok and high_ok


def _claims_significance(comparator: str, p: float, alpha: float) -> bool | None:
    """What the paper says: significant (True), not (False) or no clear claim (None)."""
    if comparator == "ns":
        return False
    if comparator in ("=", "<") and p <= alpha:
        return True
    if comparator in ("=", ">") and p >= alpha and not (comparator == "=" and p == alpha):
        return False
    return None


def fmt_p(p: float, digits: int = 3) -> str:
    """APA-style p with at least ``digits`` decimals (one more below .01)."""
    if p < 10.0 ** -max(digits + 1, 4):
        return f"< .{'0' * (max(digits + 1, 4) - 1)}1"
    places = digits + 1 if p < 0.01 else digits
    text = f"{p:.{places}f}"
    return text[1:] if text.startswith("0.") else text


def _p_is(p: float, digits: int) -> str:
    text = fmt_p(p, digits)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def describe_test(raw: RawResult) -> str:
    name = {"chi2": "χ2", "r": "r", "t": "t", "F": "F", "z": "z", "Q": "Q"}[raw.test_type]
    fmt = lambda v: f"{v:g}"  # noqa: E731
    if raw.df1 is None:
        df = ""
    elif raw.df2 is not None:
        df = f"({fmt(raw.df1)}, {fmt(raw.df2)})"
    else:
        df = f"({fmt(raw.df1)})"
    return f"{name}{df} {raw.stat_comparator} {raw.stat_text}"


def reported_text(raw: RawResult) -> str:
    return "ns" if raw.p_comparator == "ns" else f"p {raw.p_comparator} {raw.p_text}"


def _not_checkable(raw: RawResult) -> str | None:
    """Why this result cannot be recomputed, or None when it can."""
    value = float(raw.stat_text.replace(",", ""))
    test = describe_test(raw)
    if raw.test_type != "z" and raw.df1 is None:
        return f"No degrees of freedom are printed with {test}, so p cannot be recomputed."
    if raw.test_type == "F" and raw.df2 is None:
        return f"{test} lacks the denominator degrees of freedom."
    if (raw.df1 is not None and raw.df1 <= 0) or (raw.df2 is not None and raw.df2 <= 0):
        return f"{test} has non-positive degrees of freedom."
    if raw.test_type in ("F", "chi2", "Q") and value < 0:
        return f"{test} is negative, which this statistic cannot be."
    if raw.test_type == "r" and abs(value) > 1:
        return f"The correlation {test} lies outside [-1, 1]."
    if raw.p_text is not None:
        p, _ = parse_p(raw.p_text)
        if p > 1:
            return f"The reported p = {raw.p_text} is not a probability (a typo in the paper?)."
    return None


def raw_of(result: StatsResult) -> RawResult:
    """The printed result behind a judged one (to judge it again, or differently)."""
    return RawResult(
        test_type=result.test_type,
        df1=result.df1,
        df2=result.df2,
        n=result.n,
        stat_comparator=result.statistic_comparator,
        stat_text=result.statistic_text,
        p_comparator=result.reported_comparator,
        p_text=result.reported_p_text,
        page=result.page,
        offset=result.offset,
        quote=result.quote,
        one_tailed_context=result.one_tailed_mentioned,
    )


def fitting_df(raw: RawResult, p: float, half: float, comparator: str, alpha: float) -> str | None:
    """Which (denominator) df would make the printed statistic and p agree, as a hint.

    A common cause of an inconsistency is a df that is not the one used: post-hoc
    tests with the ANOVA's pooled error df, a Welch correction, a typo.
    """
    if raw.test_type not in ("t", "F", "chi2") or raw.stat_comparator != "=" or comparator != "=":
        return None
    current = raw.df2 if raw.test_type == "F" else raw.df1
    value = abs(float(raw.stat_text.replace(",", "")))
    step = 0.5 * 10.0 ** -decimals(raw.stat_text)
    dfs = np.arange(1, 2001, dtype=float)
    # One vectorized pass over candidate df: a scalar loop costs seconds per result.
    ends = []
    for x in (value + step, max(value - step, 0.0)):
        if raw.test_type == "t":
            ends.append(2 * special.stdtr(dfs, -x))
        elif raw.test_type == "F":
            ends.append(special.fdtrc(raw.df1, dfs, x))
        else:
            ends.append(special.chdtrc(dfs, x))
    low, high = ends
    ok = (low <= p + half + _EPS) & (high + _EPS >= max(p - half, 0.0))
    fits = [int(d) for d in dfs[ok]]
    if not fits or len(fits) > 200:
        return None
    lo, hi = fits[0], fits[-1]
    which = "denominator df" if raw.test_type == "F" else "df"
    span = f"{lo}" if lo == hi else f"{lo}–{hi}"
    if current is not None and lo <= current <= hi:
        return None
    return f" The reported p would fit {which} {span} instead of {current:g}." if current else None


def check(raw: RawResult, alpha: float = 0.05, *, p_zero_is_error: bool = True) -> StatsResult:
    """Recompute one result and give it a verdict with a one-sentence explanation."""
    value = float(raw.stat_text.replace(",", ""))
    base: dict[str, Any] = dict(
        test_type=raw.test_type,
        df1=raw.df1,
        df2=raw.df2,
        n=raw.n,
        statistic=value,
        statistic_comparator=raw.stat_comparator,
        statistic_text=raw.stat_text,
        reported_comparator=raw.p_comparator,
        reported_p_text=raw.p_text,
        page=raw.page,
        quote=raw.quote,
        offset=raw.offset,
        one_tailed_mentioned=raw.one_tailed_context,
    )
    p_rep, half = parse_p(raw.p_text) if raw.p_text is not None else (None, 0.0)
    base["reported_p"] = p_rep
    reason = _not_checkable(raw)
    if reason:
        return StatsResult(**base, verdict="not_checkable", explanation=reason)

    point, low, high = statistic_p_range(raw)
    ends = open_ends(raw.stat_comparator)
    comparator = raw.p_comparator
    p = p_rep if p_rep is not None else alpha
    p_zero = comparator in ("=", "<") and p == 0
    # "p < .000" cannot be; "p = .000" cannot either unless read as a rounded p < .0005.
    impossible = p_zero and (comparator == "<" or p_zero_is_error)
    if p_zero and not impossible:
        comparator, p, half = "<", half, 0.0
    test = describe_test(raw)
    said = reported_text(raw)
    ok = not impossible and fits(comparator, p, half, low, high, alpha, ends)
    one_tailed = False
    note = ""
    symmetric = raw.test_type in ("t", "z", "r")
    if (
        not ok
        and not impossible
        and symmetric
        and fits(comparator, p, half, low / 2, high / 2, alpha, ends)
    ):
        if raw.one_tailed_context:
            ok, one_tailed = True, True
            point, low, high = point / 2, low / 2, high / 2
        else:
            note = " It would fit a one-tailed test, but the text nearby does not say one-tailed."
    base.update(computed_p=point, computed_p_low=low, computed_p_high=high)
    base.update(one_tailed=one_tailed, p_zero=p_zero)
    tails = "one-tailed" if one_tailed else ("two-tailed" if symmetric else "upper tail")
    # Show one digit more than the paper printed, so the mismatch is visible.
    digits = max(3, decimals(raw.p_text) + 1) if raw.p_text else 3
    span = f"{fmt_p(low, digits)}–{fmt_p(high, digits)}"
    if fmt_p(low, digits) == fmt_p(high, digits):
        span = fmt_p(point, digits)
    zero_note = " Note that p cannot be zero: it should read p < .001." if p_zero else ""
    if impossible:
        zero_note = (
            " A p-value cannot be below zero, so p < .000 is impossible."
            if raw.p_comparator == "<"
            else " A p-value cannot be zero: it should read p < .001."
        )

    if ok:
        why = "the text says the test is one-tailed, and " if one_tailed else ""
        rounding = ""
        if not fits(comparator, p, half, point, point, alpha):
            rounding = f" once the statistic's rounding is allowed for (p from {span})"
        text = (
            f"{test} gives {_p_is(point, digits)} ({tails}); {why}this matches the reported "
            f"{said}{rounding}.{zero_note}"
        )
        return StatsResult(**base, verdict="consistent", explanation=text)

    claimed = _claims_significance(raw.p_comparator, p_rep if p_rep is not None else 1.0, alpha)
    computed_sig = True if high <= alpha else (False if low > alpha else None)
    decision = claimed is not None and computed_sig is not None and claimed != computed_sig
    allowing = "allowing for rounding" if raw.stat_comparator == "=" else "as the bound allows"
    text = (
        f"The paper reports {said}, but {test} gives {_p_is(point, digits)} ({tails}; "
        f"{span} {allowing})"
    )
    if decision:
        side = "significant" if computed_sig else "not significant"
        text += f", which is {side} at α = {alpha:g}: the conclusion changes."
    else:
        text += "."
    hint = fitting_df(raw, p, half, comparator, alpha) if not note and not impossible else None
    return StatsResult(
        **base,
        verdict="decision_error" if decision else "inconsistent",
        explanation=text + note + (hint or "") + zero_note,
        df_hint=hint or "",
    )
