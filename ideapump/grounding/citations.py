"""Citations: the numbered passages the model sees, and a model's ``(n, quote)`` resolved.

:class:`Evidence` numbers the passages retrieved for one answer, renders them as
the injection-safe ``<documents>`` block, and resolves a model citation
``(n, quote)`` to a :class:`Citation` only when passage ``n`` exists and the
quote occurs in its chunk (:func:`~ideapump.grounding.quotes.quote_occurs`).
Ellipses may join pieces that occur in order. A quote that does not occur but
shares a run of at least ``MIN_REPAIR_WORDS`` consecutive words with the chunk
(a small model running on into the next chunk, or closing a bracket it opened)
is cut to that run. A quote that occurs whole in another passage of the same
document cites that passage.

What the citation then shows is a finding (:func:`~ideapump.grounding.quotes.is_finding`):
the quote widened to the whole sentence it sits in; a fragment (under
``MIN_FINDING_WORDS`` words), the passage's title, a bare reference, a heading
or a figure label gives way to the passage's sentence closest to the claim made;
a passage with no such sentence gives no citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from ideapump.grounding.normalize import quote_key
from ideapump.grounding.quotes import (
    ENDS_SENTENCE,
    MIN_FINDING_WORDS,
    closest_sentence,
    cut_to_whole,
    is_finding,
    names_title,
    opens_with,
    quote_occurs,
    repair_quote,
    sentence_spans,
    snap_quote,
    unfinished,
)
from ideapump.prompts import data_block

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.models import Passage

#: Passage kinds whose text is data (a CSV summary), quoted as it is.
DATA_KINDS = ("table",)


class Citation(BaseModel):
    doc_id: str
    title: str
    page: int
    quote: str = Field(description="Verbatim text that occurs in the cited chunk.")
    chunk_id: str

    def label(self) -> str:
        """``[title, p. N]`` as the CLI prints it."""
        return f"[{self.title}, p. {self.page}]"


def finding_quote(passage: Passage, quote: str, claim: str = "") -> str | None:
    """What a citation of ``passage`` shows for a verbatim ``quote``: a finding, or None.

    The quote is widened to its whole sentence(s). A fragment gives way to the
    passage's sentence closest to ``claim`` (when there is a claim), and so does a
    quote that is still no finding after widening (a bare reference, a heading).
    """
    text = passage.quote
    if passage.kind in DATA_KINDS:
        return quote if is_finding(quote, data=True) else None
    title = passage.title
    if claim and len(quote.split()) < MIN_FINDING_WORDS:
        best = closest_sentence(text, f"{claim} {quote}", avoid=title)
        shown = snap_quote(best, text) or best
    else:
        shown = cut_to_whole(snap_quote(quote, text, claim) or quote, text)
    if not is_finding(shown) or opens_with(shown, title) or unfinished(shown, text):
        best = closest_sentence(text, claim or quote, avoid=title)
        shown = snap_quote(best, text) or best
    ok = (
        is_finding(shown)
        and not opens_with(shown, title)
        and not unfinished(shown, text)
        and quote_occurs(shown, text)
    )
    return shown if ok else None


@dataclass
class Evidence:
    """The passages retrieved for one answer, numbered from 1 as the model sees them."""

    passages: list[Passage]
    library: Library | None = None
    _page_texts: dict[str, list[str]] = field(default_factory=dict)

    def add(self, passage: Passage) -> int:
        """Add a passage (if new) and return its number."""
        for i, p in enumerate(self.passages, start=1):
            if p.chunk_id == passage.chunk_id:
                return i
        self.passages.append(passage)
        return len(self.passages)

    def block(self, start: int = 1) -> str:
        texts = [whole_sentences(p, self._pages(p.doc_id)) for p in self.passages]
        return passages_block(self.passages, start, texts)

    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(p.doc_id for p in self.passages))

    def number_of(self, chunk_id: str) -> int | None:
        return next((i for i, p in enumerate(self.passages, 1) if p.chunk_id == chunk_id), None)

    def resolve(self, n: int, quote: str, claim: str = "") -> Citation | None:
        """A checked Citation, or None when ``n`` is unknown or the quote is not in chunk ``n``.

        A quote that occurs whole in another passage of the same document cites
        that passage: the small local model copies a sentence exactly and gives
        the number of its neighbour (Mathot's summary: the abstract's sentence,
        passage 2, cited as 3 and 5 in one draft of three). Otherwise a quote that
        only partly occurs is cut to its longest verbatim run
        (:func:`~ideapump.grounding.quotes.repair_quote`) when that run is long
        enough. A quote that is the passage's title is replaced by the passage's
        sentence closest to ``claim``. What is shown is :func:`finding_quote`.
        """
        if not 1 <= n <= len(self.passages):
            return None
        passage = self.passages[n - 1]
        quote = quote.strip().strip('"').strip()
        if names_title(quote, passage.title):
            # Even where the title heads the chunk, it shows nothing the passage says.
            quote = closest_sentence(passage.quote, claim)
        elif not quote_occurs(quote, passage.quote):
            # Only within the document: a spark's or relation's sides stay on their side.
            sibling = next(
                (
                    p
                    for p in self.passages
                    if p.doc_id == passage.doc_id
                    and p is not passage
                    and quote_occurs(quote, p.quote)
                ),
                None,
            )
            if sibling is not None:
                passage = sibling
            else:
                repaired = repair_quote(quote, passage.quote)
                if repaired is None:
                    return None
                quote = repaired
        shown = finding_quote(passage, quote, claim)
        if shown is None:
            return None
        return self.cite(passage, shown)

    def cite(self, passage: Passage, quote: str) -> Citation:
        """A Citation of ``passage`` showing ``quote`` (already checked by the caller)."""
        return Citation(
            doc_id=passage.doc_id,
            title=passage.title,
            page=self._page_of(passage, quote),
            quote=quote,
            chunk_id=passage.chunk_id,
        )

    def cite_passage(self, passage: Passage, quote: str) -> Citation | None:
        return self.resolve(self.add(passage), quote)

    def _pages(self, doc_id: str) -> list[str]:
        """The page texts of ``doc_id`` (none without a library, or for a paper gone)."""
        if self.library is None:
            return []
        if doc_id not in self._page_texts:
            try:
                self._page_texts[doc_id] = list(self.library.get(doc_id).page_texts or [])
            except Exception:
                self._page_texts[doc_id] = []
        return self._page_texts[doc_id]

    def _page_of(self, passage: Passage, quote: str) -> int:
        """The page the quote is on when the chunk spans a page break."""
        if passage.page_end == passage.page or self.library is None:
            return passage.page
        pages = self._pages(passage.doc_id)
        first = quote_key(quote.split("...")[0])[:40]
        at = quote_key(passage.quote).find(first)
        if not pages or at < 0 or passage.page > len(pages):
            return passage.page
        rest = len(quote_key(pages[passage.page - 1][passage.char_start :]))
        return passage.page if at < rest else passage.page_end


def passages_block(
    passages: Sequence[Passage], start: int = 1, texts: Sequence[str] | None = None
) -> str:
    """The ``<documents>`` block of ``passages``, numbered from ``start``; ``texts``
    replaces each passage's chunk text (:func:`whole_sentences`)."""
    shown = list(texts) if texts is not None else [p.quote for p in passages]
    return data_block(
        {"n": i, "title": p.title, "page": p.page, "kind": p.kind, "text": text}
        for i, (p, text) in enumerate(zip(passages, shown, strict=True), start=start)
    )


