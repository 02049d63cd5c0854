"""Effect sizes onto a common scale: pure arithmetic.

Each conversion returns ``(yi, vi)`` and is written from the textbook formula
(Borenstein et al., *Introduction to Meta-Analysis*, 2009, ch. 4-7):

* t with df, two independent groups of equal size: ``d = 2t / sqrt(df)``,
  ``v = (n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2))`` with ``n1 = n2 = (df + 2) / 2``;
  within-subject (paired / one-sample): ``dz = t / sqrt(n)``, ``v = 1/n + dz^2 / (2n)``,
  ``n = df + 1``.
* F(1, df2): ``t = sqrt(F)``, then as t with df2 (F with df1 > 1 is not one contrast).
* Hedges' g: ``g = J d``, ``J = 1 - 3 / (4 df - 1)``.
* d with its 95% CI: ``se = (hi - lo) / (2 * 1.96)``; d with total N only:
  ``v = 4/N + d^2 / (2N)`` (two equal groups).
* ratio (OR, RR, HR) with its 95% CI: ``y = ln(ratio)``,
  ``se = (ln hi - ln lo) / (2 * 1.96)``; with an exact two-sided p instead:
  ``se = |ln ratio| / z(1 - p/2)``.
* r with n (or df = n - 2): Fisher ``z = atanh r``, ``v = 1 / (n - 3)``.
* chi2(1, N = n): ``phi = sqrt(chi2 / n)``, then as r with n.
"""

from __future__ import annotations

import math

from scipy import stats as sps

Z95 = 1.959963984540054


def d_from_t(t: float, df: float, *, paired: bool = False) -> tuple[float, float]:
    """Cohen's d and its variance from t(df): two equal groups, or paired (dz)."""
    if df <= 0:
        raise ValueError("df must be positive")
    if paired:
        n = df + 1
        d = t / math.sqrt(n)
        return d, 1 / n + d * d / (2 * n)
    d = 2 * t / math.sqrt(df)
    n1 = n2 = (df + 2) / 2
    return d, (n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2))


def d_from_f(f: float, df1: float, df2: float, *, paired: bool = False) -> tuple[float, float]:
    """d from F(1, df2) (a single contrast: t = sqrt(F)); unsigned, as F is."""
    if df1 != 1:
        raise ValueError("only F(1, df) is one contrast")
    if f < 0:
        raise ValueError("F cannot be negative")
    return d_from_t(math.sqrt(f), df2, paired=paired)


def hedges_j(df: float) -> float:
    return 1 - 3 / (4 * df - 1)


def d_from_ci(d: float, lo: float, hi: float) -> tuple[float, float]:
    se = (hi - lo) / (2 * Z95)
    return d, se * se


def d_from_n(d: float, n: int) -> tuple[float, float]:
    """Variance of d from the total N of two equal groups."""
    return d, 4 / n + d * d / (2 * n)


def log_ratio_from_ci(ratio: float, lo: float, hi: float) -> tuple[float, float]:
    """ln(ratio) and its variance from a 95% CI (symmetric on the log scale)."""
    if min(ratio, lo, hi) <= 0:
        raise ValueError("ratios and their bounds must be positive")
    se = (math.log(hi) - math.log(lo)) / (2 * Z95)
    return math.log(ratio), se * se


def log_ratio_from_p(ratio: float, p: float) -> tuple[float, float]:
    """ln(ratio) and its variance from an exact two-sided p (Wald test)."""
    if ratio <= 0 or ratio == 1 or not 0 < p < 1:
        raise ValueError("needs a ratio other than 1 and 0 < p < 1")
    y = math.log(ratio)
    se = abs(y) / float(sps.norm.ppf(1 - p / 2))
    return y, se * se


def fisher_z(r: float, n: float) -> tuple[float, float]:
    if not -1 < r < 1:
        raise ValueError("r must be strictly between -1 and 1")
    if n <= 3:
        raise ValueError("Fisher z needs n > 3")
    return math.atanh(r), 1 / (n - 3)


def r_from_chi2(chi2: float, n: int) -> float:
    """phi of a 2x2 table from chi2(1) and its N (unsigned)."""
    return math.sqrt(chi2 / n)


def md_from_ci(md: float, lo: float, hi: float) -> tuple[float, float]:
    se = (hi - lo) / (2 * Z95)
    return md, se * se


# -- reading effects from text -----------------------------------------------------------
