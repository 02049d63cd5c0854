"""The BM25 index on disk, so a new process does not re-tokenize the whole library.

One file per library and store: ``HOME/bm25/<library>-<key>.npz``, where the key
hashes the Chroma location, the registry URL and the library name (a home that
has pointed at two stores never mixes them, and no URL or password is written).
Several processes sharing a home share the file; each keeps its own copy in
memory and rewrites the file after it has brought that copy up to date.

The file holds a :class:`~ideapump.retrieval.lexical.LexicalIndex`'s per-document
bags and the registry signature (document id, chunk count, commit time) they
were made from. It is only a head start: the caller still compares that
signature with the registry's complete documents on every search, drops
documents removed since and tokenizes the ones added, so a stale file costs
time, never correctness.

Format: a NumPy ``.npz`` of plain arrays read with ``allow_pickle=False``, so
loading a tampered file cannot run code. Strings (vocabulary, ids, commit times)
are newline-joined UTF-8; none of them can hold a newline (tokens are runs of
letters, digits and punctuation, ids are hex, times ISO 8601). A file that is
missing, truncated, inconsistent or from another format or tokenizer version is
ignored with a warning and the index is rebuilt. Writes go to a temporary file
in the same folder, then ``os.replace``: a kill mid-write leaves the old file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ideapump.retrieval.lexical import DocTerms, LexicalIndex, tokenize

log = logging.getLogger(__name__)

#: Bump when the layout changes, or when the tokenizer changes in a way the probe misses.
#: 2: chunks are indexed with their title and section; per-document ``doc_ctx`` flags.
FORMAT = 2
# Tokenized into the fingerprint, so a tokenizer change invalidates old files by itself.
_PROBE = (
    "Propranolol (IL-6, 5-HTTLPR): t (40) = -3.525, F(2, 378) = 128.12, F2,407 = 12.61, "
    "X2 (1, N=93) = 6.43, p < .001; Mathôt's pupils \u2212 studies of analysis, α-synuclein; "
    "three groups."
)
# Temporary files older than this are leftovers of a killed writer, not a live one.
_STALE_TMP_S = 3600.0


def fingerprint() -> str:
    probe = "\n".join(tokenize(_PROBE))
    return hashlib.sha256(f"{FORMAT}\n{probe}".encode()).hexdigest()[:16]


def path_for(home: Path, store_key: Sequence[str], library: str) -> Path:
    key = hashlib.sha256("\n".join(store_key).encode()).hexdigest()[:12]
    return home / "bm25" / f"{library}-{key}.npz"


def _pack(strings: Sequence[str]) -> np.ndarray:
    if any("\n" in s for s in strings):
        raise ValueError("a string to store holds a newline")
    return np.frombuffer("\n".join(strings).encode(), np.uint8)


def _unpack(blob: np.ndarray, n: int) -> list[str]:
    out = blob.tobytes().decode().split("\n") if n else []
    if len(out) != n:
        raise ValueError(f"expected {n} strings, found {len(out)}")
    return out


# -- write --------------------------------------------------------------------


def _arrays(index: LexicalIndex) -> dict[str, np.ndarray]:
    """The index's bags and signature as flat arrays, its vocabulary cut to used terms."""
    held = {d: (n, at) for d, n, at in index.signature}
    doc_ids = sorted(index.docs)
    if set(doc_ids) != set(held):
        raise ValueError("the index's documents and signature disagree")
    parts = [index.docs[d] for d in doc_ids]
    terms = np.concatenate([p.terms for p in parts] or [np.zeros(0, np.int32)])
    counts = np.concatenate([p.counts for p in parts] or [np.zeros(0, np.float32)])
    # Removed documents' terms stay in the in-memory vocabulary; the file drops them.
    used, new_ids = np.unique(terms, return_inverse=True)
    words = [""] * len(index.vocab)
    for word, i in index.vocab.items():
        words[i] = word
    return {
        "fingerprint": np.array(fingerprint()),
        "n_vocab": np.array(len(used), np.int64),
        "vocab": _pack([words[i] for i in used]),
        "doc_ids": _pack(doc_ids),
        "doc_n": np.array([held[d][0] for d in doc_ids], np.int64),
        "doc_at": _pack([held[d][1] for d in doc_ids]),
        "doc_chunks": np.array([len(p.chunk_ids) for p in parts], np.int64),
        "doc_ctx": np.array([p.context for p in parts], np.bool_),
        "chunk_ids": _pack([c for p in parts for c in p.chunk_ids]),
        "chunk_terms": np.concatenate(
            [np.diff(p.indptr) for p in parts] or [np.zeros(0, np.int64)]
        ).astype(np.int32),
        "terms": new_ids.astype(np.int32),
        # A term repeats at most a few hundred times in one chunk; uint16 halves the file.
        "counts": np.minimum(counts, 65535).astype(np.uint16),
    }


