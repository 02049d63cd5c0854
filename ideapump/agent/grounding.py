"""Retrieval, the numbered evidence the model sees, citation checks and abstention.

* :func:`retrieve` is the one place the agent asks for passages (switching to the
  hybrid retriever is one line there).
* :class:`Evidence` numbers the passages retrieved for one answer, renders them
  as the injection-safe ``<documents>`` block, and resolves a model citation
  ``(n, quote)`` to a :class:`Citation` only when passage ``n`` exists and the
  quote occurs in its chunk after normalization (NFKC, dashes and line-break
  hyphens, whitespace, case). Ellipses may join pieces that occur in order.
  A quote that does not occur but shares a run of at least ``MIN_REPAIR_WORDS``
  consecutive words with the chunk (a small model running on into the next
  chunk, or closing a bracket it opened) is cut to that run: the citation shows
  only words that are in the chunk. A "quote" that is the passage's title (small
  models copy the title attribute of the ``<documents>`` block), even one the
  chunk opens with, cites the passage by its sentence closest to the claim made.
* :func:`relevance` scores retrieved passages against the query with the
  library's own embedding model, independent of the retriever's score scale;
  below ``min_relevance`` the agent abstains without calling the model.
* :func:`generate_grounded` asks for a draft, drops every cited item whose
  citation does not resolve, and asks again (bounded) naming the bad citations.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np
from pydantic import BaseModel

from ideapump.llm import generate_structured
from ideapump.prompts import data_block
from ideapump.results import Citation
from ideapump.retrieval import get_retriever

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel
    from ideapump.models import Passage

T = TypeVar("T", bound=BaseModel)

MIN_QUOTE_WORDS = 3
# Eight consecutive words of one chunk are no accident; the number is a judgement.
MIN_REPAIR_WORDS = 8
_WORD = re.compile(r"\S+")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad]")
_ELLIPSIS = re.compile(r"\.\.\.|\u2026")


def retrieve(
    library: Library,
    query: str,
    k: int,
    *,
    doc_ids: Sequence[str] | None = None,
    per_paper_cap: int | None = None,
) -> list[Passage]:
    """Top passages for ``query`` (hybrid retrieval); at most ``per_paper_cap`` per document."""
    return get_retriever(library).retrieve(query, k, doc_ids=doc_ids, per_paper_cap=per_paper_cap)


def normalize(text: str) -> str:
    """Text for quote matching: NFKC, one dash, line-break hyphens joined, no spaces, casefolded."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", text)
    text = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)  # explo- ration -> exploration
    text = re.sub(r"[\"'`\u2018\u2019\u201c\u201d]", "", text)
    return re.sub(r"[\s-]+", "", text).casefold()


def quote_occurs(quote: str, text: str) -> bool:
    """True when ``quote`` (pieces joined by ellipses, in order) occurs in ``text``."""
    pieces = [p for p in (normalize(x) for x in _ELLIPSIS.split(quote)) if p]
    if not pieces or len(quote.split()) < MIN_QUOTE_WORDS:
        return False
    hay, pos = normalize(text), 0
    for piece in pieces:
        found = hay.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _word(word: str) -> str:
    return normalize(word).strip(".,;:!?()[]{}")


def repair_quote(quote: str, text: str, min_words: int = MIN_REPAIR_WORDS) -> str | None:
    """The longest run of ``quote``'s words found in ``text``, as ``text`` prints it.

    None when that run is shorter than ``min_words``. Words compare as
    :func:`normalize` leaves them without edge punctuation, so case, quote marks,
    dashes and a stray bracket or full stop do not matter.
    """
    spans = [m.span() for m in _WORD.finditer(text)]
    hay = [_word(text[a:b]) for a, b in spans]
    needle = [_word(w) for w in quote.split()]
    match = difflib.SequenceMatcher(None, needle, hay, autojunk=False).find_longest_match(
        0, len(needle), 0, len(hay)
    )
    if match.size < min_words:
        return None
    return text[spans[match.b][0] : spans[match.b + match.size - 1][1]]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9-]+", text.lower()) if len(w) > 3}


_FRONT_MATTER = re.compile(
    r"\b(?:article history|received:? \d|accepted:? \d|keywords?\b|correspondence\b|"
    r"copyright\b|licensee\b|open access\b|trial registration\b)|\u00a9",
    re.I,
)


