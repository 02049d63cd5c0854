"""GRIM and GRIMMER: can a mean (and SD) of integer-valued data have these values?

GRIM (Brown & Heathers 2017): the mean of n integers, each an average of k
integer items, is a multiple of 1/(n*k); a printed mean that no such multiple
rounds to is impossible. GRIMMER (Anaya 2016) goes on to the SD: with the sum
S fixed by the mean, the sum of squares Q = (n-1)*SD^2 + S^2/n must be an
integer with the same parity as S (x^2 and x are both odd or both even). Both
tests are only informative when n*k is smaller than 10^decimals, and both
assume integer data, which prose rarely states: the explanation always says
so, so a reader can dismiss a check on a continuous measure.

A percentage of N people is a mean of N zeros and ones, so GRIM applies to it
without any assumption about the data: ``check_percentages``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ideapump.stats.models import CrossCheck, MeanCheck, MeanVerdict

_EPS = 1e-9


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _candidate_sums(mean: float, dec: int, units: int) -> list[int]:
    """Integer totals whose mean over ``units`` rounds to ``mean`` at ``dec`` decimals."""
    half = 0.5 * 10.0**-dec
    low = math.ceil((mean - half) * units - _EPS)
    high = math.floor((mean + half) * units + _EPS)
    return list(range(low, high + 1))


def grim(mean_text: str, n: int, items: int = 1) -> MeanVerdict:
    """'consistent' when some integer total gives this mean, 'not_checkable' when uninformative."""
    dec = _decimals(mean_text)
    units = n * items
    if n < 1 or units >= 10**dec:
        return "not_checkable"
    return "consistent" if _candidate_sums(float(mean_text), dec, units) else "inconsistent"


def grimmer(mean_text: str, sd_text: str, n: int) -> MeanVerdict:
    """SD check for single integer items (multi-item scales break the parity argument)."""
    if n < 2 or grim(mean_text, n) != "consistent":
        return "not_checkable"
    sd = float(sd_text)
    half = 0.5 * 10.0 ** -_decimals(sd_text)
    sd_low, sd_high = max(sd - half, 0.0), sd + half
    for total in _candidate_sums(float(mean_text), _decimals(mean_text), n):
        q_low = (n - 1) * sd_low**2 + total * total / n
        q_high = (n - 1) * sd_high**2 + total * total / n
        q = math.ceil(q_low - _EPS)
        if q % 2 != total % 2:
            q += 1
        if q <= q_high + _EPS:
            return "consistent"
    return "inconsistent"


# "M = 5.92, SD = 1.41" with an n inside the same parentheses or right after.
_MEAN = re.compile(
    r"(?<![\w.])(?:M|Mean|mean)\s*=\s*(?P<m>-?\d*\.?\d+)"
    r"(?:\s*,\s*(?:SD|s\.d\.|sd)\s*=\s*(?P<sd>\d*\.?\d+))?"
)
_N_NEAR = re.compile(r"(?<![\w.])[nN]\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d.])")
_ITEMS = re.compile(r"(?<![\w.])(?P<k>\d{1,2})[- ]items?\b|\b(?P<k2>\d{1,2}) items\b", re.I)
N_REACH = 40  # characters after the mean (or before it) where its n may be stated
ITEM_REACH = 300


@dataclass(frozen=True)
class _MeanReport:
    mean: str
    sd: str | None
    n: int
    items: int
    stated_items: bool
    quote: str


def _find_means(text: str) -> list[_MeanReport]:
    out = []
    for m in _MEAN.finditer(text):
        after = text[m.end() : m.end() + N_REACH]
        before = text[max(0, m.start() - N_REACH) : m.start()]
        # Only an n in the same bracket or clause belongs to this mean; stop at
        # the next mean so a neighbouring group's n is never borrowed.
        after = re.split(r"[;)]|(?<![\w.])M\s*=", after, maxsplit=1)[0]
        before = re.split(r"[;(]", before)[-1]
        if re.search(r"(?<![\w.])(?:M|[Mm]ean)\s*=", before):
            before = ""
        near_after = _N_NEAR.search(after)
        near_before = None if near_after else _N_NEAR.search(before)
        if near_after:
            n_text, quote = near_after.group("n"), text[m.start() : m.end() + near_after.end()]
        elif near_before:
            start = m.start() - len(before) + near_before.start()
            n_text, quote = near_before.group("n"), text[start : m.end()]
        else:
            continue
        n = int(n_text.replace(",", ""))
        region = text[max(0, m.start() - ITEM_REACH) : m.end() + ITEM_REACH]
        items_m = _ITEMS.search(region)
        items = int(items_m.group("k") or items_m.group("k2")) if items_m else 1
        out.append(
            _MeanReport(m.group("m"), m.group("sd"), n, max(items, 1), bool(items_m), quote.strip())
        )
    return out


def check_means(text: str, *, page: int | None = None) -> list[MeanCheck]:
    """GRIM (and GRIMMER where an SD is given) for every mean reported with its n."""
    checks = []
    for rep in _find_means(text):
        g = grim(rep.mean, rep.n, rep.items)
        gg = grimmer(rep.mean, rep.sd, rep.n) if rep.sd and rep.items == 1 else None
        scale = f"{rep.items} integer items" if rep.stated_items else "integer scores"
        if g == "not_checkable":
            why = (
                f"With n = {rep.n} and {_decimals(rep.mean)} decimals, every mean is possible, "
                "so GRIM cannot test it."
            )
        elif g == "inconsistent":
            why = (
                f"No total of {scale} from n = {rep.n} averages to M = {rep.mean}: "
                "impossible if the data are integer-valued (e.g. Likert items or counts)."
            )
        elif gg == "inconsistent":
            why = (
                f"M = {rep.mean} is possible for n = {rep.n}, but no set of integer scores with "
                f"that mean has SD = {rep.sd}: impossible if the data are integer-valued."
            )
        else:
            why = (
                f"M = {rep.mean}"
                + (f" and SD = {rep.sd}" if gg else "")
                + (
                    f" are possible for n = {rep.n} {scale}."
                    if gg
                    else f" is possible for n = {rep.n} {scale}."
                )
            )
        checks.append(
            MeanCheck(
                mean=float(rep.mean),
                mean_text=rep.mean,
                sd=float(rep.sd) if rep.sd else None,
                sd_text=rep.sd,
                n=rep.n,
                items=rep.items,
                grim=g,
                grimmer=gg,
                explanation=why,
                page=page,
                quote=rep.quote,
            )
        )
    return checks


# -- percentages of a stated N -----------------------------------------------------
# A percentage of N people is 100 * k / N for a whole k: GRIM for proportions.
# With the count printed too ("157/179 (87.7%)") the two must agree; with only N
# ("45.3% of 28 participants") some whole k must give the percentage. Rounded or
# cut (66.7% printed as 66%): truncation is common in tables and is not an error
# in the data, so both readings count as consistent.
_PCT = r"(?P<pct>\d{1,3}(?:\.\d+)?)\s?%"
_COUNT_OF = r"(?P<k>\d[\d,]*)\s?(?:/|of|out of)\s?(?P<n>\d[\d,]*)"
_PERCENTAGES = re.compile(
    rf"(?<![\w.,/]){_COUNT_OF}\s?[(\[]\s?{_PCT}\s?[)\]]"
    rf"|(?<![\w.,/]){_PCT.replace('pct', 'pct2')}\s?[(\[]\s?"
    rf"{_COUNT_OF.replace('<k>', '<k2>').replace('<n>', '<n2>')}\s?[)\]]"
    rf"|(?<![\w.,/]){_PCT.replace('pct', 'pct3')} of (?:the |all |our )?"
    r"(?P<n3>\d[\d,]*) (?:[a-z]+ )?[a-z]+s\b"
)
# "approximately 20% of 40 subjects" is a rounded claim, not a computed percentage.
_APPROXIMATE = re.compile(
    r"(?:about|approx\.?|approximately|around|nearly|almost|roughly|over|"
    r"under|less than|more than|fewer than|at least|up to|~|≈)\s*$",
    re.I,
)


def _whole(text: str) -> int:
    return int(text.replace(",", ""))


def check_percentages(text: str, *, page: int | None = None) -> list[CrossCheck]:
    """Percentages of a stated N that no whole count (or not the printed count) gives."""
    out = []
    for m in _PERCENTAGES.finditer(text):
        if _APPROXIMATE.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        pct_text = m.group("pct") or m.group("pct2") or m.group("pct3")
        k_text = m.group("k") or m.group("k2")
        n = _whole(m.group("n") or m.group("n2") or m.group("n3"))
        pct, dec = float(pct_text), _decimals(pct_text)
        unit = 10.0**-dec
        half = 0.5 * unit
        if n < 1 or pct > 100:
            continue
        if k_text is not None:
            k = _whole(k_text)
            share = 100 * k / n
            if k > n or pct - half - _EPS <= share < pct + unit - _EPS:
                continue
            message = (
                f"{k} of {n} is {100 * k / n:.{max(dec, 1)}f}%, not {pct_text}%: the count, "
                "the total or the percentage is wrong."
            )
        else:
            if 100 / n < 2 * half:
                continue  # every percentage is possible at this N and precision
            # Whole counts whose share rounds or cuts to the percentage: [pct - half, pct + unit).
            low = math.ceil((pct - half) * n / 100 - _EPS)
            if 100 * low / n < pct + unit - _EPS:
                continue
            high = low - 1
            near = ", ".join(f"{100 * k / n:.{dec}f}%" for k in (high, low) if 0 <= k <= n)
            message = (
                f"No whole number of the {n} gives {pct_text}% (the nearest are {near}): "
                "the percentage or N is wrong, or some are missing from the count."
            )
        out.append(
            CrossCheck(
                kind="percentage",
                message=message,
                page=page,
                quote=m.group(0),
                offset=m.start(),
            )
        )
    return out
