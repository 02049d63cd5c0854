"""Hostile files, built on the spot for tests and bench/faults.py (nothing to download).

* :func:`many_pages_pdf`: a valid PDF with a huge page count (every page one short
  line of text), a few MB that keep a PDF reader busy for minutes;
* :func:`nested_pdf`: a valid PDF whose page content holds arrays nested
  ``depth`` deep, which a recursive parser follows until its stack gives out;
* :func:`expanding_pdf`: a few kB that inflate to tens of MB of text per page;
* :func:`not_a_pdf`: a ZIP archive (what a .docx is) named .pdf;
* :data:`PATH_NAMES`: upload file names that try to leave the upload folder.
"""

from __future__ import annotations

PATH_NAMES = [
    "../../../escape.md",
    "/etc/passwd.md",
    "..\\..\\windows-escape.md",
    "notes/../../../up.md",
    "....md",
    "%2e%2e%2fencoded.md",
    "a\x00b.md",
    "x" * 400 + ".md",
]


def _pdf(objects: list[bytes], pages_ref: int) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, pages_ref)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


_WORDS = (
    b"pupil arousal foraging reward memory sleep spindle cortex locus noradrenaline dopamine "
    b"attention exploration choice learning motor visual auditory cohort sample trial dose "
    b"placebo baseline response latency accuracy variance effect power model signal noise"
).split()


def _line(i: int) -> bytes:
    """A different sentence for each page (digits alone would read as a running header)."""
    n = len(_WORDS)
    words = [_WORDS[(i // n**k) % n] for k in range(4)]
    return b"The %s study measured %s and %s against %s." % tuple(words)


def many_pages_pdf(pages: int) -> bytes:
    """``pages`` pages of one short line each (a different one, as real pages have):
    a few MB on disk, minutes of work for a PDF reader."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    first = len(objects) + 1  # page i is object first + 2i, its content first + 2i + 1
    kids = b" ".join(b"%d 0 R" % (first + 2 * i) for i in range(pages))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)
    for i in range(pages):
        text = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % _line(i)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (first + 2 * i + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
    return _pdf(objects, 1)


def nested_pdf(depth: int) -> bytes:
    """One page whose content stream shows text from an array nested ``depth`` deep."""
    text = b"BT /F1 12 Tf 72 720 Td " + b"[" * depth + b"(deep)" + b"]" * depth + b" TJ ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
    ]
    return _pdf(objects, 1)


def expanding_pdf(pages: int, mb: int = 20) -> bytes:
    """A file of a few kB whose ``pages`` pages each inflate to ``mb`` MB of text: one
    compressed content stream, shared by every page, showing one long string (under
    pypdf's own limits on a stream's length and token count, which stop cruder bombs)."""
    import zlib

    words = b"pupil size rose after atomoxetine " * (mb * 1_000_000 // 34)
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (" + words + b") Tj ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
        )
    return _pdf(objects, 1)


def not_a_pdf() -> bytes:
    """The first bytes of a ZIP archive (a .docx), as someone would upload it named .pdf."""
    return b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml" + bytes(200)
