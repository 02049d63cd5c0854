"""Hybrid retrieval for the agent: dense (Chroma) + lexical (BM25), fused, then diversified.

from ideapump.library import Library
from ideapump.retrieval import get_retriever
passages = get_retriever(Library.open("mylab")).retrieve("propranolol and exploration", k=8)
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
