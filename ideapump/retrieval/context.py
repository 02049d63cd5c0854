"""What a chunk is embedded and indexed as: its paper's title and section heading, then its text.

The title and heading carry what a passage leaves implicit (which study, which
part of it). On bench/retrieval.py's 100 questions they lifted dense page
recall@5 from 0.72 to 0.77 and BM25's from 0.68 to 0.73. The quote shown and
cited stays the chunk text alone.

Ingest embeds :func:`context_text` and records ``ctx = CHUNK_CONTEXT`` with each
chunk; the BM25 index builds the same text from the chunk's stored title and
section, so it needs no re-ingest. A chunk without ``ctx`` was embedded from its
text alone by an older IdeaPump: search still works, a little less well, and
ingesting the file again re-embeds it (an unchanged file is otherwise skipped).
"""

from __future__ import annotations

#: Version of what a chunk's vector was embedded from (stored per chunk as ``ctx``).
CHUNK_CONTEXT = 1
#: Characters of the title kept (the store keeps 300).
TITLE_CHARS = 300


def context_text(title: str, section: str, text: str) -> str:
    """A chunk as embedded and indexed. With a long title a full chunk runs past the
    model's 256 word pieces and loses its last few; the next chunk's overlap holds them."""
    head = "\n".join(part for part in (title.strip()[:TITLE_CHARS], section.strip()) if part)
    return f"{head}\n{text}" if head else text
