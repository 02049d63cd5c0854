"""Lexical retrieval: a tokenizer for scientific prose and an Okapi BM25 index.

BM25 finds what embeddings blur: drug and gene names, rare terms and reported
statistics (``t(40)``, ``F(2, 378) = 128.12`` are tokenized as ``t(40)``,
``f(2,378)`` and ``128.12``). The index keeps each document's chunks as bags of
term ids, so adding or dropping a document never re-tokenizes the others and
the BM25 weight matrix is reassembled from the bags alone; the bags are also
what :mod:`ideapump.retrieval.index_file` writes to disk.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from ideapump.grounding.normalize import fold

# -- tokenization -------------------------------------------------------------

_STOP_WORDS = (
    "a an and are as at be been being but by can could did do does for from had has have how "
    "i if in into is it its may might more most of on or our such than that the their them then "
    "there these they this those to was we were what when where which while who whom why will "
    "with would you your about after also between both each other over under not no"
)
_STOP = frozenset(_STOP_WORDS.split())
# A reported statistic: t(40), F (2, 378), chi2(1, N = 93), r(85), and Yardley's F2,407.
_STAT = re.compile(
    r"(?<![a-z0-9])(t|f|r|z|chi2|x2|χ2|χ²)\s*\(\s*(\d+(?:\.\d+)?)(?:\s*,\s*(?:n\s*=\s*)?(\d+))?\s*\)"
    r"|(?<![a-z0-9])(f)(\d+)\s*,\s*(\d+)(?=\s*=)"
)
_NUMBER = re.compile(r"(?<![\w.])(?:\d+(?:\.\d+)?|\.\d+)")  # signs dropped: "-3.5" ~ "3.5"
_WORD = re.compile(r"[a-z0-9α-ω]+(?:[-'][a-z0-9α-ω]+)*")
# Numbers written as words are indexed as their digits: prose spells small numbers
# out ("three groups", "ten times a day"), tables and questions often do not.
# bench/retrieval.py, hybrid page recall@5: 0.90 -> 0.90 on its 100 questions (MRR
# 0.638 -> 0.642), 0.89 -> 0.91 on the older 53 ("over the three time points").
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_TENS = "thirty forty fifty sixty seventy eighty ninety"
_NUMERALS = {w: str(i) for i, w in enumerate(_UNITS.split())} | {
    w: str(10 * i) for i, w in enumerate(_TENS.split(), 3)
}


def _fold(text: str) -> str:
    """The shared normaliser (:func:`~ideapump.grounding.normalize.fold`), then accents
    dropped and lower case: search terms match "Mathôt" typed as "mathot"."""
    text = unicodedata.normalize("NFKD", fold(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


def _stem(word: str) -> str:
    """Plural folding only: 'pupils' -> 'pupil', 'studies' -> 'study'; keeps 'analysis'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


def tokenize(text: str, *, numerals: bool = True) -> list[str]:
    """Lexical terms of a text: folded words, hyphenated compounds and their parts,
    numbers (``.005`` -> ``0.005``; with ``numerals``, ``ten`` -> ``10`` too) and
    statistic heads (``t (40)`` -> ``t(40)``)."""
    text = _fold(text)
    out: list[str] = []
    for m in _STAT.finditer(text):
        if m.group(1):
            name = {"x2": "chi2", "χ2": "chi2", "χ²": "chi2"}.get(m.group(1), m.group(1))
            df = m.group(2) + (f",{m.group(3)}" if m.group(3) else "")
        else:
            name, df = "f", f"{m.group(5)},{m.group(6)}"
        out.append(f"{name}({df})")
    for m in _NUMBER.finditer(text):
        num = m.group(0)
        out.append("0" + num if num.startswith(".") else num)
    for m in _WORD.finditer(text):
        word = m.group(0)
        if "-" in word or "'" in word:
            out.append(word.replace("'", ""))
            parts = re.split(r"[-']", word)
        else:
            parts = [word]
        for part in parts:
            if numerals and part in _NUMERALS:
                out.append(_NUMERALS[part])
            elif len(part) > 1 and part not in _STOP and not part.isdigit():
                out.append(_stem(part))
    return out


