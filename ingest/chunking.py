"""Token-aware chunking that keeps every chunk traceable to paper, page and offsets.

Pages are joined into one text (with a blank line between pages) so a passage
that runs over a page break stays whole; section headings cut the text into
sections first, and each section is split by the same tokenizer the local
embedding model reads with, so no chunk is silently truncated at embedding
time. Each chunk records the page it starts and ends on and character offsets
into those pages' stored text: ``page_text[char_start:...]`` is the quote.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.loaders import LoadedDocument

PAGE_SEP = "\n\n"

_SECTION_NAMES = (
    r"abstract|summary|introduction|background|methods?|materials and methods|methods and materials"
    r"|method and materials|experimental procedures|participants|subjects|procedure|design|measures"
    r"|materials|apparatus|stimuli|statistical analys[ie]s|data analys[ie]s|analysis|results"
    r"|results and discussion|discussion|general discussion|conclusions?|limitations|implications"
    r"|acknowledge?ments|funding|author contributions|competing interests|declarations"
    r"|(?:experiment|study) \d+[a-z]?(?:[:.].{0,60})?|appendix(?: \d+)?"
)
# A heading is a short line of its own: a known section name, optionally numbered
# ("2.1 Participants"), or a numbered title-case heading ("3 Effects of arousal").
_HEADING = re.compile(
    rf"^[ \t]*(?:(?:\d+(?:\.\d+)*\.?|[IVX]+\.)[ \t]+)?(?:{_SECTION_NAMES})[ \t]*:?[ \t]*$"
    rf"|^[ \t]*\d+(?:\.\d+)*\.?[ \t]+[A-Z][A-Za-z ,\-]{{2,60}}$",
    re.IGNORECASE | re.MULTILINE,
)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S.*$", re.MULTILINE)


@dataclass
class Chunk:
    doc_id: str
    index: int
    text: str
    section: str
    page_start: int
    page_end: int
    #: Offset of the chunk's first character in page_start's text.
    char_start: int
    #: Offset just past the chunk's last character in page_end's text.
    char_end: int

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.index:05d}"


def find_sections(text: str, kind: str) -> list[tuple[int, str]]:
    """Start offsets and names of the sections in the joined text."""
    pattern = _MD_HEADING if kind == "markdown" else _HEADING
    found = [(0, "")]
    for m in pattern.finditer(text):
        name = m.group(0).strip().lstrip("#").strip()
        # Table rows and figure axes produce short numbered lines; keep headings
        # that are words, not numbers.
        if sum(c.isalpha() for c in name) < 4:
            continue
        found.append((m.start(), name[:80]))
    return found


class Chunker:
    def __init__(
        self, count_tokens: Callable[[str], int], chunk_tokens: int = 240, overlap: int = 40
    ) -> None:
        self._count = count_tokens
        self._counted: dict[str, int] = {}
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_tokens,
            chunk_overlap=overlap,
            length_function=self._length,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
            strip_whitespace=False,
        )

    def _length(self, text: str) -> int:
        # The splitter measures each piece when it splits and again when it
        # merges, and the separators every time: half of its tokenizer calls
        # were repeats, the larger part of chunking time (bench/ingest.py).
        n = self._counted.get(text)
        if n is None:
            n = self._counted[text] = self._count(text)
        return n

    def split(self, doc: LoadedDocument) -> list[Chunk]:
        try:
            return self._split(doc)
        finally:
            self._counted.clear()  # a cache per document keeps memory flat

    def _split(self, doc: LoadedDocument) -> list[Chunk]:
        text, page_starts = "", []
        for p in doc.pages:
            page_starts.append(len(text))
            text += p.text + PAGE_SEP
        sections = find_sections(text, doc.kind)
        bounds = [s for s, _ in sections[1:]] + [len(text)]
        chunks: list[Chunk] = []
        for (start, name), end in zip(sections, bounds, strict=True):
            segment = text[start:end]
            if not segment.strip():
                continue
            # langchain's add_start_index guesses offsets from chunk_overlap as if
            # it were characters; with a token length function that guess misses.
            # Pieces are in order and verbatim, so find each after the previous one.
            cursor = 0
            for piece in self._splitter.split_text(segment):
                body = piece.strip()
                if len(body) < 3:
                    continue
                at = segment.find(body, cursor)
                if at < 0:  # pragma: no cover - the splitter only returns substrings
                    raise ValueError("chunk text not found in its section")
                cursor = at + 1
                a = start + at
                b = a + len(body)
                first = bisect.bisect_right(page_starts, a) - 1
                last = bisect.bisect_right(page_starts, b - 1) - 1
                chunks.append(
                    Chunk(
                        doc_id=doc.doc_id,
                        index=len(chunks),
                        text=body,
                        section=name,
                        page_start=doc.pages[first].number,
                        page_end=doc.pages[last].number,
                        char_start=a - page_starts[first],
                        char_end=b - page_starts[last],
                    )
                )
        return chunks