def whole_sentences(passage: Passage, page_texts: Sequence[str]) -> str:
    """``passage``'s chunk text without the sentence fragments a chunk boundary cut.

    The model copies what it reads: a quick start's proposal gave as its rationale
    "The passage states that subjects could deploy (Jepma and Nieuwenhuis, 2011).",
    the opening of a Dubois et al. chunk that starts inside a sentence the chunk before
    holds whole. The opening fragment goes when the chunk starts inside a sentence of its
    page (:func:`opens_mid_sentence`) or with a lower-case letter; a paper's closing
    fragment goes when its last sentence has no end. A lab's own notes and tables keep
    their last line (a list item ends without a full stop), and a chunk that would keep
    no whole sentence is shown as it is.
    """
    text = passage.quote
    if passage.kind in DATA_KINDS:
        return text
    spans = sentence_spans(text)
    if len(spans) < 2:
        return text
    a, b = spans[0][0], spans[-1][1]
    first = text[spans[0][0] : spans[0][1]].lstrip()
    if first[:1].islower() or (passage.char_start > 0 and opens_mid_sentence(passage, page_texts)):
        a = spans[1][0]
    if passage.kind == "pdf" and not ENDS_SENTENCE.search(text[spans[-1][0] : b].rstrip()):
        b = spans[-2][1]
    return text[a:b] if b > a else text


def opens_mid_sentence(passage: Passage, page_texts: Sequence[str]) -> bool:
    """True when ``passage``'s chunk starts inside a sentence of its page.

    Chunks overlap and break at line ends, so most start mid-sentence, often with a
    capital: the chat answered "Did the web-based hand hygiene intervention reduce
    respiratory infections?" with "From the library: Web-based intervention on hand
    hygiene, as an essential precursor to a pragmatic trial of the effects on infection
    transmission.", the end of Yardley et al.'s "The present study was designed to test
    the effects of our Web-based intervention ...". A chunk that starts its page is read
    by its first letter only (the page before ends in a running footer).
    """
    if passage.char_start <= 0 or not 0 < passage.page <= len(page_texts):
        return False
    page = page_texts[passage.page - 1]
    w0 = max(0, passage.char_start - _LOOK_BACK)
    window = page[w0 : passage.char_start + _LOOK_BACK // 2]
    at = passage.char_start - w0
    return any(
        a < at < b and re.search(r"[A-Za-z]", window[a:at]) for a, b in sentence_spans(window)
    )


# Characters of the page read before a chunk's start to find the sentence it starts in.
_LOOK_BACK = 800
