"""Hybrid retrieval (dense + BM25) on real papers: what a researcher would notice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ideapump.embeddings import MiniLMEmbeddings
from ideapump.errors import InputError
from ideapump.library import Library
from ideapump.models import Passage
from ideapump.retrieval import CHUNK_CONTEXT, LexicalIndex, Retriever, get_retriever, spread_pages
from ideapump.retrieval.hybrid import BACK_MATTER
from ideapump.runtime import Runtime
from ideapump.store.registry import DocumentRow
from ideapump.store.vectors import ChunkHit
from ingest.chunking import Chunk
from tests.conftest import PAPERS
from tests.retrieval.conftest import note


def _norm(text: str) -> str:
    return " ".join(text.split())


def _rank(passages: list[Passage], snippet: str) -> int | None:
    return next((i for i, p in enumerate(passages, 1) if snippet in _norm(p.quote)), None)


# -- exact terms: hybrid finds what dense ranks lower ---------------------------


@pytest.mark.parametrize(
    "query",
    ["F(2, 378) = 128.12", "F(2, 404) = 95.73"],
)
def test_reported_statistic_is_found_by_hybrid_not_by_dense(
    corpus_library: Library, query: str
) -> None:
    retriever = Retriever(corpus_library)
    hybrid = retriever.retrieve(query, 10, mode="hybrid")
    dense = retriever.retrieve(query, 10, mode="dense")
    assert _rank(hybrid, query) is not None and _rank(hybrid, query) <= 2  # type: ignore[operator]
    assert "hand hygiene" in hybrid[_rank(hybrid, query) - 1].title.lower()  # type: ignore[operator]
    assert _rank(dense, query) is None  # the embedding blurs numbers: not in dense's top 10


def test_exact_term_ranks_first_in_hybrid_and_lower_in_dense(corpus_library: Library) -> None:
    retriever = Retriever(corpus_library)
    query = "t (7) = 9.33"  # a t-test in the Mathot pupil paper
    hybrid = retriever.retrieve(query, 10)
    dense = retriever.retrieve(query, 10, mode="dense")
    assert _rank(hybrid, "9.33") == 1
    assert "Pupillary" in hybrid[0].title
    assert (_rank(dense, "9.33") or 99) > 1


def test_default_mode_is_hybrid(corpus_library: Library) -> None:
    retriever = Retriever(corpus_library)
    assert retriever.retrieve("F(2, 378) = 128.12", 3) == retriever.retrieve(
        "F(2, 378) = 128.12", 3, mode="hybrid"
    )


def test_passages_carry_citation_fields(corpus_library: Library) -> None:
    (p,) = Retriever(corpus_library).retrieve("cosinor model of core body temperature", 1)
    row = corpus_library.get(p.doc_id)
    assert p.title == row.title and p.source == row.source and p.kind == "pdf"
    assert 1 <= p.page <= p.page_end <= row.pages
    assert p.quote and p.quote[:40] in row.page_texts[p.page - 1]
    assert 0.0 <= p.score <= 1.0


# -- diversity and filters -------------------------------------------------------


def test_per_paper_cap_is_honoured(corpus_library: Library) -> None:
    retriever = Retriever(corpus_library)
    query = "exercise during head-down tilt bed rest and circadian temperature rhythm"
    uncapped = retriever.retrieve(query, 6)
    assert max(_per_doc(uncapped).values()) > 1  # one paper dominates without a cap
    capped = retriever.retrieve(query, 6, per_paper_cap=1)
    assert max(_per_doc(capped).values()) == 1
    assert len(_per_doc(capped)) == len(capped) >= 3
    assert capped[0].chunk_id == uncapped[0].chunk_id  # the best passage stays first


def test_mmr_spreads_results_and_keeps_them_relevant(corpus_library: Library) -> None:
    retriever = Retriever(corpus_library)
    query = "circadian phase of core body temperature"
    plain = retriever.retrieve(query, 6)
    diverse = retriever.retrieve(query, 6, mmr_lambda=0.3)
    assert len(diverse) == 6 and diverse[0].chunk_id == plain[0].chunk_id
    assert {p.chunk_id for p in diverse} != {p.chunk_id for p in plain}


def _per_doc(passages: list[Passage]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
    return counts


def test_doc_ids_filter_restricts_both_signals(corpus_library: Library) -> None:
    retriever = Retriever(corpus_library)
    mendt = next(d.doc_id for d in corpus_library.papers() if "exercise" in d.title.lower())
    for mode in ("hybrid", "dense"):
        found = retriever.retrieve("F(2, 378) = 128.12", 5, doc_ids=[mendt], mode=mode)
        assert found and {p.doc_id for p in found} == {mendt}
    assert retriever.retrieve("anything at all", 5, doc_ids=["0000000000000000"]) == []


def test_bad_arguments_are_input_errors(corpus_library: Library) -> None:
    retriever = Retriever(corpus_library)
    with pytest.raises(InputError):
        retriever.retrieve("   ", 5)
    with pytest.raises(InputError):
        retriever.retrieve("pupil", 0)
    with pytest.raises(InputError):
        retriever.retrieve("pupil", 5, mode="sparse")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        retriever.retrieve("pupil", 5, per_paper_cap=0)


# -- the index follows the library ----------------------------------------------


def test_empty_library_returns_nothing(lib: Library) -> None:
    assert Retriever(lib).retrieve("noradrenaline and exploration", 5) == []
    assert Retriever(lib).retrieve("noradrenaline and exploration", 5, mode="dense") == []


def test_index_follows_ingest_and_remove_without_rebuilding_per_query(
    lib: Library, tmp_path: Path
) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine")])
    retriever = get_retriever(lib)
    assert "zorbatrine" in retriever.retrieve("zorbatrine", 1)[0].quote
    builds = retriever.index.builds
    for _ in range(3):
        retriever.retrieve("zorbatrine dose", 3)
    assert retriever.index.builds == builds  # unchanged library: the index is reused

    lib.ingest([note(tmp_path, "b.md", "quixolamide")])
    top = retriever.retrieve("quixolamide", 1)[0]
    assert "quixolamide" in top.quote and retriever.index.builds == builds + 1

    lib.remove(lib.registry.by_source(lib.name, str((tmp_path / "a.md").resolve()))[0].doc_id)
    gone = retriever.retrieve("zorbatrine", 5)
    assert all("zorbatrine" not in p.quote for p in gone)
    assert {p.doc_id for p in gone} == {top.doc_id}


def test_index_is_shared_by_libraries_on_the_same_store(lib: Library, tmp_path: Path) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine")])
    first = get_retriever(lib)
    assert get_retriever(lib) is first
    first.retrieve("zorbatrine", 1)
    again = Runtime(lib.settings, embeddings=lib.store.embeddings).library()
    assert get_retriever(again).index is first.index


def test_chunks_of_an_unfinished_document_stay_invisible(
    lib: Library, tmp_path: Path, embeddings: MiniLMEmbeddings
) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine")])
    # A document whose chunks are written but whose registry row is still pending,
    # as a killed ingest leaves it: its exact term must not surface.
    text = "Pending notes: we also gave zorbatrine at a double dose to six volunteers."
    lib.registry.begin(
        DocumentRow(
            library=lib.name,
            doc_id="feedfacefeedface",
            title="pending",
            kind="text",
            source=str(tmp_path / "pending.txt"),
            sha256="0" * 64,
            ingested_at=datetime.now(UTC),
        )
    )
    chunk = Chunk("feedfacefeedface", 0, text, "", 1, 1, 0, len(text))
    lib.store.add([chunk], embeddings.embed_documents([text]), {"kind": "text"})
    for mode in ("hybrid", "dense"):
        found = Retriever(lib).retrieve("zorbatrine double dose", 5, mode=mode)
        assert found and all(p.doc_id != "feedfacefeedface" for p in found)


def test_mendt_paper_is_retrievable_on_its_own(lib: Library) -> None:
    lib.ingest([PAPERS["mendt"]])
    (p,) = get_retriever(lib).retrieve("resistive exercise with vibration during bed rest", 1)
    assert "circadian" in p.title.lower()


# -- modes, signals, page diversity ------------------------------------------------


def test_lexical_mode_ranks_by_bm25_alone(corpus_library: Library) -> None:
    lexical = Retriever(corpus_library).retrieve("F(2, 404) = 199.59", 5, mode="lexical")
    assert "F (2, 404) = 199.59" in _norm(lexical[0].quote)  # Lhakhang: planning over time
    assert all(p.dense_score is None and p.lexical_score is not None for p in lexical)
    assert [p.score for p in lexical] == [p.lexical_score for p in lexical]
    # A query sharing no term with the library finds nothing lexically.
    assert Retriever(corpus_library).retrieve("zzyzx qwpfk", 5, mode="lexical") == []


def test_hybrid_passages_carry_both_signals_and_a_fused_score(corpus_library: Library) -> None:
    hits = Retriever(corpus_library).retrieve("pupil size before an eye movement", 8)
    assert all(p.dense_score is not None and p.lexical_score is not None for p in hits)
    assert all(0 < p.score <= 1 for p in hits)
    assert [p.score for p in hits] == sorted((p.score for p in hits), reverse=True)
    dense = Retriever(corpus_library).retrieve("pupil size before an eye movement", 8, mode="dense")
    assert all(p.lexical_score is None and p.score == p.dense_score for p in dense)


def _hit(cid: str, doc: str, start: int, end: int) -> ChunkHit:
    return ChunkHit(cid, doc, "", 0.0, {"page_start": start, "page_end": end})


def test_spread_pages_moves_passages_of_pages_already_shown_down() -> None:
    hits = [
        _hit("a1", "a", 3, 3),
        _hit("a2", "a", 3, 3),  # page 3 of paper a again: after the others
        _hit("b1", "b", 3, 3),  # same page number, another paper: stays
        _hit("a3", "a", 3, 4),  # adds page 4: stays
        _hit("a4", "a", 4, 4),  # page 4 is shown now
    ]
    assert [h.chunk_id for h in spread_pages(hits)] == ["a1", "b1", "a3", "a2", "a4"]


def test_per_paper_cap_still_fills_k_when_one_paper_holds_every_candidate(
    corpus_library: Library,
) -> None:
    # Every Mendt chunk carries its title, so the candidates are all Mendt's:
    # the cap must look again in the other papers rather than return one passage.
    hits = Retriever(corpus_library).retrieve(
        "regular exercise circadian shifts core body temperature bed rest", 4, per_paper_cap=1
    )
    assert len(hits) == 4 and len({p.doc_id for p in hits}) == 4


# -- stores embedded before chunk context ----------------------------------------------


def _strip_context(lib: Library, doc_id: str) -> None:
    """Rewrite a document's chunks as an older IdeaPump stored them: no ``ctx``."""
    col = lib.store.collection
    got = col.get(where={"doc_id": doc_id}, include=["documents", "metadatas", "embeddings"])
    col.delete(ids=got["ids"])
    metas = [{k: v for k, v in m.items() if k != "ctx"} for m in got["metadatas"]]
    col.add(
        ids=got["ids"],
        documents=got["documents"],
        metadatas=metas,
        embeddings=[list(v) for v in got["embeddings"]],
    )


