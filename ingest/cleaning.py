"""Text cleaning for extracted pages.

PDF text extraction leaves artefacts that hurt both retrieval and quoting:
words split across line breaks, typographic ligatures, Unicode minus signs
that regexes and tokenizers do not see as '-', and running headers/footers
repeated on every page. Cleaning happens once, per page, before chunking, so
that the stored page text, the chunk text and every quote agree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ideapump.grounding.normalize import LINE_BREAK_HYPHEN, normalize_chars

# The character table and the line-break rule are the shared normaliser's
# (ideapump.grounding.normalize), so that stored page text, quotes, the auditor
# and the claim checker read characters the same way.
_HYPHEN_BREAK = LINE_BREAK_HYPHEN
_TRAILING_WS = re.compile(r"[ \t]+\n")
_MANY_BLANKS = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")


def clean_text(text: str) -> str:
    """Character normalization plus hyphenation repair, whitespace tidy-up."""
    text = normalize_chars(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _HYPHEN_BREAK.sub("", text)
    text = _TRAILING_WS.sub("\n", text)
    return _MANY_BLANKS.sub("\n\n", text).strip()


def _signature(line: str) -> str:
    # Page numbers and dates change from page to page; the rest of a running
    # header does not.
    return _DIGITS.sub("#", line.strip().lower())


def drop_running_lines(
    pages: Sequence[str], *, edge_lines: int = 3, share: float = 0.5
) -> list[str]:
    """Remove header/footer lines that repeat on most pages.

    Looks only at the first and last ``edge_lines`` non-empty lines of each page,
    so a sentence that happens to repeat in the body is never touched.
    """
    if len(pages) < 3:
        return list(pages)
    counts: Counter[str] = Counter()
    for text in pages:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        edges = {_signature(ln) for ln in lines[:edge_lines] + lines[-edge_lines:]}
        counts.update(edges)
    threshold = max(3, int(share * len(pages) + 0.999))
    running = {sig for sig, n in counts.items() if n >= threshold and len(sig) > 1}
    # A lone page number ("#") is a running footer too.
    if counts.get("#", 0) >= threshold:
        running.add("#")
    if not running:
        return list(pages)
    out = []
    for text in pages:
        lines = text.split("\n")
        nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
        edge_idx = set(nonempty[:edge_lines] + nonempty[-edge_lines:])
        kept = [
            ln for i, ln in enumerate(lines) if not (i in edge_idx and _signature(ln) in running)
        ]
        out.append("\n".join(kept).strip())
    return out


_REFERENCES_HEAD = re.compile(
    r"^\s*(?:\d+\.?\s*)?(references|bibliography|literature cited|works cited|reference list)\s*:?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
# What may follow the reference list in journal layouts (eLife appendices,
# figure legends collected at the end of manuscripts).
_AFTER_REFERENCES = re.compile(
    r"^\s*(appendix\b.*|supplementary (material|information|files?)\b.*|supporting information\b.*"
    r"|figure legends?|figure captions?|tables?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def find_references_span(full_text: str) -> tuple[int, int] | None:
    """Character span of the references section in the joined document text.

    Takes the last 'References' heading in the second part of the document (a
    heading in the first 30% is more likely a table of contents or a journal
    masthead), and ends it at an appendix/supplementary heading if one follows.
    """
    heads = [m for m in _REFERENCES_HEAD.finditer(full_text) if m.start() > 0.3 * len(full_text)]
    if not heads:
        return None
    start = heads[-1].start()
    after = _AFTER_REFERENCES.search(full_text, heads[-1].end())
    end = after.start() if after else len(full_text)
    return start, end
