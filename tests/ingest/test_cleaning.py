from ingest.cleaning import clean_text, drop_running_lines, find_references_span


def test_hyphenated_line_breaks_are_joined_but_real_hyphens_kept() -> None:
    text = "the partici-\npants showed explo-\nration; noradrenaline-\nModulated and T-\n2 stay"
    out = clean_text(text)
    assert "participants" in out
    assert "exploration" in out
    assert "noradrenaline-\nModulated" in out
    assert "T-\n2" in out


def test_ligatures_and_unicode_minus_are_normalized() -> None:
    out = clean_text("signi\ufb01cant e\ufb00ect, \ufb02at; t(28) = \u22122.20, z = \uff0d1.9")
    assert out == "significant effect, flat; t(28) = -2.20, z = -1.9"


def test_en_dash_in_ranges_is_not_turned_into_minus() -> None:
    assert clean_text("ages 18\u201325") == "ages 18\u201325"


def test_running_headers_and_page_numbers_dropped_body_kept() -> None:
    words = ["pupils", "saccades", "luminance", "arousal", "exploration", "memory"]
    pages = [
        f"Journal of Lab Science 2021;10:e1\nOn {w}, first line.\nSecond line on {w}.\n"
        f"Third about {w}.\nFourth on {w}.\n{i}"
        for i, w in enumerate(words, 1)
    ]
    out = drop_running_lines(pages)
    for i, (w, text) in enumerate(zip(words, out, strict=True), 1):
        assert "Journal of Lab Science" not in text
        assert f"On {w}, first line." in text
        assert f"Fourth on {w}." in text
        assert not text.rstrip().endswith(f"\n{i}")


def test_running_lines_need_enough_pages() -> None:
    pages = ["Header\nOnly two pages", "Header\nsecond"]
    assert drop_running_lines(pages) == pages


def test_references_span_found_after_body_and_ends_at_appendix() -> None:
    body = "Introduction\n" + "Words about methods. " * 200
    refs = "References\nSmith J (2020). A paper. Journal 1:1.\n"
    text = body + "\n" + refs + "Appendix 1\nMore material."
    span = find_references_span(text)
    assert span is not None
    a, b = span
    assert text[a:b].strip().startswith("References")
    assert "Appendix 1" not in text[a:b]
    assert "Smith J (2020)" in text[a:b]


def test_references_heading_early_in_document_is_ignored() -> None:
    text = "References\n" + "Body text. " * 300
    assert find_references_span(text) is None
