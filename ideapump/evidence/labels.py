"""What a reported effect is of, as the text around it says: the two arms it compares
("placebo vs propranolol: t(40) = 2.923") or the factor it is named by ("horizon main
effect: F(1, 54) = 1.333"). ``weigh`` keeps the effects on its claim by these."""

from __future__ import annotations

import re

# "Pairwise comparisons: placebo vs propranolol: t(40) = 2.923, p = 0.005, d=0.654;
# amisulpride vs propranolol: t(38) = 2.171, ..." (Dubois et al. 2021): which two arms an
# effect compares, where the text names them before it in the same clause.
_VS = re.compile(
    r"(?:\b(?:the|a|an)\s+)?\b([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+(?:vs\.?|versus)\s+"
    r"([A-Za-z][\w-]*(?:\s+(?!vs\b|versus\b)[A-Za-z][\w-]*)?)",
    re.I,
)
_CLAUSE_END = re.compile(r";|(?<!\bvs)\.\s+(?=[A-Z])")


def _clause_start(text: str, offset: int, reach: int) -> int:
    """Where the clause before ``offset`` starts, looking back at most ``reach`` characters."""
    start = max(offset - reach, 0)
    ends = [m.end() for m in _CLAUSE_END.finditer(text, start, offset)]
    return ends[-1] if ends else start


def comparison_at(text: str, offset: int) -> str:
    """The "A vs B" the clause before ``offset`` names, or ""."""
    named = list(_VS.finditer(text, _clause_start(text, offset, 160), offset))
    return f"{named[-1][1]} vs {named[-1][2]}" if named else ""


# "horizon main effect: F(1, 54)", "drug-by-horizon interaction: F(2, 54)", "a main effect
# of horizon, F(1, 54)", "the effect of group (F(2, 45) ...": the factor an ANOVA term names.
_FACTOR = re.compile(
    r"(?:\b([A-Za-z][\w]*(?:[- ]by[- ][A-Za-z][\w]*)?)\s+(?:main\s+)?(?:effect|interaction)"
    r"|\b(?:main\s+)?(?:effect|interaction)\s+of\s+(?:the\s+)?([A-Za-z][\w]*"
    r"(?:\s+(?:and|by|x|×)\s+[A-Za-z][\w]*)?))"
    r"\s*[:,(=]?\s*\(?\s*$",
    re.I,
)
# Words before "effect" that are no factor: "a significant main effect: ...".
_NOT_FACTOR = frozenset(
    [
        "a",
        "an",
        "the",
        "no",
        "significant",
        "main",
        "this",
        "that",
        "its",
        "their",
        "overall",
        "simple",
        "reliable",
        "robust",
        "large",
        "small",
        "strong",
        "weak",
    ]
)


def factor_at(text: str, offset: int) -> str:
    """The factor (or interaction of factors) the text names an effect by, just before
    ``offset`` in the same clause: "horizon", "drug-by-horizon"; "" when it names none."""
    m = _FACTOR.search(text[_clause_start(text, offset, 60) : offset])
    if not m:
        return ""
    factor = (m[1] or m[2] or "").strip()
    return "" if factor.lower() in _NOT_FACTOR else factor
