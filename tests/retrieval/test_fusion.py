"""How hybrid mode weighs the cosine against BM25: by their scores, not their ranks."""

from __future__ import annotations

import numpy as np

from ideapump.retrieval import LexicalIndex, score
from ideapump.store.vectors import ChunkHit

QUERY = np.array([1.0, 0.0], np.float32)


def _hit(cid: str, cos: float) -> ChunkHit:
    """A candidate whose stored vector has cosine ``cos`` with ``QUERY``."""
    vector = np.array([cos, np.sqrt(1.0 - cos * cos)], np.float32)
    return ChunkHit(cid, "paper", "", 0.0, {"_vector": vector, "page_start": 1, "page_end": 1})


def _order(cos: dict[str, float], bm25: dict[str, float], best: float) -> list[str]:
    hits = [_hit(cid, c) for cid, c in cos.items()]
    score(hits, QUERY, bm25, "hybrid", bm25_max=best)
    return [h.chunk_id for h in sorted(hits, key=lambda h: -h.score)]


def test_the_closest_passage_wins_where_bm25_barely_tells_the_candidates_apart() -> None:
    # One paper's chunks: its title words, in every one of them, make nearly all of
    # each BM25 score (5.0-6.0 of a possible 20). The answer is clearly closest in
    # meaning but last by BM25 by a point: ranks (the earlier fusion) put the chunk
    # second by cosine and first by BM25 ahead of it.
    cos = {"answer": 0.62, "b": 0.55, "c": 0.54, "d": 0.52, "e": 0.51, "f": 0.50}
    bm25 = {"answer": 5.0, "b": 6.0, "c": 5.8, "d": 5.6, "e": 5.4, "f": 5.2}
    assert _order(cos, bm25, best=20.0)[0] == "answer"


def test_a_chunk_covering_the_question_wins_over_a_small_edge_in_meaning() -> None:
    # The other side: BM25 that covers most of the query is evidence, not noise.
    cos = {"topic": 0.62, "exact": 0.58, "other": 0.50}
    bm25 = {"topic": 2.0, "exact": 18.0, "other": 3.0}
    assert _order(cos, bm25, best=20.0)[0] == "exact"


def test_hybrid_scores_stay_between_0_and_1() -> None:
    hits = [_hit("a", 0.9), _hit("b", -0.2), _hit("c", 0.4)]
    score(hits, QUERY, {"a": 30.0, "b": 0.0, "c": 1.0}, "hybrid", bm25_max=20.0)
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert max(hits, key=lambda h: h.score).chunk_id == "a"


def test_best_possible_bm25_bounds_every_chunk_and_is_the_querys_own_scale() -> None:
    index = LexicalIndex()
    index.add_document(
        "d",
        [
            ("full", "propranolol amisulpride " * 20),
            ("half", "propranolol pupil saccade"),
            ("none", "pupil saccade latency"),
        ],
    )
    index.rebuild()
    query = "propranolol and amisulpride"
    best = index.best_possible(query)
    found = index.search(query, 10)
    assert 0 < max(found.values()) <= best
    assert found["full"] > 0.8 * best  # every term, repeated past saturation
    assert found["half"] < 0.6 * best  # one of the two terms
    assert index.best_possible("zzyzx") == 0.0  # no indexed term: nothing to cover