def save(index: LexicalIndex, path: Path) -> None:
    """Write the index atomically; raises OSError (or ValueError) and leaves the old file."""
    arrays: dict[str, Any] = _arrays(index)
    path.parent.mkdir(parents=True, exist_ok=True)
    _drop_stale_temps(path)
    # Not mkstemp: its 0600 would keep other users' workers sharing this home out.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as f:
            np.savez(f, allow_pickle=False, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _drop_stale_temps(path: Path) -> None:
    now = time.time()
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > _STALE_TMP_S:
                tmp.unlink()


# -- read ---------------------------------------------------------------------


def restore(index: LexicalIndex, path: Path) -> bool:
    """Fill an empty ``index`` from ``path``; False (index untouched) when there is no
    usable file. The caller must still sync the result with the registry."""
    if not path.exists():
        return False
    try:
        vocab, docs, signature = _read(path)
    except Exception as exc:  # a bad cache is never worth a failed search
        log.warning("ignoring the BM25 index file %s (%s); rebuilding it", path, exc)
        return False
    index.vocab, index.docs, index.signature = vocab, docs, signature
    index.matrix = None
    index.loads += 1
    return True


def _read(
    path: Path,
) -> tuple[dict[str, int], dict[str, DocTerms], frozenset[tuple[str, int, str]]]:
    with np.load(path, allow_pickle=False) as z:
        if str(z["fingerprint"]) != fingerprint():
            raise ValueError("written by another format or tokenizer version")
        doc_n, doc_chunks, doc_ctx = z["doc_n"], z["doc_chunks"], z["doc_ctx"]
        n_docs = len(doc_n)
        n_chunks = int(doc_chunks.sum())
        doc_ids = _unpack(z["doc_ids"], n_docs)
        doc_at = _unpack(z["doc_at"], n_docs)
        chunk_terms = z["chunk_terms"].astype(np.int64)
        terms = z["terms"].astype(np.int32)
        counts = z["counts"].astype(np.float32)
        words = _unpack(z["vocab"], int(z["n_vocab"]))
        chunk_ids = _unpack(z["chunk_ids"], n_chunks)
    if len(doc_chunks) != n_docs or len(doc_ctx) != n_docs or (doc_chunks < 0).any():
        raise ValueError("document counts disagree")
    if len(chunk_terms) != n_chunks:
        raise ValueError("document and chunk counts disagree")
    if (chunk_terms < 0).any() or int(chunk_terms.sum()) != len(terms) or len(counts) != len(terms):
        raise ValueError("chunk and term counts disagree")
    if len(terms) and (int(terms.min()) < 0 or int(terms.max()) >= len(words)):
        raise ValueError("a term id is out of the vocabulary")
    vocab = {w: i for i, w in enumerate(words)}
    if len(vocab) != len(words) or len(set(doc_ids)) != n_docs:
        raise ValueError("duplicate terms or documents")
    chunk_start = np.concatenate([[0], np.cumsum(doc_chunks)])
    term_start = np.concatenate([[0], np.cumsum(chunk_terms)])
    docs: dict[str, DocTerms] = {}
    for i, doc_id in enumerate(doc_ids):
        c0, c1 = int(chunk_start[i]), int(chunk_start[i + 1])
        t0, t1 = int(term_start[c0]), int(term_start[c1])
        docs[doc_id] = DocTerms(
            chunk_ids[c0:c1],
            term_start[c0 : c1 + 1] - t0,
            terms[t0:t1],
            counts[t0:t1],
            bool(doc_ctx[i]),
        )
    signature = frozenset(zip(doc_ids, (int(n) for n in doc_n), doc_at, strict=True))
    return vocab, docs, signature
