"""``Library``: one lab's documents, for the CLI, the API and notebooks.

from ideapump.library import Library
lib = Library.open("mylab")
lib.ingest(["papers/"])
for hit in lib.search("noradrenaline and exploration", k=5):
    print(hit.title, hit.page, hit.quote[:80])
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ideapump.config import Settings, check_library_name, get_settings
from ideapump.errors import InputError
from ideapump.models import DocumentInfo, IngestReport, Passage
from ideapump.store.registry import DocumentRow, Registry
from ideapump.store.vectors import ChunkHit, VectorStore

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ideapump.retrieval.hybrid import Mode
    from ingest.pipeline import IngestProgress


def to_info(row: DocumentRow) -> DocumentInfo:
    return DocumentInfo(
        doc_id=row.doc_id,
        library=row.library,
        title=row.title,
        authors=row.authors or [],
        year=row.year,
        doi=row.doi,
        kind=row.kind,
        source=row.source,
        pages=row.pages,
        chunks=row.chunks,
        size_bytes=row.size_bytes,
        ingested_at=row.ingested_at,
    )


class DocFacts(Protocol):
    """What a passage needs of its document: a registry row or a cached summary of one."""

    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def kind(self) -> str: ...


def to_passage(
    hit: ChunkHit,
    doc: DocFacts,
    *,
    digits: int = 4,
    signals: tuple[float | None, float | None] | None = None,
) -> Passage:
    """A stored chunk as a citable passage; ``signals``: the (cosine, BM25) it was ranked by."""
    m = hit.metadata
    dense, lexical = signals or (None, None)
    return Passage(
        doc_id=hit.doc_id,
        title=doc.title,
        source=doc.source,
        page=int(m["page_start"]),
        page_end=int(m["page_end"]),
        section=str(m.get("section", "")),
        score=round(hit.score, digits),
        quote=hit.text,
        chunk_id=hit.chunk_id,
        char_start=int(m["char_start"]),
        char_end=int(m["char_end"]),
        kind=doc.kind,
        dense_score=None if dense is None else round(dense, digits),
        lexical_score=None if lexical is None else round(lexical, digits),
    )


class Library:
    def __init__(
        self,
        settings: Settings,
        store: VectorStore,
        registry: Registry,
        retrieval_gate: AbstractContextManager[Any] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self.name = store.library
        #: Held around each retrieval (a semaphore shared by a server's libraries), or None.
        self.retrieval_gate = retrieval_gate

    @classmethod
    def open(
        cls,
        name: str | None = None,
        settings: Settings | None = None,
        *,
        embeddings: Embeddings | None = None,
        registry: Registry | None = None,
        retrieval_gate: AbstractContextManager[Any] | None = None,
    ) -> Library:
        settings = settings or get_settings()
        library = check_library_name(name or settings.library)
        store = settings.get_store(library, embeddings)
        return cls(settings, store, registry or settings.get_registry(), retrieval_gate)

    def retrieval_turn(self) -> AbstractContextManager[Any]:
        """Held while a search embeds its query and searches (the server's turn-taking)."""
        return self.retrieval_gate or nullcontext()

    # -- write ---------------------------------------------------------------
    def ingest(
        self, paths: Sequence[str | Path], progress: IngestProgress | None = None
    ) -> IngestReport:
        from ingest.pipeline import Pipeline

        if not paths:
            raise InputError("give at least one file or folder to ingest")
        return Pipeline(self.settings, self.store, self.registry).run(
            [Path(p) for p in paths], progress
        )

    def remove(self, doc_id: str) -> DocumentInfo:
        from ingest.pipeline import Pipeline

        row = self.registry.resolve(self.name, doc_id)
        Pipeline(self.settings, self.store, self.registry).remove(row.doc_id)
        return to_info(row)

    # -- read ----------------------------------------------------------------
    def papers(self) -> list[DocumentInfo]:
        return [to_info(r) for r in self.registry.complete(self.name)]

    def get(self, doc_id: str) -> DocumentRow:
        return self.registry.resolve(self.name, doc_id)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """Top-k passages, best first, by the one retriever every surface uses
        (:mod:`ideapump.retrieval`): ``mode`` is "hybrid" (dense and BM25 fused),
        "dense" or "lexical". ``doc_ids`` (when not empty) restricts the search.

        Only documents whose registry row is complete are returned: chunks of a
        document still being written (or left by a killed run) stay invisible.
        """
        from ideapump.retrieval import get_retriever

        return get_retriever(self).retrieve(query, k, doc_ids=doc_ids or None, mode=mode)

    def chunks(self, doc_id: str) -> list[Passage]:
        row = self.get(doc_id)
        return [to_passage(h, row) for h in self.store.get_chunks(row.doc_id)]
