"""Hybrid retrieval for the agent: dense (Chroma) + lexical (BM25), fused, then diversified.

from ideapump.runtime import Runtime
from ideapump.retrieval import get_retriever
passages = get_retriever(Runtime.from_env().library("mylab")).retrieve("propranolol", k=8)

* :mod:`~ideapump.retrieval.lexical`: the tokenizer and the BM25 index.
* :mod:`~ideapump.retrieval.index_file`: the BM25 index on disk, so a new process
  does not re-tokenize the library.
* :mod:`~ideapump.retrieval.hybrid`: the ``Retriever`` (dense + BM25 mixing,
  per-paper caps, MMR), kept in step with the registry on every search.
"""

from ideapump.retrieval.hybrid import (
    DEFAULT_MODE,
    HYBRID_ALPHA,
    Mode,
    Retriever,
    cap_per_paper,
    fuse,
    get_retriever,
    mmr,
)
from ideapump.retrieval.lexical import LexicalIndex, tokenize

__all__ = [
    "DEFAULT_MODE",
    "HYBRID_ALPHA",
    "LexicalIndex",
    "Mode",
    "Retriever",
    "cap_per_paper",
    "fuse",
    "get_retriever",
    "mmr",
    "tokenize",
]
