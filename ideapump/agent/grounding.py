"""Retrieval for the agent, grounded generation, and the grounding helpers it re-exports.

* :func:`retrieve` is the one place the agent asks for passages: the library's
  hybrid retriever, the same path as search in the CLI, the API and the client.
* :func:`generate_grounded` asks for a draft, drops every cited item whose
  citation does not resolve, and asks again (bounded) naming the bad citations.
* Quotes, citations, the evidence step and claim checking live in
  :mod:`ideapump.grounding`; the names other modules import from here
  (``Evidence``, ``quote_occurs``, ``closest_sentence``, ``relevance`` ...) are
  re-exported unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, Field, create_model

from ideapump.grounding.citations import Evidence
from ideapump.grounding.evidence import MIN_EVIDENCE, cosine, passage_vectors, relevance
from ideapump.grounding.normalize import quote_key as normalize
from ideapump.grounding.quotes import (
    MIN_QUOTE_WORDS,
    MIN_REPAIR_WORDS,
    closest_sentence,
    lead_words,
    names_title,
    quote_occurs,
    repair_quote,
    sentences,
)
from ideapump.llm import generate_structured
from ideapump.prompts import render_prompt
from ideapump.results import Cite
from ideapump.retrieval import get_retriever

if TYPE_CHECKING:
    from ideapump.library import Library
    from ideapump.llm.model import ChatModel
    from ideapump.models import Passage

__all__ = [
    "MIN_QUOTE_WORDS",
    "MIN_REPAIR_WORDS",
    "AgentOptions",
    "Evidence",
    "Grounded",
    "check_draft",
    "closest_sentence",
    "cosine",
    "generate_grounded",
    "lead_words",
    "names_title",
    "normalize",
    "passage_vectors",
    "persona",
    "quote_occurs",
    "relevance",
    "relevant",
    "repair_quote",
    "retrieve",
    "sentences",
    "strip_bad",
]

T = TypeVar("T", bound=BaseModel)


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


def _documents_of(messages: list[tuple[str, str]]) -> str | None:
    """The last user message up to its last ``</documents>``: the prefix every stage shares."""
    for role, text in reversed(messages):
        if role == "user":
            end = text.rfind("</documents>")
            return text[: end + len("</documents>")] if end >= 0 else None
    return None


def _about(item: BaseModel) -> str:
    """What a cited item claims (a critique point's issue ...), or ""."""
    for name in ("issue", "claim", "text"):
        value = getattr(item, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _requote(
    llm: ChatModel, messages: list[tuple[str, str]], documents: str, bad: list[Any]
) -> None:
    """Ask for a new passage number and quote for each item of ``bad``, and set them.

    Only the citations are written again, not the whole draft: the 1.5B model
    rewrote a 300-token proposal to change one quote (about 30 s on a 2-core CPU),
    often giving the same quote back. The prompt opens with the request's own
    documents block, so a server that caches prefixes reads only the request.
    """
    lines = []
    for i, item in enumerate(bad, 1):
        about = _about(item)
        lines.append(f"{i}. [{item.n}] {item.quote!r}" + (f" (for: {about})" if about else ""))
    schema = create_model(
        "Requote",
        quotes=(list[Cite], Field(min_length=len(bad), max_length=len(bad))),
    )
    user = render_prompt("requote", documents=documents, items="\n".join(lines), count=len(bad))
    system = [m for m in messages if m[0] == "system"][:1]
    got = generate_structured(llm, [*system, ("user", user)], schema)
    for item, fix in zip(bad, got.quotes, strict=True):  # type: ignore[attr-defined]
        item.n, item.quote = fix.n, fix.quote


def generate_grounded(
    llm: ChatModel,
    messages: list[tuple[str, str]],
    schema: type[T],
    evidence: Evidence,
    *,
    citation_retries: int = 1,
    accept: Callable[[T], bool] | None = None,
    requote: bool = False,
) -> Grounded[T]:
    """Ask for ``schema``; re-ask (at most ``citation_retries`` times) while citations fail.

    The returned draft has every unresolvable citation (and its cited item) removed.
    ``accept`` may demand more, e.g. at least one remaining citation.

    ``requote``: where the prompt holds a ``<documents>`` block, a re-ask asks for the
    failing citations alone (a passage number and a quote each) and puts them into
    the draft, instead of asking for the whole draft again. A draft with no failing
    citation that ``accept`` still refuses is asked for whole.
    """
    convo = list(messages)
    rejected: list[str] = []
    best: tuple[T, int] | None = None
    attempts = 0
    documents = _documents_of(messages) if requote else None
    draft: T | None = None
    for attempt in range(citation_retries + 1):
        attempts = attempt + 1
        if draft is None:
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
        if attempt == citation_retries:
            break
        if bad and documents is not None:
            _requote(llm, messages, documents, bad)  # sets them in ``draft``
            continue
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
        draft = None
    assert best is not None
    return Grounded(draft=best[0], removed=best[1], attempts=attempts, rejected=rejected)


@dataclass
class AgentOptions:
    """Knobs shared by the pipelines (small defaults: a 2-core CPU runs the offline model)."""

    passages: int = 6  # passages retrieved per answer
    per_paper_cap: int = 3  # at most this many from one document
    lab_passages: int = 2  # extra passages from the lab's own data summaries (propose)
    min_relevance: float = 0.3  # below this cosine similarity nothing counts as relevant
    # chat: evidence sentences shown to the model, and the best one's score below which
    # the library is taken not to cover the question (see ideapump.grounding.evidence)
    evidence_items: int = 6
    min_evidence: float = MIN_EVIDENCE
    citation_retries: int = 1  # re-asks when citations do not resolve
    coherence_retries: int = 1  # re-asks when a proposal's design is incoherent
    redrafts: int = 1  # proposal drafts asked for beyond n when none is kept
    max_comparisons: int = 6  # pairwise comparisons in the proposal tournament
    elo_k: float = 32.0


def persona() -> str:
    from ideapump.prompts import render_prompt

    return render_prompt("persona")
