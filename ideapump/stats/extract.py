"""Find reported test results (t, F, r, chi2, z, Q with a p-value) in text.

The published method (Epskamp & Nuijten's statcheck, described in Nuijten et
al. 2016) is: find "statistic (df) = value, p comparator value" and recompute
p. This is our own implementation of that idea, written for text that came
out of PDFs: symbols lose their italics and line breaks land between "t" and
"(7)", minus signs arrive as U+2212, en dashes or glyph names, subscripted df
are flattened onto the letter ("F2,407 = 12.61", "t272 = 3.19"), and "="
sometimes arrives as "¼", χ² arrives as another letter followed by 2
("B2(2, N = 90)", "c2(1)"), a df of 1 as the letter l ("F(l, 40)"), and stars
or footnote glyphs stick to numbers ("8.08**", "p < .01^"). Everything is
normalized first, then one regex per form is run; a statistic followed by a
p-value but lacking df is still returned (it becomes *not checkable* with a
reason, never silently dropped).

Public API (also used to find effect sizes and intervals next to a result):
``normalize``, ``extract`` -> ``RawResult``, ``extract_pages``,
``bare_p_values`` -> ``BareP``, and ``result_end`` (where a result's quote ends
in the normalized text). Running headers and page breaks that split a result
are repaired by :mod:`ideapump.stats.layout` before extraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ideapump.grounding.normalize import fold

# -- normalization -------------------------------------------------------------

# A value broken after its decimal point at a line end ("t(28) = 2.\n20"); only
# right after a comparator, so "Experiment 2.\n30 people" stays two numbers. The
# one step the auditor adds to the shared normaliser, before it collapses lines.
_NUMBER_BREAK = re.compile(r"([=<>\u2264\u2265\u00bc]\s*-?\s?\d{0,4}\.)[ \t]*\r?\n[ \t]*(?=\d)")


def normalize(text: str) -> str:
    """Make PDF- and Markdown-flavoured text uniform; whitespace collapses to single spaces.

    The project's one normaliser (:func:`ideapump.grounding.normalize.fold`: ligatures,
    dashes and PDF glyph leftovers for minus and equals, ``*t*(28)``), after joining a
    value broken at a line end.
    """
    return fold(_NUMBER_BREAK.sub(r"\1", text))


# -- patterns ------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_DF = r"\d+(?:\.\d+)?"
_DF_BIG = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_OPEN, _CLOSE = r"\s*[(\[]\s*(?:df\s*=\s*)?", r"\s*[)\]]"
_START = r"(?<![\w.])"
_CHI = r"(?:χ|Χ|chi|Chi|CHI|X|x)\s?(?:\^?2|-?[Ss]quared?)"
# χ in a font a PDF maps to another letter, then the squared 2: "B2(2, N = 90)",
# "c2(1)" (Symbol font), and the likelihood-ratio G2(df). Only with df in
# brackets. Left out: F, t (F1/F2, t1/t2 by subjects and items), Q, R (R²),
# T (Hotelling, time points), W, Z, D (Mahalanobis), I (I² heterogeneity), N.
_CHI_GLYPH = r"(?:[ABCEGHJ-MOPSUVY]|c|v)\s?2"
_CHI_N = r"(?:\s*[,;]\s*[Nn]\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+))?"
# The letter l (or I) typeset for the digit 1 as an F's numerator df: "F(l, 40)".
_DF1_F = rf"(?:{_DF}|[lI](?=\s*[,;]))"
_CMP = r"(?:<=|>=|=|<|>|≤|≥)"
# Significance stars and footnote glyphs glued to a number: "8.08**", "2.20^".
_GLYPHS = r"(?:\s?[*†‡§¶^#]{1,3})?"

# One regex head per way of writing the test and its df. Python forbids reusing
# group names inside one alternation, hence one compiled pattern per head.
_HEADS: list[tuple[str, str]] = [
    ("t", rf"{_START}t[12]?{_OPEN}(?P<df1>{_DF_BIG}){_CLOSE}"),
    ("t", rf"{_START}t(?P<df1>\d+(?:\.\d+)?)(?=\s*{_CMP})"),  # flattened subscript
    ("t", rf"{_START}t(?=\s*{_CMP})"),
    ("F", rf"{_START}F[12]?{_OPEN}(?P<df1>{_DF1_F})\s*[,;]\s*(?P<df2>{_DF_BIG}){_CLOSE}"),
    ("F", rf"{_START}F(?P<df1>\d+(?:\.\d+)?)\s?,\s?(?P<df2>\d+(?:\.\d+)?)(?=\s*{_CMP})"),
    ("F", rf"{_START}F(?=\s*{_CMP})"),
    ("r", rf"{_START}r{_OPEN}(?P<df1>{_DF_BIG}){_CLOSE}"),
    ("r", rf"{_START}(?:r|[rR]\s?Pearson)(?=\s*{_CMP})"),
    ("chi2", rf"{_START}{_CHI}{_OPEN}(?P<df1>{_DF}){_CHI_N}{_CLOSE}"),
    ("chi2", rf"{_START}{_CHI}(?=\s*{_CMP})"),
    ("chi2", rf"{_START}{_CHI_GLYPH}{_OPEN}(?P<df1>{_DF}){_CHI_N}{_CLOSE}"),
    ("z", rf"{_START}[zZ](?=\s*{_CMP})"),
    ("Q", rf"{_START}Q(?:w|b|W|B|E|M|T|within|between|total)?{_OPEN}(?P<df1>{_DF}){_CLOSE}"),
    ("Q", rf"{_START}Q(?:w|b|W|B|E|M|T|within|between|total)?(?=\s*{_CMP})"),
]

_STAT = (
    rf"\s*(?P<scmp>{_CMP})\s*(?P<stat>-?\s?{_NUM}){_GLYPHS}"
    rf"(?:\s*,\s*df\s*=\s*(?P<dfa>{_DF}))?"  # "chi2 = 5.3, df = 2" names df after the value
)
# Up to two short "name = value" items (an effect size, an MSE) may sit between
# the statistic and p; lazy, so the plain "stat, p" reading is tried first.
_GAP = (
    rf"(?:\s*[,;]\s*(?![pP][\s-]*(?:value\s*)?{_CMP})(?!ns\b)"
    rf"[^\s,;=()\[\]]{{1,12}}(?:\s[^\s,;=()\[\]]{{1,10}})?\s*=\s*-?\s?{_NUM}){{0,2}}?"
)
_P = (
    rf"\s*[,;:]?\s*(?:[pP](?:\s*-\s*value)?\s*(?P<pcmp>{_CMP})\s*"
    r"(?P<p>\d*\.?\d+(?:\s?[×x]\s?10\s?\^?\s?-\s?\d+|[eE]-?\d+)?)"
    r"|(?P<ns>n\.\s?s\.|ns\b|n\.s\b))"
)


def _numbered(head: str, i: int) -> str:
    return re.sub(r"\(\?P<(df1|df2|n)>", lambda m: f"(?P<{m.group(1)}_{i}>", head)


# All heads in one alternation, so the text is scanned once, not once per head.
# Heads are ordered so that at any position the fullest reading (df in
# brackets, then flattened subscripts, then no df) is tried first.
# The leading look-ahead on the possible first letters lets the regex engine skip
# most positions cheaply (5x faster on the corpus than the bare alternation).
_PATTERN = re.compile(
    "(?=[tFrRχΧcvXxzZQABCEGHJ-MOPSUVY])(?:"
    + "|".join(f"(?P<h{i}>{_numbered(head, i)})" for i, (_, head) in enumerate(_HEADS))
    + ")"
    + _STAT
    + _GAP
    + _P
)
_KINDS = [kind for kind, _ in _HEADS]
# "non-directional", "two-tailed" must not count; "one-tailed" and kin do.
_ONE_TAILED = re.compile(
    r"(?<![\w-])(?:one[- ]?tailed|one[- ]?sided|1[- ]tailed|(?<!non-)(?<!non)(?<!bi)directional)",
    re.IGNORECASE,
)
ONE_TAILED_WINDOW = 400  # characters either side of a result


@dataclass(frozen=True)
class RawResult:
    """A result as printed, before any arithmetic."""

    test_type: str
    df1: float | None
    df2: float | None
    n: int | None
    stat_comparator: str
    stat_text: str
    p_comparator: str  # "=", "<", ">" or "ns"
    p_text: str | None
    page: int | None
    offset: int
    quote: str
    one_tailed_context: bool


def _num(text: str) -> float:
    if text in ("l", "I"):
        return 1.0
    return float(text.replace(",", "").replace(" ", ""))


def result_end(raw: RawResult) -> int:
    """Offset just past the result's quote in the normalized text it came from."""
    return raw.offset + len(raw.quote)


