"""Loaders, chosen by file type: PDF, Markdown, plain text, CSV/TSV data summaries.

Each loader turns one file into a :class:`LoadedDocument`: cleaned text per
page (1-based page numbers), metadata, and the references section set apart.
Anything that makes a file unusable raises :class:`DocumentError` with a
one-line reason; a loader never returns half a document.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ideapump.errors import DocumentError, UnsupportedFileError
from ingest.cleaning import clean_text, drop_running_lines, find_references_span
from ingest.tables import load_table

DocKind = Literal["pdf", "markdown", "text", "table"]

SUFFIXES: dict[str, DocKind] = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".csv": "table",
    ".tsv": "table",
}

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;]+)", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# pypdf warns loudly about benign quirks of real-world PDFs; our report says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass
class Page:
    number: int
    text: str


@dataclass
class LoadedDocument:
    source: Path
    kind: DocKind
    sha256: str
    size_bytes: int
    pages: list[Page]
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    doi: str | None = None
    #: Text of the references section (kept out of body chunks).
    references: str = ""
    #: For CSV/TSV: {"columns": [...], "rows": [[...], ...], "summary": {...}}.
    table: dict[str, Any] | None = None

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.sha256)

    @property
    def n_chars(self) -> int:
        return sum(len(p.text) for p in self.pages)


def doc_id_for(sha256: str) -> str:
    # 16 hex digits (64 bits) keeps ids short enough to type and collision-free
    # for any realistic library.
    return sha256[:16]


def kind_of(path: Path) -> DocKind:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(SUFFIXES))
        raise UnsupportedFileError(
            f"unsupported file type {path.suffix or '(none)'!r}; IdeaPump reads {known}"
        ) from None


def read_checked(path: Path, max_bytes: int) -> bytes:
    """Read a file, refusing empty and oversized ones before any parsing."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror}") from None
    if size == 0:
        raise DocumentError("empty file (0 bytes)")
    if size > max_bytes:
        raise DocumentError(
            f"file is {size / 1e6:.1f} MB, above the {max_bytes / 1e6:.0f} MB limit "
            "(setting IDEAPUMP_INGEST__MAX_FILE_MB)"
        )
    return path.read_bytes()