def numeric_share(query: str) -> float:
    """Share of the query's terms that are numbers or statistic heads (``t(40)``):
    1.0 for a pasted result such as ``F(2, 378) = 128.12``, 0.0 for a question in words
    (numbers spelt out, "three groups", are words here)."""
    terms = tokenize(query, numerals=False)
    if not terms:
        return 0.0
    numeric = sum(1 for t in terms if t[0].isdigit() or t.endswith(")"))
    return numeric / len(terms)


# -- BM25 ---------------------------------------------------------------------


@dataclass
class DocTerms:
    """One document's chunks as term-id bags (raw counts), kept to rebuild cheaply."""

    chunk_ids: list[str]
    indptr: np.ndarray  # per chunk: slice into terms/counts
    terms: np.ndarray
    counts: np.ndarray
    #: False when the document's vectors were embedded without chunk context (older stores)
    context: bool = True


@dataclass(frozen=True)
class _Matrix:
    """An immutable BM25 snapshot: searches read one while a rebuild makes the next."""

    chunk_ids: list[str]
    pos: dict[str, int]  # chunk id -> column
    chunk_doc: np.ndarray  # chunk -> position in doc_order
    doc_order: list[str]
    #: term-major BM25 weights (terms x chunks), so a query reads only its terms' postings.
    weights: sparse.csr_matrix
    #: per term id: its idf, 0 for a term no indexed chunk holds any longer
    idf: np.ndarray
    #: the first five letters of every word an indexed chunk holds
    prefixes: frozenset[str] = frozenset()


