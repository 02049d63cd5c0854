"""A paper's design and sample size, read from its own chunks (patterns, not a model).

Used by ``critique`` and ``weigh`` so that every paper's design and sample size
come with a checked citation, and by the auditor's findings for context. The
sample size is the largest "N = 40" / "40 participants" stated in the methods
(or anywhere, when no methods section is marked); the design is the list of
design terms the paper uses about itself: outside its introduction, discussion and
back matter, which speak of other studies.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ideapump.agent.grounding import Evidence
from ideapump.grounding.normalize import WORD_NUMBER, numbers
from ideapump.results import PaperProfile

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.models import Passage

# Some design words name an analysis as often as a study: "repeated-measures ANOVA", "a
# between-subject factor of drug group" and "the pilot experiments (data not shown)" made
# Dubois et al.'s between-subjects study "within-subject, between-subjects, pilot", and
# "between-group analyses" and "cross-sectional or longitudinal analyses" gave Yardley et
# al.'s trial four more labels. Those words count only before a word for the study.
_STUDY = (
    r"(?=[\s-]+(?:[\w-]+[\s-]+){0,2}?(?:designs?|designed|study|studies|trials?|"
    r"experiments?|RCTs?|manner|fashion)\b)"
)
_PILOT_STUDY = (
    r"(?=[\s-]+(?:[\w-]+[\s-]+){0,2}?(?:study|trials?|RCTs?|randomi[sz]ed|feasibility)\b)"
)
DESIGN_TERMS: dict[str, str] = {
    "randomized controlled trial": r"randomi[sz]ed[\s-]+controlled[\s-]+trial|\bRCT\b",
    "randomized": r"\brandomi[sz]ed\b|random(ly)? assigned",
    "double-blind": r"double[\s-]*blind",
    "placebo-controlled": r"placebo[\s-]*controlled|\bplacebo\b",
    "within-subject": rf"(?:within[\s-]*subjects?|repeated[\s-]*measures|cross-?over){_STUDY}",
    "between-subjects": rf"between[\s-]*(?:subjects?|groups?){_STUDY}",
    "cross-sectional": rf"cross[\s-]*sectional{_STUDY}",
    "longitudinal / cohort": rf"\blongitudinal{_STUDY}|\bcohort\b",
    "survey / questionnaire": r"\bsurvey\b|\bquestionnaire\b",
    "meta-analysis": r"meta[\s-]*analy",
    "pre-registered": r"pre[\s-]*regist",
    "pilot": rf"\bpilot{_PILOT_STUDY}",
}
_WHO = (
    r"\s+(?:healthy\s+|adult\s+|young\s+|naive\s+|male\s+|female\s+)*"
    r"(?:participants|subjects|observers|volunteers|patients|respondents|men|women|students|rats|mice|dogs|horses)\b"
)
_N_PATTERNS = (
    r"\b[Nn]\s*=\s*(\d{1,5})\b",
    r"\b(\d{1,5})" + _WHO,
    # "Sixty healthy volunteers" (Dubois): read as 60, not missed for the "n = 20" per group
    r"(?i:(" + WORD_NUMBER.pattern + r"))(?-i:" + _WHO + ")",
)
_METHODS = re.compile(r"method|participant|subject|sample|design|procedure", re.IGNORECASE)
# Sections that speak of other studies or of what the paper's own could have been: the
# 12-paper corpus got "meta-analysis" from an introduction's "a recent meta-analysis",
# "between-subjects" from a discussion and "within-subject" from a theory paper's review.
# A paper's own design is stated in its front matter, abstract, methods or results.
_NOT_OWN = re.compile(
    r"^\W*(?:\d+(?:\.\d+)*\W*)?(?:introduction|background|(?:general )?discussion|"
    r"conclusions?|limitations|acknowledge?ments?|competing|funding|author|references)",
    re.IGNORECASE,
)


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, start - 160, 0)
    right_dot = text.find(". ", end)
    right = min(x for x in (right_dot if right_dot >= 0 else len(text), end + 120, len(text)))
    return " ".join(text[left:right].split())


def _count(text: str) -> int:
    """A pattern's capture as a number: digits, or a number in words ("Sixty", "twenty-four")."""
    return int(text) if text.isdigit() else int(numbers(text, words=True)[0].value)


def profile_chunks(
    doc_id: str, title: str, chunks: list[Passage], evidence: Evidence
) -> PaperProfile:
    design: list[str] = []
    joined = " ".join(c.quote for c in chunks if not _NOT_OWN.match(c.section or ""))
    for name, pattern in DESIGN_TERMS.items():
        if re.search(pattern, joined, re.IGNORECASE):
            design.append(name)
    if "randomized controlled trial" in design and "randomized" in design:
        design.remove("randomized")
    best: tuple[bool, int, Passage, str] | None = None
    for chunk in chunks:
        in_methods = bool(_METHODS.search(chunk.section or ""))
        for pattern in _N_PATTERNS:
            for m in re.finditer(pattern, chunk.quote):
                n = _count(m[1])
                if n < 2 or 1900 <= n <= 2100:  # years are not samples
                    continue
                key = (in_methods, n)
                if best is None or key > best[:2]:
                    best = (in_methods, n, chunk, _sentence_around(chunk.quote, m.start(), m.end()))
    profile = PaperProfile(doc_id=doc_id, title=title, design=design)
    if best is not None:
        profile.sample_size = best[1]
        profile.sample_citation = evidence.cite_passage(best[2], best[3])
    return profile


def paper_profile(library: Library, doc_id: str, evidence: Evidence) -> PaperProfile:
    """Design terms and stated sample size of an ingested document, with a citation."""
    row = library.get(doc_id)
    return profile_chunks(row.doc_id, row.title, library.chunks(row.doc_id), evidence)
