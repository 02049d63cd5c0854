"""Hybrid retrieval: dense and BM25 scores mixed, then per-paper caps and MMR.

Dense similarity finds paraphrases; BM25 (:mod:`ideapump.retrieval.lexical`)
finds exact names and statistics. Both signals are computed for every
candidate either one proposes (the cosine from its stored vector, the BM25
score from the index), min-max normalized over the candidates and mixed half
and half (a convex combination: unlike reciprocal rank fusion it keeps a chunk
that BM25 alone finds, with a unique statistic, at the top). An optional
per-paper cap and/or maximal marginal relevance (MMR, on the stored vectors)
then spread the results over papers and content.

The BM25 index lives in memory, one per library and store, shared by every
``Retriever`` of that library, and on disk (:mod:`ideapump.retrieval.index_file`)
so that a new process starts from it instead of re-tokenizing the library. Each
call compares the registry's complete documents (id, chunk count, commit time)
with what the index holds: documents ingested since, by this process or any
other, are tokenized and added, removed ones dropped, the file rewritten, and
nothing is re-read otherwise. Only documents whose registry row is complete
are returned.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from sqlalchemy import select

from ideapump.errors import InputError
from ideapump.library import to_passage
from ideapump.models import Passage
from ideapump.retrieval import index_file
from ideapump.retrieval.lexical import LexicalIndex
from ideapump.store.registry import COMPLETE, DocumentRow
from ideapump.store.vectors import ChunkHit

if TYPE_CHECKING:
    from ideapump.library import Library

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense"]
DEFAULT_MODE: Mode = "hybrid"
#: weight of the dense score in the hybrid mix (the rest is BM25); 0.5 won on the bench
HYBRID_ALPHA = 0.5
_FETCH_BATCH = 2000
_MAX_INDEXES = 8

# -- index cache --------------------------------------------------------------

_INDEXES: OrderedDict[tuple[str, ...], LexicalIndex] = OrderedDict()
_INDEXES_LOCK = threading.Lock()


def _store_key(library: Library) -> tuple[str, ...]:
    s = library.settings
    where = (
        f"http://{s.store.chroma_host}:{s.store.chroma_port}"
        if s.store.chroma_mode == "http"
        else str(s.chroma_dir.resolve())
    )
    return (where, s.database_url, library.name)


def _shared_index(library: Library) -> LexicalIndex:
    key = _store_key(library)
    with _INDEXES_LOCK:
        index = _INDEXES.pop(key, None) or LexicalIndex()
        _INDEXES[key] = index  # most recently used last
        while len(_INDEXES) > _MAX_INDEXES:
            _INDEXES.popitem(last=False)
        return index


@dataclass(frozen=True)
class _DocMeta:
    title: str
    source: str
    kind: str


# -- retriever ----------------------------------------------------------------


class Retriever:
    """Dense + BM25 retrieval over one library, with score fusion, per-paper caps and MMR."""

    def __init__(
        self, library: Library, index: LexicalIndex | None = None, alpha: float = HYBRID_ALPHA
    ) -> None:
        self.library = library
        self.index = index or _shared_index(library)
        self.alpha = alpha
        self.index_path = index_file.path_for(
            library.settings.home, _store_key(library), library.name
        )

    # -- registry view ------------------------------------------------------
    def _complete_docs(self) -> dict[str, tuple[int, str, _DocMeta]]:
        """Complete documents, read without their page texts (light at any library size)."""
        cols = (
            DocumentRow.doc_id,
            DocumentRow.chunks,
            DocumentRow.ingested_at,
            DocumentRow.title,
            DocumentRow.source,
            DocumentRow.kind,
        )
        with self.library.registry.session() as s:
            rows = s.execute(
                select(*cols).where(
                    DocumentRow.library == self.library.name, DocumentRow.status == COMPLETE
                )
            ).all()
        return {
            r.doc_id: (
                int(r.chunks),
                r.ingested_at.isoformat(),
                _DocMeta(r.title, r.source, r.kind),
            )
            for r in rows
        }

    def _sync(self, docs: dict[str, tuple[int, str, _DocMeta]]) -> None:
        """Bring the BM25 index in line with the registry's complete documents."""
        signature = frozenset((d, n, at) for d, (n, at, _) in docs.items())
        index = self.index
        with index.lock:
            if signature == index.signature and index.builds:
                return
            if not index.builds and not index.docs:
                # First use in this process: start from the file an earlier one left.
                index_file.restore(index, self.index_path)
            held = {d: (n, at) for d, n, at in index.signature}
            stale = [d for d in index.docs if d not in docs or held.get(d) != docs[d][:2]]
            for doc_id in stale:
                del index.docs[doc_id]
            missing = [d for d in docs if d not in index.docs]
            for start in range(0, len(missing), 50):
                batch = missing[start : start + 50]
                for doc_id, chunks in self._fetch_texts(batch).items():
                    index.add_document(doc_id, chunks)
            index.rebuild()
            index.signature = signature
            if stale or missing:
                self._save()

    def _save(self) -> None:
        try:
            index_file.save(self.index, self.index_path)
        except (OSError, ValueError) as exc:
            # Searches go on from memory; the next process just rebuilds.
            log.warning("cannot write the BM25 index file %s: %s", self.index_path, exc)

    def _fetch_texts(self, doc_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        col = self.library.store.collection
        found: dict[str, list[tuple[int, str, str]]] = {d: [] for d in doc_ids}
        offset = 0
        while True:
            res = col.get(
                where={"doc_id": {"$in": doc_ids}},
                include=["documents", "metadatas"],
                limit=_FETCH_BATCH,
                offset=offset,
            )
            for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                found[str(meta["doc_id"])].append((int(meta.get("chunk_index", 0)), cid, text))
            if len(res["ids"]) < _FETCH_BATCH:
                break
            offset += _FETCH_BATCH
        return {d: [(cid, text) for _, cid, text in sorted(rows)] for d, rows in found.items()}

    # -- retrieval ------------------------------------------------------------
    def retrieve(
        self,
        query: str,
        k: int = 8,
        *,
        doc_ids: Sequence[str] | None = None,
        per_paper_cap: int | None = None,
        mode: Mode = DEFAULT_MODE,
        mmr_lambda: float | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first.

        ``mode="hybrid"`` mixes dense and BM25 scores (``score`` is the mix, in
        [0, 1]); ``"dense"`` is cosine similarity alone. ``doc_ids`` restricts the
        search to those documents. ``per_paper_cap`` keeps at most that many
        passages per document (so fewer than ``k`` may come back). ``mmr_lambda``
        in [0, 1] re-ranks by maximal marginal relevance on the stored vectors
        (1 = relevance only, lower = more diverse). An empty library gives [].
        """
        query = query.strip()
        if not query:
            raise InputError("the search query is empty")
        if k < 1 or k > 200:
            raise InputError("k must be between 1 and 200")
        if mode not in ("hybrid", "dense"):
            raise InputError(f"unknown retrieval mode {mode!r}: use 'hybrid' or 'dense'")
        if per_paper_cap is not None and per_paper_cap < 1:
            raise InputError("per_paper_cap must be at least 1")
        if mmr_lambda is not None and not 0.0 <= mmr_lambda <= 1.0:
            raise InputError("mmr_lambda must be between 0 and 1")

        docs = self._complete_docs()
        allowed = set(docs) if doc_ids is None else set(doc_ids) & set(docs)
        if not allowed:
            return []
        with self.library.retrieval_turn():
            pool = max(4 * k, 40)
            vector = np.asarray(self.library.store.embeddings.embed_query(query), np.float32)
            dense = self._dense(vector, pool, allowed, restrict=doc_ids is not None)
            if mode == "dense":
                hits = dense
                if mmr_lambda is not None:
                    hits = self._load(
                        [h.chunk_id for h in dense], {h.chunk_id: h.score for h in dense}
                    )
            else:
                self._sync(docs)
                subset = allowed if len(allowed) < len(docs) else None
                dense_ids = [h.chunk_id for h in dense]
                lexical = self.index.search(query, pool, subset, also=dense_ids)
                hits = self._load(list(dict.fromkeys([*dense_ids, *lexical])), {})
                hits = [h for h in hits if h.doc_id in allowed]
                fuse(vector, hits, lexical, self.alpha)
                hits.sort(key=lambda h: (-h.score, h.chunk_id))
            if mmr_lambda is not None:
                hits = mmr(hits, len(hits), mmr_lambda)
            chosen = cap_per_paper(hits, k, per_paper_cap)
            return [to_passage(h, docs[h.doc_id][2], digits=6) for h in chosen]

    def _dense(
        self, vector: np.ndarray, n: int, allowed: set[str], *, restrict: bool
    ) -> list[ChunkHit]:
        where = {"doc_id": {"$in": sorted(allowed)}} if restrict else None
        hits = self.library.store.query(vector.tolist(), n + 10, where)  # + unfinished docs
        return [h for h in hits if h.doc_id in allowed][:n]

    def _load(self, chunk_ids: list[str], scores: dict[str, float]) -> list[ChunkHit]:
        """Text, metadata and stored vector (``metadata["_vector"]``) of chunks, in order."""
        if not chunk_ids:
            return []
        res = self.library.store.collection.get(
            ids=chunk_ids, include=["documents", "metadatas", "embeddings"]
        )
        by_id: dict[str, ChunkHit] = {}
        for cid, text, meta, vec in zip(
            res["ids"], res["documents"], res["metadatas"], res["embeddings"], strict=True
        ):
            m = {**meta, "_vector": np.asarray(vec, np.float32)}
            by_id[cid] = ChunkHit(cid, str(meta["doc_id"]), text, scores.get(cid, 0.0), m)
        return [by_id[c] for c in chunk_ids if c in by_id]


# -- fusion and diversity -------------------------------------------------------


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min()) if len(x) else 0.0
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def fuse(query: np.ndarray, hits: list[ChunkHit], bm25: dict[str, float], alpha: float) -> None:
    """Set each hit's score to alpha * dense + (1 - alpha) * BM25, both min-max
    normalized over the hits; the dense score is the cosine to the stored vector."""
    if not hits:
        return
    vecs = np.stack([h.metadata["_vector"] for h in hits])
    cos = vecs @ query / (np.linalg.norm(vecs, axis=1) * np.linalg.norm(query) + 1e-12)
    lex = np.array([bm25.get(h.chunk_id, 0.0) for h in hits], np.float32)
    mixed = alpha * _minmax(cos) + (1.0 - alpha) * _minmax(lex)
    for h, score in zip(hits, mixed, strict=True):
        h.score = float(score)


def mmr(hits: list[ChunkHit], k: int, lam: float) -> list[ChunkHit]:
    """Maximal marginal relevance: relevance is each hit's score (the fused score in
    hybrid mode, the cosine in dense mode), redundancy the cosine between stored vectors."""
    if not hits:
        return []
    vecs = np.stack([h.metadata["_vector"] for h in hits])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
    rel = np.array([h.score for h in hits], np.float32)
    chosen: list[int] = []
    redundancy = np.zeros(len(hits), np.float32)
    left = np.ones(len(hits), bool)
    for _ in range(min(k, len(hits))):
        score = np.where(left, lam * rel - (1.0 - lam) * redundancy, -np.inf)
        i = int(np.argmax(score))
        chosen.append(i)
        left[i] = False
        redundancy = np.maximum(redundancy, vecs @ vecs[i])
    return [hits[i] for i in chosen]


def cap_per_paper(hits: Sequence[ChunkHit], k: int, cap: int | None) -> list[ChunkHit]:
    """The first ``k`` hits, keeping at most ``cap`` per document."""
    out: list[ChunkHit] = []
    per_doc: dict[str, int] = {}
    for h in hits:
        if cap is not None and per_doc.get(h.doc_id, 0) >= cap:
            continue
        per_doc[h.doc_id] = per_doc.get(h.doc_id, 0) + 1
        out.append(h)
        if len(out) == k:
            break
    return out


_RETRIEVERS: weakref.WeakKeyDictionary[Any, Retriever] = weakref.WeakKeyDictionary()


def get_retriever(library: Library) -> Retriever:
    """The library's retriever; its BM25 index is shared by every Library on the same store."""
    with _INDEXES_LOCK:
        found = _RETRIEVERS.get(library)
    if found is None:
        found = Retriever(library)
        with _INDEXES_LOCK:
            _RETRIEVERS[library] = found
    return found
