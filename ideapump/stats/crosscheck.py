"""Checks beyond statcheck: numbers printed beside a result that must agree with it.

Each check runs only where the paper gives everything it needs, and each
problem carries the page and the quote it stands on:

* **df vs N**: a t, r or F whose df no analysis of the stated N can have
  (t: df <= N - 1; r: df <= N - 2; F: df2 <= (N - 1) * df1, the repeated-measures
  maximum, so between- and within-subject designs both pass). N is the total
  ("N = 40") stated in the result's own sentence, else the largest sample the
  paper states; a lower-case n is one group, so it only counts when the sentence
  gives two or more (their sum).
* **CI vs p** (Altman & Bland 2011): a confidence interval for a difference
  (null 0) or a ratio (null 1) that excludes the null while p says not
  significant at the interval's level, or includes it while p says significant.
  Bounds and p are read with their rounding, so an interval touching the null
  is never called either way. With an estimate, the p the interval implies is
  given too.
* **effect size vs statistic**: partial η² = F·df1 / (F·df1 + df2) and
  r = sqrt(t² / (t² + df)) are fixed by the statistic; η² (classical or
  generalized) can only be smaller than partial η²; Cohen's d or Hedges' g can
  be at most |t|·sqrt((df + 2) / (df + 1)) (two groups of 1 and df + 1) or
  2|t| / sqrt(df + 1) (paired, d_av or d_rm), whatever the design.
"""

from __future__ import annotations

import math
import re

from scipy import special

from ideapump.stats.effects import EffectSize, Interval, effect_size_of, find_intervals
from ideapump.stats.extract import RawResult, result_end
from ideapump.stats.models import CrossCheck
from ideapump.stats.recompute import decimals, describe_test, fmt_p, parse_p

