from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ideapump.errors import DocumentError, UnsupportedFileError
from ingest.loaders import load_document
from tests.conftest import DATA, PAPERS


def test_pdf_pages_metadata_doi_and_references() -> None:
    doc = load_document(PAPERS["mendt"])
    assert doc.kind == "pdf"
    assert len(doc.pages) == 6
    assert [p.number for p in doc.pages] == [1, 2, 3, 4, 5, 6]
    assert doc.title.startswith("Regular exercise counteracts circadian shifts")
    assert doc.doi == "10.1038/s41526-020-00129-1"
    assert doc.year == 2021
    assert len(doc.doc_id) == 16
    # The reference list is set apart, not left in the body pages.
    assert "REFERENCES" in doc.references.upper()[:40]
    assert doc.references[:200] not in "\n".join(p.text for p in doc.pages)


def test_title_from_largest_font_when_metadata_is_junk() -> None:
    # eLife puts a typesetting id in /Title; the title is the big text on page 1.
    doc = load_document(PAPERS["dubois"])
    assert doc.title.startswith("Human complex exploration strategies are enriched")
    assert doc.doi == "10.7554/eLife.59907"


def test_greek_letters_pypdf_leaves_as_glyph_names_are_letters() -> None:
    # chat answers quoted Dubois et al.'s "lower values of /C15 overall" (epsilon)
    text = " ".join(p.text for p in load_document(PAPERS["dubois"]).pages)
    assert "/C15" not in text and "/C22" not in text
    assert "\u03b5-greedy" in text and "mean \u03bci" in text


def test_running_footer_removed_from_pdf_pages() -> None:
    doc = load_document(PAPERS["dubois"])
    footer_pages = [p.number for p in doc.pages if "eLife 2021;10:e59907" in p.text]
    assert len(footer_pages) < 3


def test_markdown_title_and_sections(tmp_path: Path) -> None:
    doc = load_document(DATA / "lab" / "atomoxetine_pilot_notes.md")
    assert doc.kind == "markdown"
    assert doc.title == "Atomoxetine pilot: exploration in the bandit task"
    assert "never-sampled option" in doc.pages[0].text


def test_csv_data_summary_statistics_and_rows() -> None:
    doc = load_document(DATA / "lab" / "pupil_pilot.csv")
    assert doc.kind == "table"
    summary = doc.pages[0].text
    assert "8 rows x 5 columns" in summary
    # mean of the 7 present values, sd with n-1; the missing cell is counted.
    assert "Column 'mean_pupil_change_mm' (numeric): n = 7, mean = -0.1771" in summary
    assert "missing = 1" in summary
    assert "Column 'condition' (categorical): n = 8, 2 levels" in summary
    assert "'saccade_to_bright' (4)" in summary
    assert "Row 3: participant = p03" in doc.pages[1].text
    assert doc.table is not None
    assert doc.table["columns"][0] == "participant"
    assert len(doc.table["rows"]) == 8


def test_tsv_is_read_with_tabs(tmp_path: Path) -> None:
    f = tmp_path / "rt.tsv"
    f.write_text("subject\trt_ms\ns1\t410\ns2\t390\ns3\t450\n", encoding="utf-8")
    doc = load_document(f)
    assert (
        "Column 'rt_ms' (numeric): n = 3, mean = 416.7, sd = 30.55, min = 390, max = 450"
        in doc.pages[0].text
    )


# -- bad input: each gets a one-line reason --------------------------------------


def _pdf_with_text(src: Path, out: Path, password: str | None = None) -> Path:
    writer = PdfWriter(clone_from=PdfReader(src))
    if password:
        writer.encrypt(user_password=password, owner_password="owner-" + password)
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _reason(path: Path, max_bytes: int = 50_000_000) -> str:
    with pytest.raises(DocumentError) as info:
        load_document(path, max_bytes=max_bytes)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_encrypted_pdf(tmp_path: Path) -> None:
    f = _pdf_with_text(PAPERS["mendt"], tmp_path / "locked.pdf", password="s3cret")
    assert "encrypted" in _reason(f)


def test_pdf_encrypted_with_empty_user_password_is_readable(tmp_path: Path) -> None:
    f = _pdf_with_text(PAPERS["mendt"], tmp_path / "owner-only.pdf", password="")
    assert load_document(f).title.startswith("Regular exercise")


