"""The Library facade over a real embedded Chroma and SQLite registry."""

import shutil
from pathlib import Path

import pytest
from pypdf import PdfWriter

from ideapump.config import Settings, get_settings
from ideapump.embeddings import MiniLMEmbeddings
from ideapump.errors import EmbeddingMismatchError, InputError, NotFoundError
from ideapump.library import Library
from ideapump.runtime import Runtime
from tests.conftest import DATA, PAPERS


@pytest.fixture
def lib(embeddings: MiniLMEmbeddings) -> Library:
    return Runtime(get_settings(), embeddings=embeddings).library()


def _chunk_ids(lib: Library) -> set[str]:
    return set(lib.store.collection.get(include=[])["ids"])


def test_ingest_lists_document_with_pages_and_chunks(lib: Library, tmp_path: Path) -> None:
    report = lib.ingest([PAPERS["mendt"]])
    assert [o.status for o in report.outcomes] == ["ingested"]
    (doc,) = lib.papers()
    assert doc.title.startswith("Regular exercise counteracts")
    assert doc.pages == 6
    assert doc.chunks == lib.store.count(doc.doc_id) > 10
    assert doc.source == str(PAPERS["mendt"].resolve())
    assert lib.get(doc.doc_id).stats is not None or True  # stats are optional per paper


def test_reingesting_unchanged_file_does_nothing(lib: Library) -> None:
    lib.ingest([PAPERS["mendt"]])
    before = _chunk_ids(lib)
    report = lib.ingest([PAPERS["mendt"]])
    assert [o.status for o in report.outcomes] == ["unchanged"]
    assert report.timings.embed_s == 0
    assert _chunk_ids(lib) == before
    assert len(lib.papers()) == 1


def test_changed_file_at_same_path_replaces_old_chunks(lib: Library, tmp_path: Path) -> None:
    note = tmp_path / "notes.md"
    note.write_text("# Pilot\nPupil constriction was 0.4 mm on average.\n", encoding="utf-8")
    first = lib.ingest([note]).outcomes[0]
    note.write_text("# Pilot\nPupil dilation was 0.2 mm after the saccade.\n", encoding="utf-8")
    second = lib.ingest([note]).outcomes[0]
    assert second.status == "replaced"
    assert first.doc_id and second.doc_id and second.doc_id != first.doc_id
    assert [d.doc_id for d in lib.papers()] == [second.doc_id]
    assert lib.store.count(first.doc_id) == 0
    assert all(cid.startswith(second.doc_id) for cid in _chunk_ids(lib))
    hits = lib.search("pupil dilation after saccade", k=3)
    assert "0.2 mm" in hits[0].quote


def test_remove_deletes_document_and_all_chunks(lib: Library) -> None:
    lib.ingest([PAPERS["mendt"], DATA / "lab" / "pupil_pilot.csv"])
    doc = next(d for d in lib.papers() if d.kind == "pdf")
    removed = lib.remove(doc.doc_id[:6])  # a unique prefix is enough
    assert removed.doc_id == doc.doc_id
    assert lib.store.count(doc.doc_id) == 0
    assert [d.kind for d in lib.papers()] == ["table"]
    with pytest.raises(NotFoundError):
        lib.remove(doc.doc_id)


