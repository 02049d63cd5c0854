"""One retriever for every surface: dense, BM25 or both, mixed by their scores.

Dense similarity finds paraphrases; BM25 (:mod:`ideapump.retrieval.lexical`)
finds exact names and statistics. Both index a chunk with its paper's title and
section heading (:mod:`ideapump.retrieval.context`). In hybrid mode (the default,
for the CLI, the API, ``Library.search``, the agent and the digest alike) each
candidate either signal proposes gets a weighted mean of its cosine (from the
stored vector) and its BM25 score over the best the query allows (see
:func:`score`). Passages whose pages are all shown by better ones already move
down (page diversity); an optional per-paper cap and/or maximal marginal
relevance (MMR, on the stored vectors) then spread the results further.

Why these choices, by bench/retrieval.py (100 questions, page recall@5): min-max
score mixing 0.75, rank fusion 0.77; with title and section in both indexes 0.84;
page diversity 0.86; BM25 k1 = 0.6 0.89; BM25 as a share of its best possible
score, mixed with the cosine, instead of rank fusion 0.90 (0.85 -> 0.89 on the
older 53 questions). BM25 over whole pages, the plain peer, 0.78. A per-paper cap
costs recall (0.68 with 2 per paper), so it stays opt-in.

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
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from sqlalchemy import select

from ideapump.errors import InputError
from ideapump.models import Passage
from ideapump.retrieval import index_file
from ideapump.retrieval.context import CHUNK_CONTEXT, context_text
from ideapump.retrieval.lexical import LexicalIndex, numeric_share
from ideapump.store.registry import COMPLETE, DocumentRow
from ideapump.store.vectors import ChunkHit, to_passage

if TYPE_CHECKING:
    from ideapump.library import Library

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
DEFAULT_MODE: Mode = "hybrid"
#: Weight of the query's BM25 share beside the cosine (weight 1) in hybrid mode.
LEXICAL_WEIGHT = 0.75
# Sections that say who helped, who paid and where the files are, not what was found.
BACK_MATTER = re.compile(
    r"(?i)acknowledg|funding|financial support|competing interest|conflicts? of interest"
    r"|author(s'|'s)? contributions?|declaration|disclosure|data availability|abbreviations"
    r"|additional files|supplementary"
)
#: A back-matter chunk's score is multiplied by this unless the query asks about back matter.
#: Its text is short, so the paper's title (embedded and indexed with every chunk) makes up
#: most of it: "how does noradrenaline shape exploration?" ranked Dubois' "Data availability"
#: first, 0.522 against the Discussion's 0.521.
BACK_MATTER_FACTOR = 0.9
#: A chunk with fewer words is a heading cut off from its text ("Materials and methods",
#: "2. Method"): no passage to read or quote, though the title it is indexed with makes
#: it score like the paper. The offline model quoted it as its citation and a proposal
#: was dropped.
MIN_PASSAGE_WORDS = 5
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

    def __init__(self, library: Library, index: LexicalIndex | None = None) -> None:
        self.library = library
        self.index = index or _shared_index(library)
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

    def unused_words(self, text: str) -> list[str]:
        """Words of ``text`` that no chunk of this library holds
        (:meth:`~ideapump.retrieval.lexical.LexicalIndex.unused`)."""
        self._sync(self._complete_docs())
        return self.index.unused(text)

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
                for doc_id, (chunks, context) in self._fetch_texts(batch).items():
                    index.add_document(doc_id, chunks, context=context)
            index.rebuild()
            index.signature = signature
            if stale or missing:
                self._save()
            self._warn_old_embeddings()

    def _warn_old_embeddings(self) -> None:
        old = [d for d, terms in self.index.docs.items() if not terms.context]
        if old and not self.index.warned_context:
            self.index.warned_context = True
            log.warning(
                "library %r: %d document(s) were embedded by an older IdeaPump without their "
                "title and section; search works, but ingest their files again to re-embed "
                "them for better ranking",
                self.library.name,
                len(old),
            )

    def _save(self) -> None:
        try:
            index_file.save(self.index, self.index_path)
        except (OSError, ValueError) as exc:
            # Searches go on from memory; the next process just rebuilds.
            log.warning("cannot write the BM25 index file %s: %s", self.index_path, exc)

    def _fetch_texts(self, doc_ids: list[str]) -> dict[str, tuple[list[tuple[str, str]], bool]]:
        """Per document: its chunks' (id, indexed text) in order, and whether its
        vectors were embedded with chunk context."""
        col = self.library.store.collection
        found: dict[str, list[tuple[int, str, str]]] = {d: [] for d in doc_ids}
        context = dict.fromkeys(doc_ids, True)
        offset = 0
        while True:
            res = col.get(
                where={"doc_id": {"$in": doc_ids}},
                include=["documents", "metadatas"],
                limit=_FETCH_BATCH,
                offset=offset,
            )
            for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                doc_id = str(meta["doc_id"])
                full = context_text(str(meta.get("title", "")), str(meta.get("section", "")), text)
                found[doc_id].append((int(meta.get("chunk_index", 0)), cid, full))
                if int(meta.get("ctx", 0)) < CHUNK_CONTEXT:
                    context[doc_id] = False
            if len(res["ids"]) < _FETCH_BATCH:
                break
            offset += _FETCH_BATCH
        return {
            d: ([(cid, text) for _, cid, text in sorted(rows)], context[d])
            for d, rows in found.items()
        }

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

        ``mode="hybrid"`` fuses the dense and BM25 rankings (``score`` in (0, 1]:
        1 is first in both); ``"dense"`` ranks by cosine similarity alone and
        ``"lexical"`` by BM25 alone (``score`` is that signal). Each passage also
        carries the signals it was ranked by (``dense_score``, ``lexical_score``).
        ``doc_ids`` restricts the search to those documents. ``per_paper_cap``
        keeps at most that many passages per document (so fewer than ``k`` may
        come back). ``mmr_lambda`` in [0, 1] re-ranks by maximal marginal relevance
        on the stored vectors (1 = relevance only, lower = more diverse). An empty
        library gives [].
        """
        query = query.strip()
        if not query:
            raise InputError("the search query is empty")
        if k < 1 or k > 200:
            raise InputError("k must be between 1 and 200")
        if mode not in MODES:
            raise InputError(f"unknown retrieval mode {mode!r}: use one of {', '.join(MODES)}")
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
            vector = None
            if mode != "lexical":
                vector = np.asarray(self.library.store.embeddings.embed_query(query), np.float32)
            if mode != "dense":
                self._sync(docs)
            numeric = numeric_share(query)
            chosen: list[ChunkHit] = []
            signals: dict[str, tuple[float | None, float | None]] = {}
            restrict = doc_ids is not None
            # With a per-paper cap, one paper's chunks can fill the whole candidate pool
            # (its title is in every one of them): search the other papers again.
            for _ in range(3 if per_paper_cap else 1):
                hits, found = self._rank(
                    query, vector, allowed, restrict, pool, mode, numeric, mmr_lambda is not None
                )
                signals.update(found)
                taken = {h.chunk_id for h in chosen}
                hits = [h for h in hits if h.chunk_id not in taken]
                if mmr_lambda is not None and all("_vector" in h.metadata for h in hits):
                    hits = mmr(hits, len(hits), mmr_lambda)
                chosen = cap_per_paper([*chosen, *hits], k, per_paper_cap)
                shown = Counter(h.doc_id for h in chosen)
                full = {d for d, n in shown.items() if n >= (per_paper_cap or 1)}
                # Only papers at their cap hid candidates; without one the pool is spent.
                if len(chosen) == k or not full or not allowed - full:
                    break
                allowed, restrict = allowed - full, True
            return [
                to_passage(h, docs[h.doc_id][2], digits=6, signals=signals.get(h.chunk_id))
                for h in chosen
            ]

    def _rank(
        self,
        query: str,
        vector: np.ndarray | None,
        allowed: set[str],
        restrict: bool,
        pool: int,
        mode: Mode,
        numeric: float,
        vectors: bool,
    ) -> tuple[list[ChunkHit], dict[str, tuple[float | None, float | None]]]:
        """Candidates from ``allowed`` documents, scored and ordered, with their signals
        (``vectors``: load the stored vectors, which MMR needs, in dense mode too)."""
        dense: list[ChunkHit] = []
        lexical: dict[str, float] = {}
        if vector is not None:
            dense = self._dense(vector, pool, allowed, restrict=restrict)
        if mode != "dense":
            subset = allowed if restrict or len(allowed) < len(self.index.docs) else None
            lexical = self.index.search(query, pool, subset, also=[h.chunk_id for h in dense])
        if mode == "dense" and not vectors:
            hits = dense  # the store's answer carries all a passage needs
        else:
            ids = list(dict.fromkeys([*(h.chunk_id for h in dense), *lexical]))
            hits = [h for h in self._load(ids) if h.doc_id in allowed]
        hits = [h for h in hits if len(h.text.split()) >= MIN_PASSAGE_WORDS]
        signals = score(
            hits,
            vector,
            lexical,
            mode,
            numeric,
            {h.chunk_id: h.score for h in dense},
            self.index.best_possible(query) if lexical else 0.0,
        )
        if not BACK_MATTER.search(query):
            for h in hits:
                if BACK_MATTER.search(str(h.metadata.get("section", ""))) or BACK_MATTER.search(
                    h.text[:80]
                ):
                    h.score *= BACK_MATTER_FACTOR
        hits.sort(key=lambda h: (-h.score, h.chunk_id))
        return spread_pages(hits), signals

    def _dense(
        self, vector: np.ndarray, n: int, allowed: set[str], *, restrict: bool
    ) -> list[ChunkHit]:
        where = {"doc_id": {"$in": sorted(allowed)}} if restrict else None
        hits = self.library.store.query(vector.tolist(), n + 10, where)  # + unfinished docs
        return [h for h in hits if h.doc_id in allowed][:n]

    def _load(self, chunk_ids: list[str]) -> list[ChunkHit]:
        """Text, metadata and stored vector (``metadata["_vector"]``) of chunks, in order."""
        if not chunk_ids:
            return []
        col = self.library.store.collection
        try:
            res = col.get(ids=chunk_ids, include=["documents", "metadatas", "embeddings"])
        except Exception as exc:  # chromadb raises its own InternalError
            # An embedded store written by another process since this one opened it
            # can fail to read vectors ("Error finding id") while texts still read:
            # rank without the stored vectors (the dense query's cosines stand in).
            log.warning("cannot read stored vectors (%s); ranking without them", exc)
            res = col.get(ids=chunk_ids, include=["documents", "metadatas"])
            res["embeddings"] = [None] * len(res["ids"])
        by_id: dict[str, ChunkHit] = {}
        for cid, text, meta, vec in zip(
            res["ids"], res["documents"], res["metadatas"], res["embeddings"], strict=True
        ):
            m = dict(meta) if vec is None else {**meta, "_vector": np.asarray(vec, np.float32)}
            by_id[cid] = ChunkHit(cid, str(meta["doc_id"]), text, 0.0, m)
        return [by_id[c] for c in chunk_ids if c in by_id]