def test_corrupt_pdf(tmp_path: Path) -> None:
    f = tmp_path / "corrupt.pdf"
    f.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    assert "corrupt" in _reason(f) or "no pages" in _reason(f)


def test_truncated_pdf(tmp_path: Path) -> None:
    f = tmp_path / "truncated.pdf"
    data = PAPERS["mendt"].read_bytes()
    f.write_bytes(data[: len(data) // 2])
    assert "truncated" in _reason(f)


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    f = tmp_path / "scan.pdf"
    with f.open("wb") as fh:
        writer.write(fh)
    assert "no text layer" in _reason(f)


def test_not_a_pdf_at_all(tmp_path: Path) -> None:
    f = tmp_path / "fake.pdf"
    f.write_text("hello, I am a text file", encoding="utf-8")
    assert "not a PDF" in _reason(f)


@pytest.mark.parametrize("name", ["empty.pdf", "empty.md", "empty.csv"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(b"")
    assert "empty file" in _reason(f)


def test_whitespace_only_text(tmp_path: Path) -> None:
    f = tmp_path / "blank.txt"
    f.write_text("  \n\n \t\n", encoding="utf-8")
    assert "no text" in _reason(f)


def test_non_utf8_text(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes("Résumé of the café study".encode("latin-1"))
    assert "not UTF-8" in _reason(f)


def test_file_above_size_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.md"
    f.write_text("# Big\n" + "word " * 2000, encoding="utf-8")
    assert "above the" in _reason(f, max_bytes=1000)


def test_unknown_type_is_unsupported(tmp_path: Path) -> None:
    f = tmp_path / "notes.docx"
    f.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnsupportedFileError, match=r"unsupported file type '\.docx'"):
        load_document(f)


def test_csv_without_rows(tmp_path: Path) -> None:
    f = tmp_path / "header_only.csv"
    f.write_text("a,b,c\n", encoding="utf-8")
    assert "no data rows" in _reason(f)


# -- vector figures ---------------------------------------------------------------


def _text_ops(text: str, y: int) -> bytes:
    return f"BT /F1 11 Tf 72 {y} Td ({text}) Tj ET\n".encode()


def _pdf_with_plot(out: Path, *, plot_in_form: bool, points: int) -> Path:
    """One page of prose plus a scatter plot drawn with ``points`` tiny squares."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    plot = b"".join(f"{i % 400} {i % 300} 1 1 re f\n".encode() for i in range(points))
    plot += _text_ops("Cumulative density", 40)
    prose = b"".join(
        _text_ops(f"Sentence {i} of the results section stays searchable.", 800 - 14 * i)
        for i in range(20)
    )
    resources = DictionaryObject({NameObject("/Font"): fonts})
    if plot_in_form:
        form = DecodedStreamObject()
        form.set_data(plot)
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 595, 842)]),
                NameObject("/Resources"): DictionaryObject({NameObject("/Font"): fonts}),
            }
        )
        resources[NameObject("/XObject")] = DictionaryObject(
            {NameObject("/Fig1"): writer._add_object(form)}
        )
        body = prose + b"/Fig1 Do\n"
    else:
        body = prose + plot
    content = DecodedStreamObject()
    content.set_data(body)
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = resources
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def test_oversized_vector_figure_is_skipped_but_page_text_kept(tmp_path: Path) -> None:
    # 70,000 squares is about 420,000 content-stream tokens: over the figure budget.
    f = _pdf_with_plot(tmp_path / "plot.pdf", plot_in_form=True, points=70_000)
    text = load_document(f).pages[0].text
    assert "Sentence 0 of the results section" in text
    assert "Sentence 19 of the results section" in text
    assert "Cumulative density" not in text


def test_small_vector_figure_keeps_its_labels(tmp_path: Path) -> None:
    f = _pdf_with_plot(tmp_path / "plot.pdf", plot_in_form=True, points=200)
    assert "Cumulative density" in load_document(f).pages[0].text


def test_page_whose_own_stream_is_huge_is_read_whole(tmp_path: Path) -> None:
    f = _pdf_with_plot(tmp_path / "plot.pdf", plot_in_form=False, points=70_000)
    text = load_document(f).pages[0].text
    assert "Sentence 19 of the results section" in text
    assert "Cumulative density" in text
