"""Title, year and authors of a PDF as citations show them.

The PDFs are built here, each laid out like one of the 28 papers of the workspace's
topic corpus (``shared/corpus-topic``) whose metadata came out wrong: a journal name set
larger than the title, a Hindawi article-type label, PLOS's escaped character
references, a year taken from the acceptance line.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest.loaders import load_document

PROSE = [
    "Rats were pretreated with the extract for thirty days before the injury.",
    "Cardiac function was recorded before and after reperfusion in every animal.",
    "The extract reduced the infarct size compared with the untreated group.",
]


def _pdf(
    out: Path,
    pages: list[list[tuple[int, str]]],
    meta: dict[str, str] | None = None,
) -> Path:
    """A PDF whose pages hold the given (font size, line) pairs, top to bottom."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    for lines in pages:
        page = writer.add_blank_page(width=595, height=842)
        ops, y = b"", 800
        for size, text in lines:
            ops += f"BT /F1 {size} Tf 50 {y} Td ({text}) Tj ET\n".encode()
            y -= size + 8
        content = DecodedStreamObject()
        content.set_data(ops)
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    if meta:
        writer.add_metadata(meta)
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _body(*extra: str) -> list[tuple[int, str]]:
    return [(10, line) for line in (*extra, *PROSE)]


def test_journal_name_set_larger_than_the_title_is_not_the_title(tmp_path: Path) -> None:
    # Mohanty et al. 2006 (BMC): /Title "1472-6882-6-3.fm", /Author "csproduction", the
    # journal's name in the largest font and again in page 2's running header.
    f = _pdf(
        tmp_path / "bmc.pdf",
        [
            [
                (20, "BMC Complementary and Alternative Medicine"),
                (16, "Effect of Curcuma longa and Ocimum sanctum on myocardial apoptosis"),
                *_body(),
            ],
            [(8, "BMC Complementary and Alternative Medicine 2006, 6:3"), *_body()],
        ],
        {"/Title": "1472-6882-6-3.fm", "/Author": "csproduction"},
    )
    doc = load_document(f)
    assert doc.title == "Effect of Curcuma longa and Ocimum sanctum on myocardial apoptosis"
    assert doc.authors == []


def test_title_that_comes_back_after_a_cover_page_stays_the_title(tmp_path: Path) -> None:
    # Taylor & Francis put a cover page first; the article's page 2 repeats the title.
    title = "Utilising implementation intentions to promote healthy eating"
    f = _pdf(
        tmp_path / "cover.pdf",
        [[(16, title), *_body("Full Terms and Conditions of access and use")], [*_body(title)]],
        {"/Title": "untitled"},
    )
    assert load_document(f).title == title


def test_title_without_article_type_label_escapes_or_quotes(tmp_path: Path) -> None:
    cases = {
        "Product authenticity versus globalisation#_#x2014;The Tulsi case": (
            "Product authenticity versus globalisation\u2014The Tulsi case"
        ),
        "Higher efficiency of ISSR markers over plastid psbA&#x2010;trnH region": (
            "Higher efficiency of ISSR markers over plastid psbA\u2010trnH region"
        ),
        "Research Article Oviposition Deterrent Efficacy of Ocimum gratissimum Oil": (
            "Oviposition Deterrent Efficacy of Ocimum gratissimum Oil"
        ),
        "ReviewArticle A Review on Medicinal Properties of Orientin": (
            "A Review on Medicinal Properties of Orientin"
        ),
        "\u201cAntimicrobial activity of essential oil of Ocimum micranthum leaves\u201d": (
            "Antimicrobial activity of essential oil of Ocimum micranthum leaves"
        ),
        "HMG-CoA reductase from Camphor Tulsi ( Ocimum kilimandscharicum ) in plants": (
            "HMG-CoA reductase from Camphor Tulsi (Ocimum kilimandscharicum) in plants"
        ),
    }
    for i, (raw, shown) in enumerate(cases.items()):
        f = _pdf(tmp_path / f"t{i}.pdf", [_body()], {"/Title": raw})
        assert load_document(f).title == shown, raw


def test_authors_decoded_and_without_et_al(tmp_path: Path) -> None:
    f = _pdf(
        tmp_path / "a.pdf",
        [_body()],
        {
            "/Title": "Lipid-lowering activity of Ocimum sanctum leaves in rats",
            "/Author": (
                "Gabriele J#_#x00FC;rges, Vaidurya Sahi and Thamolwan Suanarunsawat {et al.}"
            ),
        },
    )
    assert load_document(f).authors == [
        "Gabriele J\u00fcrges",
        "Vaidurya Sahi",
        "Thamolwan Suanarunsawat",
    ]


def _dated(tmp_path: Path, name: str, line: str, created: str) -> int | None:
    f = _pdf(
        tmp_path / f"{name}.pdf",
        [_body(line)],
        {
            "/Title": "Lipid-lowering activity of Ocimum sanctum leaves in rats",
            "/CreationDate": created,
        },
    )
    return load_document(f).year


def test_year_is_the_publication_year(tmp_path: Path) -> None:
    # Scientific Reports prints only the acceptance date; the file was made when it came out.
    assert _dated(tmp_path, "a", "Accepted: 2 November 2017", "D:20180214164838+05'30'") == 2018
    # ... but a file re-rendered years later does not date the paper.
    assert _dated(tmp_path, "b", "Accepted: 2 November 2017", "D:20210101000000Z") == 2017
    # Accepted and published lines: the later one.
    assert (
        _dated(
            tmp_path,
            "c",
            "Accepted 30 October 2015. Published online: 18 Jan 2016",
            "D:20160118123733Z",
        )
        == 2016
    )
    # No publication line: the year printed on the page beats a repository's re-render.
    assert _dated(tmp_path, "d", "J Med Internet Res 2011 vol. 13", "D:20170101000000Z") == 2011
