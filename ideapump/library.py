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
from typing import TYPE_CHECKING, Any

from ideapump.config import Settings
from ideapump.errors import InputError
from ideapump.models import DocumentInfo, IngestReport, Passage
from ideapump.retrieval.hybrid import Retriever
from ideapump.store.registry import DocumentRow, Registry
from ideapump.store.vectors import VectorStore, to_passage

if TYPE_CHECKING:
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
        self._retriever: Retriever | None = None

    @property
    def retriever(self) -> Retriever:
        """The one retriever of this library (dense + BM25), built on first use."""
        if self._retriever is None:
            self._retriever = Retriever(self)
        return self._retriever

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
        return self.retriever.retrieve(query, k, doc_ids=doc_ids or None, mode=mode)

    def unused_words(self, text: str) -> list[str]:
        """Words of ``text`` that no complete document of this library uses."""
        return self.retriever.unused_words(text)

    def chunks(self, doc_id: str) -> list[Passage]:
        row = self.get(doc_id)
        return [to_passage(h, row) for h in self.store.get_chunks(row.doc_id)]
