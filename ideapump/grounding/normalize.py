"""One text normaliser for ingest cleaning, the statistics auditor, quote matching and claims.

PDF text reaches IdeaPump with ligatures (``ﬁ``), Unicode minus signs, no-break
spaces, soft hyphens, words broken across lines and numbers written four ways
(``0.022``/``.022``, ``1,445``/``1445``, ``18%``, ``−3.5``). Each consumer used
to carry its own table of these; they live here so a quote, a statistic and a
number compare the same way wherever they are checked.

* :func:`normalize_chars` - ligatures and look-alike characters to plain ASCII,
  as ingest stores page text (en dashes kept: they separate ranges).
* :func:`fold` - :func:`normalize_chars` plus NFKC, every dash to ``-``, words
  joined across line-break hyphens and whitespace collapsed: the form the
  auditor and the claim checker read.
* :func:`quote_key` - :func:`fold` without spaces, hyphens or quote marks,
  casefolded: two texts hold the same quote when one key contains the other.
* :func:`numbers` - the numbers a text states, as values, with the numbers
  spelled out in words on request (``Sixty healthy volunteers`` -> 60).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Typographic ligatures and look-alike characters -> plain ASCII. Dashes used as
# range separators (en dash) are kept: only real minus signs become '-'.
CHAR_MAP = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u2212": "-",  # MINUS SIGN
        "\ufe63": "-",  # SMALL HYPHEN-MINUS
        "\uff0d": "-",  # FULLWIDTH HYPHEN-MINUS
        "\u2796": "-",  # HEAVY MINUS SIGN
        "\u00a0": " ",  # no-break space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u00ad": None,  # soft hyphen: invisible, breaks word matching
        "\x00": None,
    }
)
#: Every dash-like character a PDF may use for a hyphen, a minus or a range.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u2796"
_DASH = re.compile(f"[{DASHES}]")
# A word broken at a line end: "explo-\nration" -> "exploration", only when the
# next line starts lower-case, so "noradrenaline-\nModulated" or "T-\n2" stay.
LINE_BREAK_HYPHEN = re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])")
_WS = re.compile(r"\s+")
# Glyph-name leftovers for a minus sign in some publishers' fonts ("/C0" in
# pypdf output, "À" in pdftotext output), only where a number follows.
_MANGLED_MINUS = re.compile(r"(?:/C0|\u00c0)(?=\s?\.?\d)")
# Elsevier-style fonts map "=" onto the "¼" code point.
_QUARTER_EQUALS = re.compile(r"\u00bc(?=\s*-?\s?\.?\d)")
# Markdown emphasis around APA symbols: *t*(28), _p_ = .03, **F**.
_EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,2}([A-Za-zχ]{1,3}\d?)[*_]{1,2}(?![\w*])")
_QUOTE_MARKS = re.compile(r"[\"'`\u2018\u2019\u201c\u201d]")


# Glyph names pypdf leaves for the Greek letters of some publishers' maths fonts (eLife's
# Dubois et al.: "an /C15-greedy algorithmic strategy", "mean /C22i"): chat answers showed
# "subjects in the propranolol group had lower values of /C15 overall".
_GLYPH_NAMES = {"15": "\u03b5", "22": "\u03bc"}
_GLYPH = re.compile(r"/C(15|22)(?!\d)")


def normalize_chars(text: str) -> str:
    """Ligatures, minus signs, odd spaces, soft hyphens and the glyph names of two Greek
    letters to plain characters."""
    text = text.translate(CHAR_MAP)
    return _GLYPH.sub(lambda m: _GLYPH_NAMES[m[1]], text) if "/C" in text else text


def fold(text: str) -> str:
    """Text in the one comparable form: NFKC, ``-`` for every dash, broken words joined,
    single spaces. Case and punctuation are kept (statistics need both).

    Also undoes what some PDF fonts and Markdown do to reported statistics: "¼"
    for "=", "/C0" for a minus, ``*t*(28)``. This is the auditor's normalisation
    (:func:`ideapump.stats.extract.normalize` reads text the same way).
    """
    text = _QUARTER_EQUALS.sub("=", text)
    text = _MANGLED_MINUS.sub("-", text)
    text = LINE_BREAK_HYPHEN.sub("", normalize_chars(text))
    # NFKC turns "χ²" into "χ2", ligatures into letters and full-width signs into ASCII.
    text = unicodedata.normalize("NFKC", text)
    text = _DASH.sub("-", text)
    text = _EMPHASIS.sub(r"\1", text)
    return _WS.sub(" ", text).strip()


def quote_key(text: str) -> str:
    """Text for quote matching: :func:`fold`, then no spaces, hyphens or quote marks, casefolded.

    Hyphens go with the spaces because PDF extraction is inconsistent about both
    ("explo- ration", "well-being" / "well being").
    """
    text = _DASH.sub("-", unicodedata.normalize("NFKC", normalize_chars(text)))
    text = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)  # explo- ration -> exploration
    text = _QUOTE_MARKS.sub("", text)
    return re.sub(r"[\s-]+", "", text).casefold()


# -- numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number as a text states it: its value (unsigned), and whether it is a percentage."""

    value: float
    percent: bool
    text: str
    decimals: int  # digits after the point as written (".50" -> 2)