_EPS = 1e-9
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)\]])[.!?]\s+(?=[A-Z(])")
_TOTAL_N = re.compile(r"(?<![\w.])N\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]\d)")
_GROUP_N = re.compile(r"(?<![\w.])n\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]\d)")
SENTENCE_REACH = 300  # characters searched for the start or end of a result's sentence


def _half(text: str) -> float:
    return 0.5 * 10.0 ** -decimals(text)


def _sentence(text: str, start: int, end: int) -> str:
    # Searching the page itself (from pos, to endpos) lets the look-behind see the
    # character before a full stop that sits right at the edge of the window.
    first = max(0, start - SENTENCE_REACH)
    cuts = list(_SENTENCE_END.finditer(text, first, start))
    left = cuts[-1].end() if cuts else first
    cut = _SENTENCE_END.search(text, end, end + SENTENCE_REACH)
    right = cut.start() + 1 if cut else min(len(text), end + SENTENCE_REACH)
    return text[left:right]


# -- df vs N -----------------------------------------------------------------------


def sentence_n(raw: RawResult, text: str) -> int | None:
    """The total sample stated in the result's own sentence, if any."""
    sentence = _sentence(text, raw.offset, result_end(raw))
    totals = [int(m.group("n").replace(",", "")) for m in _TOTAL_N.finditer(sentence)]
    if totals:
        return max(totals)
    groups = [int(m.group("n").replace(",", "")) for m in _GROUP_N.finditer(sentence)]
    return sum(groups) if len(groups) >= 2 else None


def _df_room(raw: RawResult, n: int) -> tuple[float, float, str] | None:
    """(df printed, most df N allows, which df) when the df exceed what N allows."""
    if raw.df1 is None:
        return None
    if raw.test_type == "t":
        df, most, which = raw.df1, n - 1.0, "df"
    elif raw.test_type == "r":
        df, most, which = raw.df1, n - 2.0, "df"
    elif raw.test_type == "F" and raw.df2 is not None:
        df, most, which = raw.df2, (n - 1.0) * raw.df1, "denominator df"
    else:
        return None
    return (df, most, which) if df > most + _EPS else None


def df_vs_n(raw: RawResult, text: str, paper_n: tuple[int, int | None] | None) -> CrossCheck | None:
    """A t, r or F whose df the stated N cannot give; ``paper_n`` is (largest N, its page)."""
    if raw.test_type == "chi2":
        if raw.n is not None and raw.df1 is not None and raw.df1 >= raw.n:
            return CrossCheck(
                kind="df_vs_n",
                message=f"{describe_test(raw)} has {raw.df1:g} df with N = {raw.n} in the same "
                "brackets: a chi-square test on N observations has fewer than N df.",
                page=raw.page,
                quote=raw.quote,
                offset=raw.offset,
            )
        return None
    n = sentence_n(raw, text)
    where = f"its own sentence states N = {n}"
    if n is None and paper_n is not None:
        n = paper_n[0]
        page = f" (p. {paper_n[1]})" if paper_n[1] is not None else ""
        where = f"the largest sample the paper states is N = {n}{page}"
    if n is None or n < 2:
        return None
    room = _df_room(raw, n)
    if room is None:
        return None
    df, most, which = room
    rule = {
        "t": "a t-test on N observations has at most N - 1 df",
        "r": "a correlation of N pairs has N - 2 df",
        "F": "an F-test on N participants has at most (N - 1) × numerator df in its error term",
    }[raw.test_type]
    return CrossCheck(
        kind="df_vs_n",
        message=f"{describe_test(raw)} has {which} {df:g}, more than the {most:g} that N = {n} "
        f"allows ({where}; {rule}): a typo, a different sample than described, or "
        "observations (trials) analysed as if they were independent participants.",
        page=raw.page,
        quote=raw.quote,
        offset=raw.offset,
    )


# -- effect size vs statistic ------------------------------------------------------

_EFFECT_NAMES = {
    "d": "Cohen's d",
    "g": "Hedges' g",
    "eta2": "η²",
    "eta2_partial": "partial η²",
    "r": "r",
}


def _df_half(df: float) -> float:
    """Rounding of a printed df: none for a whole number, else half its last digit."""
    text = f"{df:g}"
    return 0.0 if "." not in text else 0.5 * 10.0 ** -len(text.split(".")[1])


def _as_t(raw: RawResult) -> tuple[float, float, float, float] | None:
    """(|t| low, |t| high, df low, df high) for a t or an F with one numerator df."""
    value = abs(float(raw.stat_text.replace(",", "")))
    h = _half(raw.stat_text)
    if raw.test_type == "t" and raw.df1 is not None:
        dh = _df_half(raw.df1)
        return max(value - h, 0.0), value + h, raw.df1 - dh, raw.df1 + dh
    if raw.test_type == "F" and raw.df1 == 1 and raw.df2 is not None:
        dh = _df_half(raw.df2)
        return math.sqrt(max(value - h, 0.0)), math.sqrt(value + h), raw.df2 - dh, raw.df2 + dh
    return None


def _implied(raw: RawResult, kind: str) -> tuple[float, float] | None:
    """The range of the effect size the statistic implies (for d, g: (0, largest)).

    The statistic's rounding and, for corrected (non-integer) df, theirs count.
    """
    if raw.stat_comparator != "=" or raw.df1 is None:
        return None
    if kind in ("eta2_partial", "eta2"):
        value = abs(float(raw.stat_text.replace(",", "")))
        h = _half(raw.stat_text)
        if raw.test_type == "F" and raw.df2 is not None:
            df1, df2, lo_f, hi_f = raw.df1, raw.df2, max(value - h, 0.0), value + h
        elif raw.test_type == "t":
            df1, df2, lo_f, hi_f = 1.0, raw.df1, max(value - h, 0.0) ** 2, (value + h) ** 2
        else:
            return None
        h1, h2 = (_df_half(df1), _df_half(df2)) if raw.test_type == "F" else (0.0, _df_half(df2))
        lo = lo_f * (df1 - h1) / (lo_f * (df1 - h1) + df2 + h2)
        hi = hi_f * (df1 + h1) / (hi_f * (df1 + h1) + max(df2 - h2, _EPS))
        return (0.0, hi) if kind == "eta2" else (lo, hi)
    t = _as_t(raw)
    if t is None:
        return None
    lo_t, hi_t, df_lo, df_hi = t
    if kind == "r":
        return lo_t / math.sqrt(lo_t**2 + df_hi), hi_t / math.sqrt(hi_t**2 + df_lo)
    if kind in ("d", "g"):
        df = max(df_lo, _EPS)
        return 0.0, hi_t * max(math.sqrt((df + 2) / (df + 1)), 2 / math.sqrt(df + 1))
    return None


def effect_size_check(raw: RawResult, es: EffectSize) -> CrossCheck | None:
    """An effect size the statistic beside it cannot give (see the module docstring)."""
    implied = _implied(raw, es.kind)
    if implied is None:
        return None
    lo, hi = implied
    value, h = abs(es.value), _half(es.value_text)
    if lo - _EPS <= value + h and value - h <= hi + _EPS:
        return None
    name = _EFFECT_NAMES[es.kind]
    test = describe_test(raw)
    # One digit more than the paper printed, or more until the gap shows (.0547 vs .06).
    above = value - h > hi
    digits = decimals(es.value_text) + 1
    while digits < decimals(es.value_text) + 3:
        shown = float(f"{hi if above else lo:.{digits}f}")
        if (shown < value - h) if above else (shown > value + h):
            break
        digits += 1
    if es.kind in ("d", "g"):
        why = f"{test} allows at most {name} = {hi:.{digits}f} in any design"
    elif es.kind == "eta2":
        why = f"{test} gives partial η² = {hi:.{digits}f} at most, and η² cannot exceed partial η²"
    else:
        a, b = f"{lo:.{digits}f}", f"{hi:.{digits}f}"
        why = f"{test} gives {name} = {a if a == b else f'{a}–{b}'}"
    return CrossCheck(
        kind="effect_size",
        message=f"The paper reports {name} = {es.value_text}, but {why}.",
        page=raw.page,
        quote=f"{raw.quote} … {es.quote}" if es.offset >= result_end(raw) else raw.quote,
        offset=raw.offset,
    )


def effect_size_checks(raws: list[RawResult], text: str) -> list[CrossCheck]:
    """Effect sizes printed with the results of one page, checked against them."""
    out = []
    for i, raw in enumerate(raws):
        limit = raws[i + 1].offset if i + 1 < len(raws) else None
        es = effect_size_of(raw, text, limit=limit)
        if es is not None:
            check = effect_size_check(raw, es)
            if check is not None:
                out.append(check)
    return out


# -- CI vs p -----------------------------------------------------------------------

_RATIO = re.compile(
    r"(?<![\w.])(?:a?OR|RR|HR|IRR|odds ratios?|risk ratios?|hazard ratios?|rate ratios?|"
    r"relative risks?|ratio)(?![\w])",
    re.IGNORECASE,
)
_DIFFERENCE = re.compile(
    r"(?<![\w.])(?:differences?|MD|SMD|B|b|β|beta|coefficients?|slopes?|Δ|d|g|r|"
    r"effects?|changes?)(?![\w])"
)
_ESTIMATE = re.compile(r"(?:=|:)?\s*(?P<v>-?\s?\d*\.?\d+)\s*[,;(]?\s*$")
_P_NEAR = re.compile(r"(?<![\w.])[pP]\s*(?P<cmp><=|>=|=|<|>|≤|≥)\s*(?P<p>\d*\.\d+|[01])(?![\d.])")
CLAUSE_REACH = 160  # characters either side of an interval searched for its bracket


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The bracket enclosing [start, end), else the sentence, as offsets."""
    depth, left = 0, -1
    for i in range(start - 1, max(-1, start - CLAUSE_REACH), -1):
        ch = text[i]
        if ch in ")]":
            depth += 1
        elif ch in "([":
            if depth == 0:
                left = i
                break
            depth -= 1
    if left >= 0:
        depth = 0
        for j in range(end, min(len(text), end + CLAUSE_REACH)):
            ch = text[j]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                if depth == 0:
                    return left + 1, j
                depth -= 1
    sentence = _sentence(text, start, end)
    left = text.rfind(sentence, max(0, start - SENTENCE_REACH - 1), end + 1)
    return (left, left + len(sentence)) if left >= 0 else (start, end)


def _significance(cmp: str, p_text: str, alpha: float) -> bool | None:
    """What a printed p says at alpha: significant, not, or nothing clear (rounding)."""
    cmp = {"<=": "<", "≤": "<", ">=": ">", "≥": ">"}.get(cmp, cmp)
    p, half = parse_p(p_text)
    if cmp == "<":
        return True if p <= alpha + _EPS else None
    if cmp == ">":
        return False if p >= alpha - _EPS else None
    if p + half < alpha - _EPS:
        return True
    if p - half > alpha + _EPS:
        return False
    return None


def ci_check(interval: Interval, text: str, page: int | None) -> CrossCheck | None:
    """An interval and the p in its clause that disagree about significance."""
    start, end = interval.offset, interval.offset + len(interval.quote)
    left, right = _clause(text, start, end)
    clause = text[left:right]
    if len(find_intervals(clause, normalized=True)) != 1:
        return None  # two intervals: which p goes with which is a guess
    ps = list(_P_NEAR.finditer(clause))
    if len(ps) != 1:
        return None
    # The estimate and its label sit just before the interval, inside or outside its bracket.
    before = text[max(0, start - 60) : start]
    ratio = _RATIO.search(before)
    difference = _DIFFERENCE.search(before)
    if ratio and (not difference or ratio.end() >= difference.end()):
        null, label = 1.0, "ratio"
    elif difference:
        null, label = 0.0, "difference"
    else:
        return None  # a mean or a proportion: its null is not 0 or 1
    lo, hi = interval.bounds
    h = max(_half(interval.low_text), _half(interval.high_text))
    excludes = lo - h > null or hi + h < null
    includes = lo + h < null < hi - h
    alpha = 1 - interval.level / 100
    said = _significance(ps[0].group("cmp"), ps[0].group("p"), alpha)
    if said is None or not ((excludes and not said) or (includes and said)):
        return None
    p_text = f"p {ps[0].group('cmp')} {ps[0].group('p')}"
    level = f"{interval.level:g}%"
    if excludes:
        what = f"the {level} CI [{interval.low_text}, {interval.high_text}] excludes {null:g}"
        claim = f"{p_text} says not significant at α = {alpha:.2g}"
    else:
        what = f"the {level} CI [{interval.low_text}, {interval.high_text}] includes {null:g}"
        claim = f"{p_text} says significant at α = {alpha:.2g}"
    implied = _implied_p(before, lo, hi, null, interval.level)
    tail = f" The interval implies p ≈ {fmt_p(implied)} (Altman & Bland 2011)." if implied else ""
    return CrossCheck(
        kind="ci_vs_p",
        message=f"For this {label}, {what}, but {claim}: one of the two is wrong.{tail}",
        page=page,
        quote=" ".join(clause.split()),
        offset=left,
    )


def _implied_p(before: str, lo: float, hi: float, null: float, level: float) -> float | None:
    """p from an estimate and its CI (Altman & Bland 2011), on the log scale for ratios."""
    m = _ESTIMATE.search(before)
    if m is None:
        return None
    est = float(m.group("v").replace(" ", ""))
    if not lo <= est <= hi:
        return None
    if null == 1.0:
        if min(lo, est) <= 0:
            return None
        lo, hi, est = math.log(lo), math.log(hi), math.log(est)
    z_level = -special.ndtri((1 - level / 100) / 2)
    se = (hi - lo) / (2 * z_level)
    if se <= 0:
        return None
    return float(2 * special.ndtr(-abs(est) / se))


def ci_checks(text: str, page: int | None) -> list[CrossCheck]:
    out = []
    for interval in find_intervals(text, normalized=True):
        check = ci_check(interval, text, page)
        if check is not None:
            out.append(check)
    return out
