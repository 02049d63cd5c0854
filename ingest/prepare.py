"""Everything done to a file before its chunks are embedded, in one picklable call.

:func:`prepare` loads a file (text per page, metadata, cleaning), splits it
into chunks and runs the statistics audit. The extraction worker
(:mod:`ingest.extractor`) calls it for the next file while the main process
embeds the current one, so all of this pure-Python work overlaps embedding
instead of adding to it; with no worker the pipeline calls it inline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ideapump.errors import DocumentError
from ingest.chunking import Chunk, Chunker
from ingest.loaders import LoadedDocument, load_document


@dataclass(frozen=True)
class PrepPlan:
    """What the worker needs from the settings (it does not load them itself)."""

    max_bytes: int
    chunk_tokens: int
    overlap: int
    #: the chunker's token counts are the embedding tokenizer's, truncated as it truncates
    count_max_tokens: int
    alpha: float


@dataclass
class Prepared:
    doc: LoadedDocument
    chunks: list[Chunk]
    stats: dict[str, Any] | None
    seconds: dict[str, float] = field(default_factory=dict)  # extract, chunk, audit


_chunkers: dict[tuple[int, int, int], Chunker] = {}


def chunker_for(plan: PrepPlan) -> Chunker:
    key = (plan.chunk_tokens, plan.overlap, plan.count_max_tokens)
    if key not in _chunkers:
        from ideapump.embeddings import load_tokenizer

        tok = load_tokenizer(max_tokens=plan.count_max_tokens)
        _chunkers[key] = Chunker(
            lambda text: len(tok.encode(text, add_special_tokens=False).ids),
            chunk_tokens=plan.chunk_tokens,
            overlap=plan.overlap,
        )
    return _chunkers[key]


def warm_up(plan: PrepPlan) -> None:
    """Load what every file needs (tokenizer and its threads, the auditor's SciPy) by
    preparing a line of text: the worker's memory limit then bounds the files alone."""
    from ingest.loaders import Page

    text = "Warm up: t(28) = 2.20, p = .03."
    doc = LoadedDocument(Path("warm-up"), "text", "0" * 64, 0, [Page(1, text)], "warm up")
    chunker_for(plan).split(doc)
    audit(doc, plan.alpha)


def audit(doc: LoadedDocument, alpha: float) -> dict[str, Any] | None:
    """Statistics audit at ingest time, so a critique of an ingested paper is instant."""
    if doc.kind == "table":
        return None
    from ideapump.stats import check_pages

    report = check_pages(
        [(p.number, p.text) for p in doc.pages],
        alpha=alpha,
        doc_id=doc.doc_id,
        title=doc.title,
        source=str(doc.source),
    )
    return report.model_dump(mode="json")


def prepare(path: Path, plan: PrepPlan, data: bytes | None = None) -> Prepared:
    """Load, chunk and audit one file. Raises DocumentError with the reason it cannot be used."""
    t0 = time.perf_counter()
    doc = load_document(path, max_bytes=plan.max_bytes, data=data)
    t1 = time.perf_counter()
    chunks = chunker_for(plan).split(doc)
    if not chunks:
        raise DocumentError("no text to index after cleaning")
    t2 = time.perf_counter()
    stats = audit(doc, plan.alpha)
    t3 = time.perf_counter()
    return Prepared(doc, chunks, stats, {"extract": t1 - t0, "chunk": t2 - t1, "audit": t3 - t2})
