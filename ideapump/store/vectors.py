"""Chroma: one collection per library, holding chunk text, vectors and metadata.

Embedded (``PersistentClient`` under HOME/chroma) by default; a Chroma server
(``HttpClient``) when ``store.chroma_mode = http``, which is how several API
workers and machines share one store. The embedding model's name and
dimension are recorded in the collection's metadata; opening it with another
model raises :class:`EmbeddingMismatchError` instead of mixing vector spaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ideapump.errors import EmbeddingMismatchError, IdeaPumpError, StoreError
from ideapump.models import Passage
from ideapump.store.failures import GuardedCollection, full_error, is_disk_full, store_errors

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ideapump.config import Settings
    from ingest.chunking import Chunk

COLLECTION_PREFIX = "ideapump_"
_ADD_BATCH = 1000


@dataclass
class ChunkHit:
    chunk_id: str
    doc_id: str
    text: str
    score: float
    metadata: dict[str, Any]


CHROMA_SETTING = "IDEAPUMP_STORE__CHROMA_MODE / IDEAPUMP_STORE__CHROMA_HOST"


def chroma_where(settings: Settings) -> str:
    """How an error names the Chroma store: the server's address, or the folder."""
    if settings.store.chroma_mode == "http":
        return f"the Chroma server at {settings.store.chroma_host}:{settings.store.chroma_port}"
    return f"the Chroma store at {settings.chroma_dir}"


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.store.chroma_mode == "http":
            return chromadb.HttpClient(
                host=settings.store.chroma_host,
                port=settings.store.chroma_port,
                ssl=settings.store.chroma_ssl,
                settings=chroma_settings,
            )
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        if is_disk_full(exc):
            raise full_error(chroma_where(settings), exc) from None
        raise StoreError(
            f"cannot open {chroma_where(settings)}: {exc}", setting=CHROMA_SETTING
        ) from None


class VectorStore:
    def __init__(self, collection: Any, library: str, embeddings: Embeddings, client: Any) -> None:
        self.collection = collection
        self.library = library
        self.embeddings = embeddings
        self.client = client

    @classmethod
    def open(
        cls, client: Any, library: str, embeddings: Embeddings, settings: Settings
    ) -> VectorStore:
        """The collection of ``library`` on ``client`` (:func:`make_client`), created if new.

        ``settings`` only name the store in errors (its address or folder, whose disk
        may fill up).
        """
        model = getattr(embeddings, "model_name", type(embeddings).__name__)
        where = chroma_where(settings)
        disk = settings.chroma_dir if settings.store.chroma_mode == "embedded" else None
        try:
            with store_errors(where, CHROMA_SETTING, disk):
                raw = client.get_or_create_collection(
                    COLLECTION_PREFIX + library,
                    metadata={"embedding_model": model, "library": library},
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=None,
                )
        except IdeaPumpError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open collection for library {library!r}: {exc}") from None
        # Every call on the collection (here, in hybrid retrieval, in the BM25 sync)
        # maps an outage to StoreError (503, retry) and a full disk to StorageFullError.
        collection = GuardedCollection(raw, where, CHROMA_SETTING, disk)
        recorded = (collection.metadata or {}).get("embedding_model")
        if recorded and recorded != model:
            raise EmbeddingMismatchError(
                f"library {library!r} was built with embedding model {recorded!r}, but the "
                f"configured model is {model!r}; set the embeddings back, or ingest into a new "
                "library (--library) or a new IDEAPUMP_HOME",
                setting="IDEAPUMP_EMBEDDINGS__PROVIDER / IDEAPUMP_EMBEDDINGS__MODEL",
            )
        return cls(collection, library, embeddings, client)

    @property
    def model_name(self) -> str:
        return str((self.collection.metadata or {}).get("embedding_model", ""))

    def _check_dimension(self, dim: int) -> None:
        meta = dict(self.collection.metadata or {})
        recorded = meta.get("embedding_dim")
        if recorded is None:
            meta["embedding_dim"] = dim
            # Chroma rejects hnsw settings in modify(); only send our own keys.
            self.collection.modify(
                metadata={k: v for k, v in meta.items() if not k.startswith("hnsw:")}
            )
        elif int(recorded) != dim:
            raise EmbeddingMismatchError(
                f"library {self.library!r} holds {recorded}-dimensional vectors but the embedding "
                f"model returned {dim}",
                setting="IDEAPUMP_EMBEDDINGS__MODEL",
            )

    def add(
        self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], extra: dict[str, Any]
    ) -> None:
        if not chunks:
            return
        self._check_dimension(len(vectors[0]))
        for start in range(0, len(chunks), _ADD_BATCH):
            part = chunks[start : start + _ADD_BATCH]
            self.collection.upsert(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                embeddings=[list(v) for v in vectors[start : start + _ADD_BATCH]],
                metadatas=[
                    {
                        **extra,
                        "doc_id": c.doc_id,
                        "chunk_index": c.index,
                        "section": c.section,
                        "page_start": c.page_start,
                        "page_end": c.page_end,
                        "char_start": c.char_start,
                        "char_end": c.char_end,
                    }
                    for c in part
                ],
            )

    def delete_ids(self, chunk_ids: Sequence[str]) -> None:
        for start in range(0, len(chunk_ids), _ADD_BATCH):
            self.collection.delete(ids=list(chunk_ids[start : start + _ADD_BATCH]))

    def delete_document(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def count(self, doc_id: str | None = None) -> int:
        if doc_id is None:
            return int(self.collection.count())
        return len(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def query(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[ChunkHit]:
        if k <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(vector)],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for cid, text, meta, dist in zip(
            res["ids"][0],
            res["documents"][0],
            res["metadatas"][0],
            res["distances"][0],
            strict=True,
        ):
            hits.append(ChunkHit(cid, str(meta["doc_id"]), text, 1.0 - float(dist), dict(meta)))
        return hits

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored embeddings of these chunks (missing ids are left out)."""
        if not chunk_ids:
            return {}
        res = self.collection.get(ids=list(chunk_ids), include=["embeddings"])
        return {
            cid: [float(x) for x in vec]
            for cid, vec in zip(res["ids"], res["embeddings"], strict=True)
        }

    def get_chunks(self, doc_id: str) -> list[ChunkHit]:
        res = self.collection.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        hits = [
            ChunkHit(cid, doc_id, text, 0.0, dict(meta))
            for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        ]
        return sorted(hits, key=lambda h: int(h.metadata.get("chunk_index", 0)))

    def as_langchain(self) -> Any:
        """The same collection as a langchain VectorStore (retrievers, MMR)."""
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client,
            collection_name=self.collection.name,
            embedding_function=self.embeddings,
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