# -- fusion and diversity -------------------------------------------------------


def score(
    hits: list[ChunkHit],
    query: np.ndarray | None,
    bm25: dict[str, float],
    mode: Mode,
    numeric: float = 0.0,
    dense_cos: dict[str, float] | None = None,
    bm25_max: float = 0.0,
) -> dict[str, tuple[float | None, float | None]]:
    """Set each hit's score for ``mode``; return each hit's (cosine, BM25) signals.

    Hybrid: a weighted mean of the cosine (negative ones as 0) and the BM25 score
    over ``bm25_max``, the best score the query allows
    (:meth:`~ideapump.retrieval.lexical.LexicalIndex.best_possible`): the
    idf-weighted share of the query's terms a chunk holds, in [0, 1] on a scale
    that is the same for every query, so the score is in [0, 1].

    Why not ranks: reciprocal rank fusion (the earlier way) gave a chunk second by
    cosine but 37th by BM25 less than one 8th and 15th, even where the BM25 scores
    of all of them were within a point (a paper's title words, in every one of its
    chunks, make most of them): a difference of ranks with no difference of
    evidence. Min-max normalized scores (before that) stretch such a flat spread
    to [0, 1] all the same. Page recall@5 on bench/retrieval.py: rank fusion 0.89
    on its 100 questions and 0.85 on the older 53, this mixing 0.90 and 0.89
    (``LEXICAL_WEIGHT`` 0.6-0.9 all give 0.90-0.91 and 0.89-0.91).

    ``numeric`` (the query's share of numbers and statistic heads,
    :func:`numeric_share`) moves weight from the cosine to BM25: the embedding
    blurs numbers, and a pasted ``F(2, 378) = 128.12`` must find the chunk that
    reports it, not its topic.
    """
    if not hits:
        return {}
    dense_cos = dense_cos or {}
    cos: np.ndarray | None = None
    if query is not None:
        qn = float(np.linalg.norm(query)) + 1e-12
        # The stored vector's cosine, else the store's own (a dense hit whose vector
        # was not read), else lowest: a BM25-only candidate without a readable vector.
        cos = np.array(
            [
                float(h.metadata["_vector"] @ query)
                / (float(np.linalg.norm(h.metadata["_vector"])) * qn + 1e-12)
                if "_vector" in h.metadata
                else dense_cos.get(h.chunk_id, -1.0)
                for h in hits
            ],
            np.float32,
        )
    lex = np.array([bm25.get(h.chunk_id, 0.0) for h in hits], np.float32) if bm25 else None
    if mode == "hybrid" and cos is not None and lex is not None:
        w_dense, w_lex = 1.0 - numeric, LEXICAL_WEIGHT * (1.0 + numeric)
        share = lex / bm25_max if bm25_max > 0 else np.zeros_like(lex)
        final = (w_dense * np.clip(cos, 0.0, 1.0) + w_lex * np.clip(share, 0.0, 1.0)) / (
            w_dense + w_lex
        )
    else:
        final = cos if cos is not None else lex
    signals: dict[str, tuple[float | None, float | None]] = {}
    for i, h in enumerate(hits):
        h.score = float(final[i])
        signals[h.chunk_id] = (
            None if cos is None else float(cos[i]),
            None if lex is None else float(lex[i]),
        )
    return signals


def spread_pages(hits: Sequence[ChunkHit]) -> list[ChunkHit]:
    """Move a passage whose pages all appear in better-ranked passages of its paper
    behind the others, in order: overlapping neighbours of one page otherwise fill
    the top k with one place. Page recall@5 on the bench: 0.84 without, 0.86 with."""
    seen: set[tuple[str, int]] = set()
    first: list[ChunkHit] = []
    later: list[ChunkHit] = []
    for h in hits:
        m = h.metadata
        pages = {(h.doc_id, n) for n in range(int(m["page_start"]), int(m["page_end"]) + 1)}
        (later if pages <= seen else first).append(h)
        seen |= pages
    return first + later


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


def get_retriever(library: Library) -> Retriever:
    """The library's retriever (:attr:`Library.retriever`); its BM25 index is shared by
    every Library on the same store."""
    return library.retriever