def test_an_old_store_still_answers_warns_and_is_re_embedded_by_ingest(
    lib: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = note(tmp_path, "a.md", "zorbatrine")
    (first,) = lib.ingest([path]).outcomes
    assert first.doc_id
    _strip_context(lib, first.doc_id)
    retriever = Retriever(lib, LexicalIndex())
    with caplog.at_level("WARNING", logger="ideapump.retrieval.hybrid"):
        assert "zorbatrine" in retriever.retrieve("zorbatrine", 1)[0].quote
    assert "embedded by an older IdeaPump" in caplog.text and "ingest their files" in caplog.text

    (again,) = lib.ingest([path]).outcomes  # the same bytes: re-embedded, not skipped
    assert again.status == "ingested" and again.doc_id == first.doc_id
    metas = lib.store.collection.get(where={"doc_id": first.doc_id}, include=["metadatas"])
    assert metas["ids"] and all(m["ctx"] == CHUNK_CONTEXT for m in metas["metadatas"])
    assert lib.ingest([path]).outcomes[0].status == "unchanged"
    caplog.clear()
    with caplog.at_level("WARNING", logger="ideapump.retrieval.hybrid"):
        Retriever(lib, LexicalIndex()).retrieve("zorbatrine", 1)
    assert "older IdeaPump" not in caplog.text


def test_a_small_library_under_a_cap_returns_each_passage_once(
    lib: Library, tmp_path: Path
) -> None:
    lib.ingest([note(tmp_path, "a.md", "zorbatrine"), note(tmp_path, "b.md", "quixolamide")])
    hits = Retriever(lib).retrieve("volunteers and reversal learning", 6, per_paper_cap=2)
    assert 0 < len(hits) < 6
    assert len({p.chunk_id for p in hits}) == len(hits)


def test_back_matter_and_bare_headings_do_not_outrank_the_findings_of_a_paper(lib: Library) -> None:
    # A short back-matter chunk is mostly the paper's title (embedded and indexed with
    # every chunk): Dubois' "Data availability" came first for this question in the
    # README's quick start.
    assert not lib.ingest(list(PAPERS.values())).failed
    top = lib.search("how does noradrenaline shape exploration?", k=3)
    assert not any(BACK_MATTER.search(f"{p.section} {p.quote[:80]}") for p in top), [
        (p.section, p.quote[:60]) for p in top
    ]
    # a heading cut off from its text ("Materials and methods") is no passage: the
    # offline model quoted it as a proposal's citation
    many = lib.search("how does noradrenaline shape exploration?", k=20)
    assert all(len(p.quote.split()) >= 5 for p in many), [p.quote for p in many]
    # asked for, back matter is still found
    found = lib.search("data availability", k=3)
    assert any(BACK_MATTER.search(f"{p.section} {p.quote[:80]}") for p in found)