def test_bad_files_fail_with_reasons_and_leave_nothing(lib: Library, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(PAPERS["mendt"], folder / "good.pdf")
    (folder / "zero.pdf").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("café".encode("latin-1"))
    data = PAPERS["lhakhang"].read_bytes()
    (folder / "cut.pdf").write_bytes(data[: len(data) // 3])
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with (folder / "scan.pdf").open("wb") as fh:
        writer.write(fh)
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")
    (folder / ".hidden.md").write_text("# secret", encoding="utf-8")

    report = lib.ingest([folder, tmp_path / "missing.pdf"])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["good.pdf"].status == "ingested"
    assert by_name["image.png"].status == "skipped"
    assert ".hidden.md" not in by_name
    for name in ("zero.pdf", "latin1.txt", "cut.pdf", "scan.pdf", "missing.pdf"):
        assert by_name[name].status == "failed", name
        reason = by_name[name].reason
        assert reason and "\n" not in reason
    assert report.failed
    (doc,) = lib.papers()
    assert _chunk_ids(lib) == {cid for cid in _chunk_ids(lib) if cid.startswith(doc.doc_id)}
    assert lib.registry.unfinished(lib.name) == []


def test_size_limit_from_settings(embeddings: MiniLMEmbeddings, tmp_path: Path) -> None:
    settings = Settings(ingest={"max_file_mb": 0.1})
    lib = Runtime(settings, embeddings=embeddings).library()
    (outcome,) = lib.ingest([PAPERS["mendt"]]).outcomes
    assert outcome.status == "failed"
    assert "IDEAPUMP_INGEST__MAX_FILE_MB" in (outcome.reason or "")


def test_known_sentence_found_on_its_page(corpus_library: Library) -> None:
    hits = corpus_library.search(
        "circadian rhythm of core body temperature after long-duration head-down tilt bed rest", k=5
    )
    assert hits[0].title.startswith("Regular exercise counteracts")
    # The quote is verbatim from the stored page text at the recorded offsets.
    row = corpus_library.get(hits[0].doc_id)
    page_text = row.page_texts[hits[0].page - 1]
    if hits[0].page == hits[0].page_end:
        assert page_text[hits[0].char_start : hits[0].char_end] == hits[0].quote


def test_exact_sentence_lands_on_right_page(corpus_library: Library) -> None:
    # Mendt et al. 2021, page 3 (read off the PDF by hand); "locomo-/tor" is
    # hyphenated across a line break in the PDF and must be joined.
    sentence = "Restriction of locomotor activity dampens the entrainment of the circadian clock"
    hits = corpus_library.search(sentence, k=3)
    best = hits[0]
    assert best.title.startswith("Regular exercise counteracts")
    assert best.page <= 3 <= best.page_end
    assert sentence in " ".join(best.quote.split())


@pytest.mark.parametrize(
    ("query", "title_start"),
    [
        (
            "does exercise during bed rest change the circadian body temperature rhythm?",
            "Regular exercise",
        ),
        (
            "hand washing intervention with planning and self-efficacy",
            "Evaluating brief motivational",
        ),
        (
            "pupil constriction before an eye movement to a bright target",
            "The Pupillary Light Response",
        ),
        ("atomoxetine and choosing the never-sampled option", "Atomoxetine pilot"),
        ("lab data summary of the pupil pilot", "Data summary: pupil_pilot"),
        ("our pilot CSV: per-participant trials and accuracy", "Data summary: pupil_pilot"),
    ],
)
def test_distinct_topics_find_their_paper_first(
    corpus_library: Library, query: str, title_start: str
) -> None:
    hits = corpus_library.search(query, k=3)
    assert hits[0].title.startswith(title_start), [h.title for h in hits]
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_search_rejects_empty_query(corpus_library: Library) -> None:
    with pytest.raises(InputError):
        corpus_library.search("   ")


def test_store_built_with_other_model_is_a_clear_error(lib: Library, tmp_path: Path) -> None:
    lib.ingest([DATA / "lab" / "atomoxetine_pilot_notes.md"])

    class OtherModel(MiniLMEmbeddings):
        model_name = "some-other-model"

    with pytest.raises(EmbeddingMismatchError, match="built with embedding model"):
        Runtime(get_settings(), embeddings=OtherModel()).library()


def test_libraries_are_separate_namespaces(embeddings: MiniLMEmbeddings) -> None:
    a = Runtime(embeddings=embeddings).library("lab-a")
    b = Runtime(embeddings=embeddings).library("lab-b")
    a.ingest([DATA / "lab" / "atomoxetine_pilot_notes.md"])
    assert len(a.papers()) == 1
    assert b.papers() == []
    with pytest.raises(InputError, match="not valid"):
        Runtime(embeddings=embeddings).library("Bad Name!")


def test_search_is_the_hybrid_retriever(corpus_library: Library) -> None:
    # A pasted result: the embedding blurs numbers, BM25 pins them. Library.search
    # (the CLI's, the API's, the digest's) now finds it as the agent does.
    hits = corpus_library.search("F(2, 404) = 199.59", k=3)
    assert "F (2, 404) = 199.59" in " ".join(hits[0].quote.split())
    assert hits[0].dense_score is not None and hits[0].lexical_score is not None
    dense = corpus_library.search("F(2, 404) = 199.59", k=3, mode="dense")
    assert all("199.59" not in p.quote for p in dense)
    assert all(p.lexical_score is None for p in dense)
    with pytest.raises(InputError, match="unknown retrieval mode"):
        corpus_library.search("pupil", mode="fuzzy")  # type: ignore[arg-type]
