"""The one retriever of every surface: dense (Chroma) + lexical (BM25), fused, then diversified.

from ideapump.runtime import Runtime
from ideapump.retrieval import get_retriever
passages = get_retriever(Runtime.from_env().library("mylab")).retrieve("propranolol", k=8)

* :mod:`~ideapump.retrieval.lexical`: the tokenizer and the BM25 index.
* :mod:`~ideapump.retrieval.index_file`: the BM25 index on disk, so a new process
  does not re-tokenize the library.
* :mod:`~ideapump.retrieval.context`: what a chunk is embedded and indexed as
  (title, section heading, text).
* :mod:`~ideapump.retrieval.hybrid`: the ``Retriever`` (dense + BM25 mixed,
  page diversity, per-paper caps, MMR), kept in step with the registry on every search.
"""

from ideapump.retrieval.context import CHUNK_CONTEXT, context_text
from ideapump.retrieval.hybrid import (
    DEFAULT_MODE,
    LEXICAL_WEIGHT,
    MODES,
    Mode,
    Retriever,
    cap_per_paper,
    get_retriever,
    mmr,
    score,
    spread_pages,
)
from ideapump.retrieval.lexical import LexicalIndex, tokenize

__all__ = [
    "CHUNK_CONTEXT",
    "DEFAULT_MODE",
    "LEXICAL_WEIGHT",
    "MODES",
    "LexicalIndex",
    "Mode",
    "Retriever",
    "cap_per_paper",
    "context_text",
    "get_retriever",
    "mmr",
    "score",
    "spread_pages",
    "tokenize",
]
