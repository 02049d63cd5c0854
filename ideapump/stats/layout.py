"""Page layout repairs before extraction: running headers inside a result, results across pages.

A PDF's text comes page by page, with the journal's running header or footer
wherever the layout put it. A result that a page break splits ("t(28) = 2.20,
p" | header | "= .036") is on no single page, and a header line that lands
between "F(1," and "40)" breaks the pattern on its page. Two repairs:

* lines that repeat on many pages (a running header or footer, page numbers
  changing) are removed wherever they sit, for extraction only;
* the end of each page is joined to the start of the next (minus the running
  lines and a lone page number at either edge), and a result that starts on
  one page and ends on the next is kept, with the first page as its page.

Ingested PDFs have their edge headers removed already (ingest.cleaning); plain
text and the fallback reader do not, so both repairs are needed here.
"""

from __future__ import annotations

import re
from collections import Counter

#: A line counts as running when it repeats on this share of pages (and on at least 3).
RUNNING_SHARE = 0.3
#: Characters of each page taken into a page-break join.
BOUNDARY_CHARS = 300

_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]")
_LONE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,4}\s*$", re.IGNORECASE)


def _signature(line: str) -> str:
    # Page numbers and dates change from page to page; the rest of a header does not.
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def running_signatures(pages: list[str]) -> set[str]:
    """Signatures of the lines that repeat on many pages (headers, footers)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for text in pages:
        counts.update({_signature(ln) for ln in text.splitlines() if ln.strip()})
    threshold = max(3, int(RUNNING_SHARE * len(pages) + 0.999))
    # Ten characters and three letters: table labels ("Placebo", "Short") and lone
    # numbers repeat too, and removing those from the middle of a page could join
    # numbers that do not belong together.
    return {
        sig
        for sig, n in counts.items()
        if n >= threshold and len(sig) >= 10 and len(_LETTERS.findall(sig)) >= 3
    }


def strip_running(text: str, running: set[str]) -> str:
    """The page without its running lines (wherever they sit)."""
    if not running:
        return text
    lines = text.splitlines()
    kept = [ln for ln in lines if _signature(ln) not in running]
    return text if len(kept) == len(lines) else "\n".join(kept)


def _trim_edge(lines: list[str], *, top: bool) -> list[str]:
    """Drop a lone page number at the page's top or bottom edge."""
    order = lines if top else lines[::-1]
    while order and (not order[0].strip() or _LONE_NUMBER.match(order[0])):
        order = order[1:]
    return order if top else order[::-1]


def page_tail(text: str) -> str:
    """The end of a page, without a trailing page number, for a page-break join."""
    lines = _trim_edge(text.splitlines(), top=False)
    return "\n".join(lines)[-BOUNDARY_CHARS:]


def page_head(text: str) -> str:
    """The start of a page, without a leading page number, for a page-break join."""
    lines = _trim_edge(text.splitlines(), top=True)
    return "\n".join(lines)[:BOUNDARY_CHARS]