def load_document(
    path: Path, *, max_bytes: int = 50_000_000, data: bytes | None = None
) -> LoadedDocument:
    """Load one file of a supported type into cleaned pages plus metadata."""
    kind = kind_of(path)
    if data is None:
        data = read_checked(path, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        doc = _load_pdf(path, data, sha)
    elif kind == "table":
        doc = _load_table(path, data, sha)
    else:
        doc = _load_text(path, data, sha, kind)
    if not any(p.text.strip() for p in doc.pages):
        raise DocumentError("no text in file")
    return doc


# -- PDF ---------------------------------------------------------------------


def _load_pdf(path: Path, data: bytes, sha: str) -> LoadedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if not data.startswith(b"%PDF"):
        raise DocumentError(f"not a PDF: {what_it_is(data)}, named .pdf (no %PDF header)")
    # pypdf quietly rebuilds a damaged xref and returns the pages it can find;
    # a file cut short would then be stored half. Refuse it instead.
    if b"%%EOF" not in data[-2048:]:
        raise DocumentError("truncated PDF (no %%EOF at the end of the file)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted PDF: it needs a password; save an unlocked copy")
        raw_pages = [_page_text(page) for page in reader.pages]
        meta = reader.metadata
        title = _meta_str(meta, "title") or _title_by_font(
            reader, raw_pages[1] if len(raw_pages) > 1 else ""
        )
        title = tidy_title(title) if title else None
    except (DocumentError, MemoryError):
        raise  # a MemoryError is the extraction worker's memory limit, reported as such
    except FileNotDecryptedError:
        raise DocumentError("encrypted PDF: it needs a password; save an unlocked copy") from None
    except RecursionError:
        raise DocumentError(
            "PDF objects nested too deeply to read (a damaged or hostile file)"
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise DocumentError(f"corrupt PDF: {exc}".strip()) from None
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise DocumentError(f"corrupt PDF ({type(exc).__name__}: {exc})") from None
    if not raw_pages:
        raise DocumentError("PDF has no pages")
    cleaned = [clean_text(t) for t in raw_pages]
    # DOIs often sit in running footers, which are dropped next: look before that.
    head = "\n".join(cleaned[:2])
    texts = drop_running_lines(cleaned)
    n_chars = sum(len(t.strip()) for t in texts)
    if n_chars < 20 * len(texts) and n_chars < 500:
        raise DocumentError(
            f"no text layer ({n_chars} characters on {len(texts)} pages): "
            "a scanned PDF? run OCR on it first"
        )
    pages = [Page(i + 1, t) for i, t in enumerate(texts)]
    body, references = _split_references(pages)
    # Only the first pages: a DOI further in is a cited paper's, not this one's.
    doi_match = _DOI.search(head)
    doi = doi_match.group(1).rstrip(".)]}") if doi_match else None
    title = title or _title_from_text(pages) or path.stem
    authors = metadata_authors(_meta_str(meta, "author"))
    year = _pdf_year(meta, head)
    return LoadedDocument(path, "pdf", sha, len(data), body, title, authors, year, doi, references)


#: File signatures of what gets uploaded with a .pdf name by mistake (or on purpose).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (a Word, Excel or PowerPoint file?)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"%!PS", "a PostScript file"),
)


def what_it_is(data: bytes) -> str:
    """What a file that is not a PDF appears to be, from its first bytes."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return f"it is {name}"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "it is an HTML page (a download that saved the web page instead?)"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "it is XML or HTML"
    if b"%PDF" in data[:1024]:
        return "it has bytes before the %PDF header (a damaged download?)"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "it is binary data of an unknown kind"
    return "it is plain text"


# pypdf parses every operator of a vector figure drawn as a form XObject to find
# its few axis labels: one plot in the Hartgerink corpus paper (1.1 million
# operators) took 16 s, more than the other 211 corpus pages together. With a
# parsing budget an oversized form is skipped (pypdf logs and moves on); the
# page's own text is never cut, because a page over the budget is read again
# without one. 300,000 tokens is roughly ten times a dense page of text.
FIGURE_PARSE_BUDGET = 300_000


def _page_text(page: Any) -> str:
    import pypdf
    from pypdf.errors import LimitReachedError

    try:
        with pypdf.apply_configuration(stream_parsing_work_maximum_count=FIGURE_PARSE_BUDGET):
            return page.extract_text() or ""
    except LimitReachedError:
        return page.extract_text() or ""


def _meta_str(meta: Any, key: str) -> str | None:
    if not meta:
        return None
    value = meta.get(f"/{key.capitalize()}")
    if value is None:
        return None
    text = str(value).strip()
    # Producers fill Title with junk like "untitled", "Microsoft Word - draft.docx" or a file name.
    if not text or text.lower().startswith(("untitled", "microsoft word")):
        return None
    # Typesetting systems put ids like "16110636123733 1..34" in Title.
    if key == "title" and len(re.findall(r"[A-Za-z]{3,}", text)) < 3:
        return None
    if re.search(r"\.(docx?|pdf|tex|indd|dvi|fm)$", text, re.IGNORECASE):
        return None
    return text


_NOT_TITLE = re.compile(
    r"(?i)(doi|http|www\.|received|accepted|published|copyright|open access|research article)"
)


def _title_by_font(reader: Any, page_two: str = "") -> str | None:
    """The first page's text set in the largest font: the title, in journal layouts.

    ``page_two``: the second page's text as extracted, where a running header repeats
    the journal's name."""
    import math

    parts: list[tuple[float, str]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if text.strip():
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            parts.append((round(size * scale, 1), text))

    try:
        reader.pages[0].extract_text(visitor_text=visit)
    except Exception:  # a title is a nicety; never fail a document over it
        return None
    sizes = sorted({s for s, t in parts if len(t.strip()) > 1}, reverse=True)
    candidates = [
        text
        for size in sizes[:3]
        if (text := clean_text(" ".join(" ".join(t.split()) for s, t in parts if s == size)))
        and 15 <= len(text) <= 300
        and sum(c.isalpha() for c in text) > 0.6 * len(text)
    ]
    # The journal's name is often set larger than the title (BMC's "BMC Complementary
    # and Alternative Medicine" on Mohanty et al. 2006); the next page's running header
    # gives it again with the year and volume ("... Medicine 2006, 6:3"). A title can
    # come back on page 2 too, after a publisher's cover page, but not with a year.
    later = " ".join(page_two.split())
    fresh = [c for c in candidates if not re.search(re.escape(c) + r",?\s+(?:19|20)\d\d\b", later)]
    found = fresh or candidates
    return found[0] if found else None


def _title_from_text(pages: list[Page]) -> str | None:
    for page in pages[:2]:
        for line in page.text.split("\n")[:15]:
            s = line.strip()
            wordy = sum(c.isalpha() for c in s) > 0.6 * len(s)
            if 20 <= len(s) <= 200 and wordy and not _NOT_TITLE.match(s):
                return s
    return None


_PUBLISHED = re.compile(
    r"(?:published|©|\(c\)|copyright|accepted)[^\n]{0,60}?\b(19[5-9]\d|20[0-4]\d)\b", re.IGNORECASE
)


_CREATED = re.compile(r"^D:((?:19|20)\d\d)")


def _pdf_year(meta: Any, head: str) -> int | None:
    """The year a PDF was published, from its first pages' publication lines.

    The publication line, then the first year on the first pages, beat the PDF's
    creation date, which is often the date a repository re-rendered the file (JMIR's
    2011 paper in the corpus was created in 2017). A paper lists the dates it was accepted and
    published, so the latest year on those lines is the publication's. When only the
    acceptance date is printed (Scientific Reports: "Accepted: 2 November 2017", out in
    2018), a file created the year after acceptance dates the publication.
    """
    raw = str(meta.get("/CreationDate") or "") if meta else ""
    created = _CREATED.match(raw)
    made = int(created.group(1)) if created else None
    lines = list(_PUBLISHED.finditer(head))
    if lines:
        year = max(int(m.group(1)) for m in lines)
        accepted_only = all(m.group(0).lower().startswith("accepted") for m in lines)
        if accepted_only and made == year + 1:
            return made
        return year
    m = _YEAR.search(head)
    return int(m.group(1)) if m else made


# A character reference left in PDF metadata: "TNF-&#x03B1;", and PLOS's escaped form of
# it, "globalisation#_#x2014;The Tulsi case".
_CHAR_REF = re.compile(r"(?:&|#_)#(x[0-9a-fA-F]{2,6}|\d{2,7});")
# Hindawi sets the article type on the title's line: "Research Article Oviposition ...".
_ARTICLE_TYPE = re.compile(
    r"^(?:research|review|original|short|brief)\s*(?:article|communication|report|paper)\b\s*",
    re.IGNORECASE,
)


def _char_refs(text: str) -> str:
    def char(m: re.Match[str]) -> str:
        code = m.group(1)
        try:
            return chr(int(code[1:], 16) if code[0] in "xX" else int(code))
        except (ValueError, OverflowError):
            return m.group(0)

    return _CHAR_REF.sub(char, text)


def tidy_title(title: str) -> str:
    """A title as a citation shows it: character references decoded, no article-type
    label in front, no quotes around the whole, no space inside brackets and quotes
    (italic runs set apart: "Camphor Tulsi ( Ocimum kilimandscharicum )")."""
    text = " ".join(_char_refs(title).split())
    text = _ARTICLE_TYPE.sub("", text)
    text = re.sub(r"([(\[“])\s+", r"\1", text)
    text = re.sub(r"\s+([)\]”])", r"\1", text)
    if len(text) > 2 and text[0] in '“"' and text[-1] in '”"' and text.count(text[-1]) == 1:
        text = text[1:-1].strip()
    return text or title


def metadata_authors(author: str | None) -> list[str]:
    """The names in a PDF's Author field: not "{et al.}", and nothing when a field holds
    one word, which is the producer's account ("csproduction", "Sony"), not a name."""
    if not author:
        return []
    text = re.sub(r"\{?\bet\s+al\b\.?\}?", "", _char_refs(author))
    names = [a.strip() for a in re.split(r";|,| and ", text) if a.strip()]
    return [n for n in names if len(n.split()) > 1 or "." in n]


def _split_references(pages: list[Page]) -> tuple[list[Page], str]:
    """Cut the references section out of the page texts; return body pages and references."""
    joined, starts = "", []
    for p in pages:
        starts.append(len(joined))
        joined += p.text + "\n\n"
    span = find_references_span(joined)
    if span is None:
        return pages, ""
    a, b = span
    body = []
    for p, s in zip(pages, starts, strict=True):
        e = s + len(p.text)
        lo, hi = max(a, s), min(b, e)
        if lo >= hi:
            body.append(p)
        else:
            body.append(Page(p.number, (p.text[: lo - s] + p.text[hi - s :]).strip()))
    return body, joined[a:b].strip()


# -- Markdown and text ---------------------------------------------------------


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def _load_text(path: Path, data: bytes, sha: str, kind: DocKind) -> LoadedDocument:
    text = decode_utf8(data)
    if "\x00" in text:
        raise DocumentError("binary data in a text file")
    # A form feed is the plain-text page break; otherwise the file is one page.
    pages = [Page(i + 1, clean_text(t)) for i, t in enumerate(text.split("\f"))]
    title = path.stem
    for line in text.split("\n")[:20]:
        s = line.strip()
        if kind == "markdown" and s.startswith("# "):
            title = s[2:].strip()
            break
        if kind == "text" and s:
            title = s if len(s) <= 120 else path.stem
            break
    m = _DOI.search(text)
    year = _YEAR.search(text[:2000])
    return LoadedDocument(
        path,
        kind,
        sha,
        len(data),
        pages,
        title,
        doi=m.group(1).rstrip(".)]}") if m else None,
        year=int(year.group(1)) if year else None,
    )


def _load_table(path: Path, data: bytes, sha: str) -> LoadedDocument:
    text = decode_utf8(data)
    table, rendered = load_table(path, text)
    pages = [Page(i + 1, t) for i, t in enumerate(rendered)]
    return LoadedDocument(
        path, "table", sha, len(data), pages, f"Data summary: {path.stem}", table=table
    )