@dataclass
class LexicalIndex:
    """Okapi BM25 over the chunks of one library's complete documents."""

    # k1 below the usual 1.2 saturates repeats sooner, so covering more of the
    # question's terms beats repeating one (tables, drug names): hybrid page
    # recall@5 0.86 -> 0.89 on bench/retrieval.py's questions, 0.83 -> 0.85 on the
    # older 53 (bench/retrieval_questions.json).
    k1: float = 0.6
    b: float = 0.75
    signature: frozenset[tuple[str, int, str]] = frozenset()
    vocab: dict[str, int] = field(default_factory=dict)
    docs: dict[str, DocTerms] = field(default_factory=dict)
    matrix: _Matrix | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Counters for tests and the bench: matrix assemblies, documents tokenized,
    # and restores from the index file (index_file.py).
    builds: int = 0
    tokenized: int = 0
    loads: int = 0
    #: set once the retriever has warned about documents embedded without chunk context
    warned_context: bool = False

    def _bag(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids = [self.vocab.setdefault(t, len(self.vocab)) for t in tokenize(text)]
        if not ids:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        terms, counts = np.unique(np.asarray(ids, np.int32), return_counts=True)
        return terms, counts.astype(np.float32)

    def add_document(
        self, doc_id: str, chunks: Sequence[tuple[str, str]], *, context: bool = True
    ) -> None:
        bags = [self._bag(text) for _, text in chunks]
        self.tokenized += 1
        indptr = np.zeros(len(bags) + 1, np.int64)
        indptr[1:] = np.cumsum([len(t) for t, _ in bags])
        self.docs[doc_id] = DocTerms(
            [cid for cid, _ in chunks],
            indptr,
            np.concatenate([t for t, _ in bags]) if bags else np.zeros(0, np.int32),
            np.concatenate([c for _, c in bags]) if bags else np.zeros(0, np.float32),
            context,
        )

    def rebuild(self) -> None:
        """Assemble the BM25 weight matrix from the per-document bags (no re-tokenizing)."""
        doc_order = sorted(self.docs)
        parts = [self.docs[d] for d in doc_order]
        chunk_ids = [cid for p in parts for cid in p.chunk_ids]
        n_chunks = len(chunk_ids)
        self.builds += 1
        if n_chunks == 0:
            self.matrix = None
            return
        chunk_doc = np.concatenate(
            [np.full(len(p.chunk_ids), i, np.int32) for i, p in enumerate(parts)]
        )
        terms = np.concatenate([p.terms for p in parts])
        tf = np.concatenate([p.counts for p in parts])
        lengths = np.concatenate([np.diff(p.indptr) for p in parts])
        rows = np.repeat(np.arange(n_chunks, dtype=np.int32), lengths)
        dl = np.bincount(rows, weights=tf, minlength=n_chunks).astype(np.float32)
        avgdl = float(dl.mean()) or 1.0
        n_terms = len(self.vocab)
        df = np.bincount(terms, minlength=n_terms).astype(np.float64)
        idf = np.where(df > 0, np.log1p((n_chunks - df + 0.5) / (df + 0.5)), 0.0)
        idf = idf.astype(np.float32)
        norm = self.k1 * (1.0 - self.b + self.b * dl / avgdl)
        w = idf[terms] * tf * (self.k1 + 1.0) / (tf + norm[rows])
        weights = sparse.csr_matrix((w, (terms, rows)), shape=(n_terms, n_chunks))
        held = np.flatnonzero(df > 0)
        words = [""] * n_terms
        for word, i in self.vocab.items():
            words[i] = word
        prefixes = frozenset(words[i][:5] for i in held if words[i][:1].isalpha())
        self.matrix = _Matrix(
            chunk_ids,
            {c: i for i, c in enumerate(chunk_ids)},
            chunk_doc,
            doc_order,
            weights,
            idf,
            prefixes,
        )

    def unused(self, query: str) -> list[str]:
        """The words of ``query`` that no indexed chunk holds, compared by their first five
        letters ("caffeinated" meets "caffeine"; a typo at a word's end is no new word);
        hyphenated compounds by their parts, numbers and statistic heads not at all."""
        m = self.matrix
        if m is None:
            return []
        found = [t for t in tokenize(query, numerals=False) if t.isalpha()]
        return list(dict.fromkeys(t for t in found if t[:5] not in m.prefixes))

    def best_possible(self, query: str) -> float:
        """The highest BM25 score any chunk could get for ``query``: every one of its
        indexed terms repeated until saturated (sum of idf x (k1 + 1)); 0 when none is
        indexed. A chunk's score over this is the idf-weighted share of the query it covers."""
        m = self.matrix
        if m is None:
            return 0.0
        ids = {i for t in tokenize(query) if (i := self.vocab.get(t, len(m.idf))) < len(m.idf)}
        return float(m.idf[sorted(ids)].sum()) * (self.k1 + 1.0) if ids else 0.0

    def search(
        self,
        query: str,
        n: int,
        allowed_docs: set[str] | None = None,
        also: Sequence[str] = (),
    ) -> dict[str, float]:
        """BM25 scores of the best ``n`` chunks (positive scores only, best first), plus
        the scores of the chunks in ``also`` (0 when they share no term with the query)."""
        m = self.matrix
        if m is None:
            return {}
        n_terms = m.weights.shape[0]
        ids = sorted({i for t in tokenize(query) if (i := self.vocab.get(t, n_terms)) < n_terms})
        if not ids:
            return dict.fromkeys(also, 0.0)
        scores = np.asarray(m.weights[ids].sum(axis=0)).ravel()
        if allowed_docs is not None:
            keep = np.array([d in allowed_docs for d in m.doc_order], bool)
            scores = np.where(keep[m.chunk_doc], scores, 0.0)
        n = min(n, int(np.count_nonzero(scores > 0)))
        out: dict[str, float] = {}
        if n > 0:
            top = np.argpartition(-scores, n - 1)[:n]
            for i in top[np.lexsort((top, -scores[top]))]:
                out[m.chunk_ids[i]] = float(scores[i])
        for cid in also:
            out.setdefault(cid, float(scores[m.pos[cid]]) if cid in m.pos else 0.0)
        return out
