"""Effect sizes and confidence intervals as printed next to a result.

Public API (shared with the power analysis and anything else that needs the
effect a paper reports)::

    find_effect_sizes(text, *, normalized=False) -> list[EffectSize]
    effect_size_of(raw, text, *, limit=None) -> EffectSize | None   # the one printed with a result
    find_intervals(text, *, normalized=False) -> list[Interval]     # "95% CI [0.12, 0.56]"

Kinds: ``d`` (Cohen's d, d_z, d_av, d_rm), ``g`` (Hedges' g), ``eta2`` (η², also
generalized η² and the "h2" a PDF font makes of η²), ``eta2_partial`` (partial
η²), ``omega2`` and ``r``. Text is normalized as :func:`ideapump.stats.extract.normalize`
does (NFKC makes η² "η2" and ηₚ² "ηp2").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ideapump.stats.extract import RawResult, normalize, result_end

EffectKind = str  # "d" | "g" | "eta2" | "eta2_partial" | "omega2" | "r"

_VALUE = r"(?P<v>-?\s?\d*\.?\d+)"
_ETA = r"(?:η|eta|Eta|h)"
_SQ = r"(?:\s?\^?2|-?\s?squared)"
# Alternatives in one pattern, most specific first; the group that matched names the kind.
_EFFECT = re.compile(
    r"(?<![\w.])(?:"
    rf"(?P<eta2_partial>partial\s+{_ETA}{_SQ}(?:\s?p\b)?|{_ETA}\s?(?:p|_p)\s?\^?2|{_ETA}2\s?(?:p|partial)\b)"
    rf"|(?P<omega2>(?:ω|omega)\s?p?{_SQ}(?:\s?p\b)?)"
    rf"|(?P<eta2>(?:generali[sz]ed\s+)?{_ETA}{_SQ}(?:\s?G\b|\s?g\b)?)"
    r"|(?P<d>(?:Cohen['’]?s?\s+)?d(?:\s?(?:z|av|rm|s))?)"
    r"|(?P<g>Hedges['’]?s?\s+g|g)"
    r"|(?P<r>r)"
    rf")\s*=\s*{_VALUE}"
)
_KINDS = ("eta2_partial", "omega2", "eta2", "d", "g", "r")
#: How far after a result (in characters) its effect size may follow.
REACH = 70


@dataclass(frozen=True)
class EffectSize:
    """An effect size as printed: its kind, the value's text and where it sits."""

    kind: EffectKind
    value_text: str
    offset: int
    quote: str

    @property
    def value(self) -> float:
        return float(self.value_text.replace(" ", ""))


def _effect(m: re.Match[str], base: int = 0) -> EffectSize:
    kind = next(k for k in _KINDS if m.group(k) is not None)
    return EffectSize(kind, m.group("v").replace(" ", ""), base + m.start(), m.group(0))


def find_effect_sizes(text: str, *, normalized: bool = False) -> list[EffectSize]:
    """Every "d = 0.45", "partial η2 = .06", "h2 = 0.20" ... in the text, in reading order.

    Bare "g = " and "r = " are included: a caller pairing them with a test keeps
    only those printed inside that test's clause (see effect_size_of).
    """
    if not normalized:
        text = normalize(text)
    return [_effect(m) for m in _EFFECT.finditer(text)]


# After the p-value: "..., p = .005, d = 0.65" or "...; partial η2 = .058)"; the clause
# ends at a bracket or at the next result.
_CLAUSE_END = re.compile(r"[()\[\]]")
_LEAD = re.compile(r"\s*[,;:]?\s*")


def effect_size_of(raw: RawResult, text: str, *, limit: int | None = None) -> EffectSize | None:
    """The effect size printed with a result, inside its quote or right after its p-value.

    ``text`` is the normalized page the result came from; ``limit`` is where the
    next result starts, so a neighbour's effect size is never borrowed.
    """
    inside = _EFFECT.search(raw.quote)
    if inside is not None and inside.start() > 0:
        return _effect(inside, raw.offset)
    end = result_end(raw)
    stop = min(len(text), end + REACH, limit if limit is not None else len(text))
    after = text[end:stop]
    cut = _CLAUSE_END.search(after)
    if cut is not None:
        after = after[: cut.start()]
    lead = _LEAD.match(after)
    start = lead.end() if lead else 0
    m = _EFFECT.match(after, start)
    return _effect(m, end) if m is not None else None


# -- confidence intervals ----------------------------------------------------------

_NUMBER = r"-?\s?\d*\.?\d+"
_BOUNDS = r"\s*(?:,|;|to|-)\s*"
# A closing bracket belongs to the interval only when it opened one.
_INTERVAL = re.compile(
    r"(?<![\w.])(?P<level>\d{2}(?:\.\d)?)\s?%\s?(?:CI|C\.I\.|confidence intervals?(?:\s?\(CI\))?)"
    r"\s*[:=,]?\s*(?:\[CI\],?\s*)?"
    rf"(?P<ob>[\[(])?\s*(?P<lo>{_NUMBER}){_BOUNDS}(?P<hi>{_NUMBER})(?(ob)\s*[\])])"
    r"|(?<![\w.])(?:CI|C\.I\.)\s?(?P<level2>\d{2}(?:\.\d)?)\s?%\s*[:=,]?\s*"
    rf"(?P<ob2>[\[(])?\s*(?P<lo2>{_NUMBER}){_BOUNDS}(?P<hi2>{_NUMBER})(?(ob2)\s*[\])])"
)


@dataclass(frozen=True)
class Interval:
    """A confidence interval as printed: level (e.g. 95), bounds' texts, where it sits."""

    level: float
    low_text: str
    high_text: str
    offset: int
    quote: str

    @property
    def bounds(self) -> tuple[float, float]:
        a, b = float(self.low_text), float(self.high_text)
        return (a, b) if a <= b else (b, a)  # "95% CI, 0.67-0.18" happens


def find_intervals(text: str, *, normalized: bool = False) -> list[Interval]:
    """Every "95% CI [a, b]", "95% CI: a-b", "95% confidence interval a to b", "CI95% [a; b]"."""
    if not normalized:
        text = normalize(text)
    out = []
    for m in _INTERVAL.finditer(text):
        level = m.group("level") or m.group("level2")
        lo = (m.group("lo") or m.group("lo2")).replace(" ", "")
        hi = (m.group("hi") or m.group("hi2")).replace(" ", "")
        if not 50 <= float(level) < 100:
            continue
        out.append(Interval(float(level), lo, hi, m.start(), m.group(0).strip()))
    return out