def _comparator(symbol: str) -> str:
    return {"<=": "<", "≤": "<", ">=": ">", "≥": ">"}.get(symbol, symbol)


def extract(text: str, *, page: int | None = None, normalized: bool = False) -> list[RawResult]:
    """All reported results in one page (or one plain text), in reading order."""
    if not normalized:
        text = normalize(text)
    results: list[RawResult] = []
    for m in _PATTERN.finditer(text):
        start, end = m.span()
        groups = m.groupdict()
        i = next(i for i in range(len(_KINDS)) if groups[f"h{i}"] is not None)
        kind = _KINDS[i]
        df1_text = groups.get(f"df1_{i}") or groups.get("dfa")
        df2_text = groups.get(f"df2_{i}")
        n_text = groups.get(f"n_{i}")
        window = text[max(0, start - ONE_TAILED_WINDOW) : end + ONE_TAILED_WINDOW]
        if groups["ns"]:
            p_cmp, p_text = "ns", None
        else:
            p_cmp, p_text = _comparator(groups["pcmp"]), groups["p"]
        results.append(
            RawResult(
                test_type=kind,
                df1=_num(df1_text) if df1_text else None,
                df2=_num(df2_text) if df2_text else None,
                n=int(_num(n_text)) if n_text else None,
                stat_comparator=_comparator(groups["scmp"]),
                stat_text=groups["stat"].replace(" ", ""),
                p_comparator=p_cmp,
                p_text=p_text,
                page=page,
                offset=start,
                quote=m.group(0).strip(),
                one_tailed_context=bool(_ONE_TAILED.search(window)),
            )
        )
    return results


def extract_pages(pages: list[tuple[int, str]]) -> list[RawResult]:
    """Results of every page, each tagged with its 1-based page number."""
    out: list[RawResult] = []
    for number, text in pages:
        out.extend(extract(text, page=number))
    return out


# Bare p-values (with or without a statistic) feed the paper-level p-curve flag.
_BARE_P = re.compile(
    rf"(?=[pP]){_START}[pP]\s*(?P<cmp>{_CMP})\s*(?P<p>\d*\.\d+|\d+)(?![\d.]*\s?[×x]\s?10)"
)


@dataclass(frozen=True)
class BareP:
    comparator: str
    value: float
    text: str
    page: int | None


def bare_p_values(text: str, *, page: int | None = None) -> list[BareP]:
    """Every "p = x" / "p < x" in normalized text, valid probabilities only."""
    out = []
    for m in _BARE_P.finditer(text):
        value = float(m.group("p"))
        if 0 <= value <= 1:
            out.append(BareP(_comparator(m.group("cmp")), value, m.group(0), page))
    return out
