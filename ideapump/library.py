"""``Library``: one lab's documents, for the CLI, the API and notebooks.

from ideapump.runtime import Runtime
lib = Runtime.from_env().library("mylab")
lib.ingest(["papers/"])
for hit in lib.search("noradrenaline and exploration", k=5):
    print(hit.title, hit.page, hit.quote[:80])
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ideapump.config import Settings
from ideapump.errors import InputError
from ideapump.models import DocumentInfo, IngestReport, Passage
from ideapump.store.registry import DocumentRow, Registry
from ideapump.store.vectors import ChunkHit, VectorStore

if TYPE_CHECKING:
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


def to_passage(hit: ChunkHit, doc: DocFacts, *, digits: int = 4) -> Passage:
    m = hit.metadata
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
        self, query: str, k: int = 5, *, doc_ids: Sequence[str] | None = None
    ) -> list[Passage]:
        """Top-k passages by dense similarity, best first.

        Only documents whose registry row is complete are returned: chunks of a
        document still being written (or left by a killed run) stay invisible.
        """
        query = query.strip()
        if not query:
            raise InputError("the search query is empty")
        if k < 1 or k > 200:
            raise InputError("k must be between 1 and 200")
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        with self.retrieval_turn():
            vector = self.store.embeddings.embed_query(query)
            hits = self.store.query(vector, k + 10, where)
        rows = self.registry.titles(self.name, {h.doc_id for h in hits})
        passages = [to_passage(h, rows[h.doc_id]) for h in hits if h.doc_id in rows]
        return passages[:k]

    def chunks(self, doc_id: str) -> list[Passage]:
        row = self.get(doc_id)
        return [to_passage(h, row) for h in self.store.get_chunks(row.doc_id)]
