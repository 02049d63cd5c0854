from ideapump.embeddings import MiniLMEmbeddings
from ingest.chunking import Chunker, find_sections
from ingest.loaders import load_document
from tests.conftest import DATA, PAPERS


def test_every_chunk_is_a_verbatim_slice_of_its_pages(embeddings: MiniLMEmbeddings) -> None:
    doc = load_document(PAPERS["mendt"])
    chunks = Chunker(embeddings.count_tokens, chunk_tokens=200, overlap=30).split(doc)
    assert len(chunks) > 10
    pages = {p.number: p.text for p in doc.pages}
    for c in chunks:
        if c.page_start == c.page_end:
            assert pages[c.page_start][c.char_start : c.char_end] == c.text
        else:
            first = pages[c.page_start][c.char_start :]
            last = pages[c.page_end][: c.char_end]
            assert c.text.startswith(first.strip()[:50])
            assert c.text.endswith(last.strip()[-50:])
        assert embeddings.count_tokens(c.text) <= 200
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_chunks_overlap_and_cover_the_text(embeddings: MiniLMEmbeddings) -> None:
    doc = load_document(DATA / "lab" / "atomoxetine_pilot_notes.md")
    chunks = Chunker(embeddings.count_tokens, chunk_tokens=40, overlap=10).split(doc)
    joined = " ".join(" ".join(c.text.split()) for c in chunks)
    for sentence in ("chose the never-sampled option", "enough drug for 40 more sessions"):
        assert sentence in joined


def test_sections_split_at_headings(embeddings: MiniLMEmbeddings) -> None:
    doc = load_document(PAPERS["mendt"])
    chunks = Chunker(embeddings.count_tokens).split(doc)
    sections = {c.section.upper() for c in chunks}
    assert {"RESULTS", "DISCUSSION", "METHODS"} <= sections
    # A chunk never straddles a section heading.
    results = [c for c in chunks if c.section.upper() == "RESULTS"]
    assert all("DISCUSSION\n" not in c.text for c in results)


def test_markdown_headings_become_sections() -> None:
    text = "# Title\nintro\n## Summary\nbody\n## Open questions\nmore"
    names = [n for _, n in find_sections(text, "markdown")]
    assert names == ["", "Title", "Summary", "Open questions"]


def test_numbered_headings_found_but_table_numbers_ignored() -> None:
    text = "Intro text\n2.1 Participants\nTwelve adults.\n3 4 5\n12.5\nResults\nThey did."
    names = [n for _, n in find_sections(text, "pdf")]
    assert names == ["", "2.1 Participants", "Results"]