def sentences(text: str, min_words: int = 5) -> list[str]:
    """The sentences of ``text`` with at least ``min_words`` words, in order."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= min_words]


def closest_sentence(
    text: str, claim: str, words: Callable[[str], Iterable[str]] = _words, max_words: int = 40
) -> str:
    """The sentence of ``text`` (5 words or more) sharing most words with ``claim``.

    Shared words count against the square root of the sentence's length, so a
    run-on block without full stops (a publisher's cover page, a table) does not
    win on size alone; front matter (article history, keywords, copyright) is
    passed over while there is anything else. Ties go to the earlier sentence;
    with no such sentence, the opening words.
    """
    found = sentences(text)
    # A journal's front matter has no full stops, so its keyword list reads as one
    # short sentence made of the paper's topic words, and won on shared words alone.
    found = [s for s in found if not _FRONT_MATTER.search(s)] or found
    if not found:
        return " ".join(text.split()[:25])
    wanted = set(words(claim))
    best = max(found, key=lambda s: len(wanted & set(words(s))) / math.sqrt(len(s.split())))
    return " ".join(best.split()[:max_words])


def names_title(quote: str, title: str) -> bool:
    """True when ``quote`` is the title (or its first words) rather than a quote."""
    q, t = normalize(quote), normalize(title)
    return len(quote.split()) >= MIN_QUOTE_WORDS and bool(t) and t.startswith(q)


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

    def block(self) -> str:
        return data_block(
            {"n": i, "title": p.title, "page": p.page, "kind": p.kind, "text": p.quote}
            for i, p in enumerate(self.passages, start=1)
        )

    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(p.doc_id for p in self.passages))

    def resolve(self, n: int, quote: str, claim: str = "") -> Citation | None:
        """A checked Citation, or None when ``n`` is unknown or the quote is not in chunk ``n``.

        A quote that occurs whole in another passage of the same document cites
        that passage: the small local model copies a sentence exactly and gives
        the number of its neighbour (Mathot's summary: the abstract's sentence,
        passage 2, cited as 3 and 5 in one draft of three). Otherwise a quote that
        only partly occurs is cut to its longest verbatim run
        (:func:`repair_quote`) when that run is long enough. A quote that is the
        passage's title is replaced by the passage's sentence closest to ``claim``.
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
        return Citation(
            doc_id=passage.doc_id,
            title=passage.title,
            page=self._page_of(passage, quote),
            quote=quote,
            chunk_id=passage.chunk_id,
        )

    def cite_passage(self, passage: Passage, quote: str) -> Citation | None:
        return self.resolve(self.add(passage), quote)

    def _page_of(self, passage: Passage, quote: str) -> int:
        """The page the quote is on when the chunk spans a page break."""
        if passage.page_end == passage.page or self.library is None:
            return passage.page
        if passage.doc_id not in self._page_texts:
            try:
                self._page_texts[passage.doc_id] = list(
                    self.library.get(passage.doc_id).page_texts or []
                )
            except Exception:
                self._page_texts[passage.doc_id] = []
        pages = self._page_texts[passage.doc_id]
        first = normalize(quote.split("...")[0])[:40]
        at = normalize(passage.quote).find(first)
        if not pages or at < 0 or passage.page > len(pages):
            return passage.page
        rest = len(normalize(pages[passage.page - 1][passage.char_start :]))
        return passage.page if at < rest else passage.page_end


def passage_vectors(library: Library, passages: Sequence[Passage]) -> np.ndarray:
    """The passages' embeddings, one row each, read back from the store where stored.

    A passage's quote is its stored chunk, so its vector is read back instead of
    being embedded again: re-embedding six passages cost about half a CPU-second
    per chat reply on the local model.
    """
    emb = library.store.embeddings
    stored = library.store.vectors([p.chunk_id for p in passages])
    missing = [p.quote for p in passages if p.chunk_id not in stored]
    fresh = iter(emb.embed_documents(missing) if missing else [])
    return np.asarray(
        [stored[p.chunk_id] if p.chunk_id in stored else next(fresh) for p in passages],
        dtype=np.float32,
    )


def cosine(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``rows`` with every row of ``cols``."""
    norms = np.linalg.norm(rows, axis=1)[:, None] * np.linalg.norm(cols, axis=1)[None, :]
    return np.asarray(rows @ cols.T / np.where(norms == 0, 1.0, norms))


def relevance(library: Library, query: str, passages: Sequence[Passage]) -> list[float]:
    """Cosine similarity of each passage to the query, by the library's embedding model."""
    if not passages:
        return []
    q = np.asarray([library.store.embeddings.embed_query(query)], dtype=np.float32)
    sims = cosine(passage_vectors(library, passages), q)[:, 0]
    return [round(float(s), 4) for s in sims]


def relevant(
    library: Library, query: str, passages: Sequence[Passage], min_relevance: float
) -> list[Passage]:
    """The passages at or above ``min_relevance``, in their original order."""
    scores = relevance(library, query, passages)
    return [p for p, s in zip(passages, scores, strict=True) if s >= min_relevance]


# -- grounded generation -------------------------------------------------------------


def _cited_lists(model: BaseModel) -> list[tuple[BaseModel, str]]:
    """(owner, field) of every list field whose items carry ``n`` and ``quote``."""
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            if all(hasattr(v, "n") and hasattr(v, "quote") for v in value):
                found.append((model, name))
            for v in value:
                found.extend(_cited_lists(v))
        elif isinstance(value, BaseModel):
            found.extend(_cited_lists(value))
    return found


def check_draft(draft: BaseModel, evidence: Evidence) -> list[Any]:
    """The cited items of ``draft`` whose citation does not resolve."""
    return [
        item
        for owner, name in _cited_lists(draft)
        for item in getattr(owner, name)
        if evidence.resolve(item.n, item.quote) is None
    ]


def strip_bad(draft: T, evidence: Evidence) -> tuple[T, int]:
    """A copy of ``draft`` without the cited items whose citation does not resolve."""
    draft = draft.model_copy(deep=True)
    removed = 0
    for owner, name in _cited_lists(draft):
        items = getattr(owner, name)
        good = [i for i in items if evidence.resolve(i.n, i.quote) is not None]
        removed += len(items) - len(good)
        setattr(owner, name, good)
    return draft, removed


@dataclass
class Grounded(Generic[T]):
    draft: T
    removed: int  # citations removed from the final draft
    attempts: int
    rejected: list[str]  # every bad citation seen, "[n] quote"


def generate_grounded(
    llm: ChatModel,
    messages: list[tuple[str, str]],
    schema: type[T],
    evidence: Evidence,
    *,
    citation_retries: int = 1,
    accept: Callable[[T], bool] | None = None,
) -> Grounded[T]:
    """Ask for ``schema``; re-ask (at most ``citation_retries`` times) while citations fail.

    The returned draft has every unresolvable citation (and its cited item) removed.
    ``accept`` may demand more, e.g. at least one remaining citation.
    """
    convo = list(messages)
    rejected: list[str] = []
    best: tuple[T, int] | None = None
    attempts = 0
    for attempt in range(citation_retries + 1):
        attempts = attempt + 1
        draft = generate_structured(llm, convo, schema)
        bad = check_draft(draft, evidence)
        cleaned, removed = strip_bad(draft, evidence)
        ok = accept(cleaned) if accept else True
        if best is None or (ok and removed < best[1]) or not bad:
            best = (cleaned, removed)
        if not bad and ok:
            break
        labels = [f"[{b.n}] {b.quote!r}" for b in bad]
        rejected.extend(labels)
        problem = (
            "These citations do not occur in the numbered passage they name: "
            + "; ".join(labels)
            + ". "
            if bad
            else "Your answer has no valid citation. "
        )
        convo = [
            *messages,
            ("assistant", draft.model_dump_json()),
            (
                "user",
                problem + "Copy each quote exactly, word for word, from the passage whose "
                "number you give (a phrase of 5 to 20 words), or leave that item out. "
                "Reply with the corrected JSON object.",
            ),
        ]
    assert best is not None
    return Grounded(draft=best[0], removed=best[1], attempts=attempts, rejected=rejected)


@dataclass
class AgentOptions:
    """Knobs shared by the pipelines (small defaults: a 2-core CPU runs the offline model)."""

    passages: int = 6  # passages retrieved per answer
    per_paper_cap: int = 3  # at most this many from one document
    lab_passages: int = 2  # extra passages from the lab's own data summaries (propose)
    min_relevance: float = 0.3  # below this cosine similarity nothing counts as relevant
    citation_retries: int = 1  # re-asks when citations do not resolve
    max_comparisons: int = 6  # pairwise comparisons in the proposal tournament
    elo_k: float = 32.0


def persona() -> str:
    from ideapump.prompts import render_prompt

    return render_prompt("persona")


def lead_words(text: str, words: int = 25) -> str:
    """The first ``words`` words of a passage: a verbatim quote of it."""
    return " ".join(text.split()[:words])