# Citation markers and labels that carry numbers but state nothing: "[2]", "(2)" numbering
# a list, "Figure 3",
# "Table 1", "Experiment 2", "(p. 5)", "Appendix 2—table 7", "passage 2" (the model
# naming what it was shown), and the year of an
# in-text citation ("Dubois et al., 2021", "Mathot (2014)"), which names a work.
_LABELS = re.compile(
    r"\[\s*\d+(?:\s*[,\u2013-]\s*\d+)*\s*\]"
    r"|(?<![\w)])\(\s*\d\s*\)(?=\s+[a-z])"  # a list's "(2) replacing snacks", no count
    r"|\b[A-Z][\w'\u2019-]+(?:(?:\s+(?:and|&)\s+[A-Z][\w'\u2019-]+|\s+et\s+al\.?),?\s*\(?"
    r"|,\s*|\s*\()(?:19|20)\d\d[a-z]?\)?"
    r"|\b(?:fig(?:ure)?s?|tables?|experiments?|studies|study|appendix|appendices|sections?|"
    r"supplementary|supplement|eq(?:uation)?s?|hypothes[ie]s|chapter|wave|phase|session|"
    r"passages?|documents?|evidence|sources?|refs?|references?|"
    r"pp?)\.?\s*[A-Z]?\d+(?:[a-z]\b)?(?:\s*(?:[,\u2013-]|and)\s*[A-Z]?\d+(?:[a-z]\b)?)*",
    re.IGNORECASE,
)
# A number: thousands groups or plain digits, an optional decimal part, or a bare
# decimal (.022). Not preceded by a letter (D2, H1, COVID-19 are names).
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(?<![A-Za-z]-)(?P<num>\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<pct>\s?(?:%|percent\b|per cent\b))?"
)
_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: A number written in words ("sixteen", "Sixty", "twenty-five"); case-insensitive.
WORD_NUMBER = re.compile(
    r"\b(?:(?P<tens>"
    + "|".join(_TENS)
    + r")(?:[\s-](?P<unit>"
    + "|".join(list(_UNITS)[1:10])
    + r"))?|(?P<small>"
    + "|".join(_UNITS)
    + r")|(?P<hundred>a hundred|one hundred))\b",
    re.IGNORECASE,
)


def strip_labels(text: str) -> str:
    """``text`` without citation markers and figure/table/section labels."""
    return _LABELS.sub(" ", text)


def numbers(text: str, *, words: bool = False) -> list[Number]:
    """The numbers ``text`` states, in order, citation markers and labels left out.

    Signs are dropped (a minus sign and a decrease say the same, and a range's
    dash is no sign); ``1,445`` is 1445 and ``.022`` is 0.022; ``18%`` and
    ``18 percent`` are percentages. ``words=True`` adds numbers written as words
    (``sixteen``, ``Sixty``, ``twenty-five``), as a passage's prose states them.
    """
    text = strip_labels(fold(text))
    out = []
    for m in _NUMBER.finditer(text):
        raw = m.group("num")
        digits = raw.replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        out.append(Number(float(digits), bool(m.group("pct")), raw, decimals))
    if words:
        for m in WORD_NUMBER.finditer(text):
            if m.group("tens"):
                value = _TENS[m.group("tens").lower()] + (
                    _UNITS[m.group("unit").lower()] if m.group("unit") else 0
                )
            elif m.group("small"):
                value = _UNITS[m.group("small").lower()]
            else:
                value = 100
            out.append(Number(float(value), False, m.group(0), 0))
    return out


def _rounds_to(claimed: Number, stated: float) -> bool:
    """True when ``stated`` rounded as ``claimed`` is written gives ``claimed``.

    A number with one significant digit ("2") must match exactly: rounding 2.4
    to "2" is how a model turns a statistic into a different one.
    """
    if abs(claimed.value - stated) < 1e-9:
        return True
    significant = len(claimed.text.replace(",", "").replace(".", "").lstrip("0"))
    if significant < 2:
        return False
    step = 10.0**-claimed.decimals
    return abs(claimed.value - stated) <= step / 2 + 1e-9


def number_in(claimed: Number, stated: list[Number]) -> bool:
    """True when ``claimed`` is one of ``stated`` (equal, or a rounding of it).

    A percentage and a proportion are one number (18% and 0.18).
    """
    for s in stated:
        candidates = [s.value]
        if claimed.percent and not s.percent and s.value <= 1:
            candidates.append(s.value * 100)
        if s.percent and not claimed.percent and claimed.value <= 1:
            candidates.append(s.value / 100)
        if any(_rounds_to(claimed, c) for c in candidates):
            return True
    return False


# -- content words -------------------------------------------------------------------

_STOP = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "and",
        "another",
        "any",
        "are",
        "around",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "can",
        "could",
        "did",
        "does",
        "doing",
        "done",
        "during",
        "each",
        "either",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "here",
        "how",
        "into",
        "its",
        "itself",
        "just",
        "many",
        "might",
        "more",
        "most",
        "much",
        "must",
        "neither",
        "nor",
        "not",
        "now",
        "only",
        "other",
        "ought",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "shall",
        "should",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "too",
        "under",
        "until",
        "upon",
        "very",
        "was",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "study",
        "studies",
        "paper",
        "papers",
        "people",
        "participants",
        "found",
        "showed",
        "show",
        "shows",
        "reported",
        "report",
        "reports",
        "result",
        "results",
        "effect",
        "effects",
        "group",
        "groups",
    ]
)
_TERM = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")


def terms(text: str) -> set[str]:
    """Content words of ``text`` for overlap counts: lower case, four letters or more, not
    stop words, cut to their first five letters (so 'reduced' and 'reduction' meet)."""
    words = _TERM.findall(fold(text).lower())
    return {w[:5] for w in words if len(w) > 3 and w not in _STOP}


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b")


def content_words(text: str) -> set[str]:
    """:func:`terms` and the acronyms of ``text`` ("CHX", "HDBR"), which are too short or
    too rare for :func:`terms` yet name what a sentence is about."""
    return terms(text) | {a.casefold() for a in _ACRONYM.findall(fold(text))}
