"""Pydantic models the library returns to the CLI, the API and notebooks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DocumentInfo(BaseModel):
    doc_id: str = Field(description="Content hash (first 16 hex digits of the file's sha256).")
    library: str
    title: str
    authors: list[str] = []
    year: int | None = None
    doi: str | None = None
    kind: Literal["pdf", "markdown", "text", "table"]
    source: str = Field(description="Path the document was ingested from.")
    pages: int
    chunks: int
    size_bytes: int
    ingested_at: datetime


class Passage(BaseModel):
    """A retrieved chunk: enough to cite paper, page and verbatim quote."""

    doc_id: str
    title: str
    source: str
    page: int = Field(description="Page the passage starts on (1-based).")
    page_end: int
    section: str = ""
    score: float = Field(description="Relevance score (higher is better).")
    quote: str = Field(description="The chunk text, verbatim from the stored page text.")
    chunk_id: str
    char_start: int = Field(description="Offset of the quote in the start page's text.")
    char_end: int = Field(description="Offset just past the quote in the end page's text.")
    kind: str = "pdf"
    dense_score: float | None = Field(
        None, description="Cosine similarity to the query (None when not computed: lexical mode)."
    )
    lexical_score: float | None = Field(
        None, description="BM25 score for the query (None when not computed: dense mode)."
    )


IngestStatus = Literal["ingested", "replaced", "unchanged", "failed", "skipped"]


class IngestOutcome(BaseModel):
    path: str
    status: IngestStatus
    doc_id: str | None = None
    title: str | None = None
    pages: int = 0
    chunks: int = 0
    reason: str | None = None
    seconds: float = 0.0


class IngestTimings(BaseModel):
    """Seconds per step. Extraction, chunking and the audit run in the worker,
    overlapped with embedding; ``wait_s`` is how long the main process waited for them."""

    extract_s: float = 0.0
    chunk_s: float = 0.0
    audit_s: float = 0.0
    wait_s: float = 0.0
    embed_s: float = 0.0
    store_s: float = 0.0
    other_s: float = 0.0


class IngestReport(BaseModel):
    library: str
    outcomes: list[IngestOutcome] = []
    timings: IngestTimings = Field(default_factory=IngestTimings)

    def count(self, status: IngestStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)
